package dev.pgagent.cli;

import dev.pgagent.api.audit.AuditChain;
import dev.pgagent.db.postgres.PostgresAuditSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pg-agent audit}: checks audit records. */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        header = "Checks the hash chain of audit records.",
        description = "'audit verify FILE' checks a chained JSON-lines audit file (AuditSinks.chainedJsonLines);"
                + " 'audit verify --jdbc URL' checks every chain of the table audit_events (PostgresAuditSink)."
                + " Prints the records checked and the first broken link; exits 1 if a link is broken.",
        subcommands = {AuditCommand.Verify.class})
final class AuditCommand implements Callable<Integer> {
    final Cli cli;

    AuditCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        throw new UserException("name a subcommand: audit verify FILE | audit verify --jdbc URL");
    }

    /** {@code pg-agent audit verify FILE|--jdbc URL}. */
    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            header = "Checks that no audit record was changed, inserted or removed.")
    static final class Verify implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        AuditCommand parent;

        @Parameters(arity = "0..1", paramLabel = "FILE", description = "A chained JSON-lines audit file.")
        @Nullable
        Path file;

        @Option(
                names = "--jdbc",
                paramLabel = "URL",
                description = "The database holding the audit table (a JDBC"
                        + " URL or a postgresql:// URI; the user and password default to PGUSER and PGPASSWORD).")
        @Nullable
        String jdbc;

        @Option(names = "--schema", paramLabel = "NAME", description = "The schema of audit_events. Default: pgagent.")
        String schema = "pgagent";

        @Override
        public Integer call() {
            Cli cli = parent.cli;
            if ((file == null) == (jdbc == null)) {
                throw new UserException(
                        "give either FILE or --jdbc URL but was " + (file == null ? "neither" : "both"));
            }
            AuditChain.Verification v;
            String what;
            if (file != null) {
                v = verifyFile(file);
                what = file.toString();
            } else {
                DatabaseOptions where = new DatabaseOptions();
                where.url = jdbc;
                try {
                    v = PostgresAuditSink.verify(where.dataSource(cli), schema);
                } catch (IllegalArgumentException e) {
                    throw new UserException("--schema: " + e.getMessage());
                }
                what = schema + ".audit_events";
            }
            if (v.intact()) {
                cli.out.println("OK: " + v.records() + " audit record(s) in " + what + ", every link holds");
                return 0;
            }
            cli.out.println("BROKEN at " + v.brokenAt() + " of " + what + ": " + v.reason() + " (" + v.records()
                    + " record(s) before it hold)");
            return 1;
        }

        private static AuditChain.Verification verifyFile(Path file) {
            AuditChain.Verifier verifier = AuditChain.verifier();
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                long n = 0;
                while ((line = in.readLine()) != null) {
                    n++;
                    if (!line.isEmpty() && !verifier.acceptLine("line " + n, line)) {
                        break;
                    }
                }
            } catch (NoSuchFileException e) {
                throw new UserException("no such file: " + file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            return verifier.result();
        }
    }
}
