package dev.pgagent.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.sql.ExportFormat;
import dev.pgagent.api.sql.ExportOptions;
import dev.pgagent.api.sql.ExportProgress;
import dev.pgagent.api.sql.ExportResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.sql.Truncation;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AuditSinks;
import dev.pgagent.core.GuardedPath;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.safety.JSqlParserSafetyValidator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pg-agent export}: one read's result, in full, to a file. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        header = "Exports the result of one read to a file: CSV, JSON, JSON Lines or Markdown.",
        description = "Runs one read through the safety layer (validated under the policy, plan-checked, in a"
                + " read-only transaction that is rolled back, audited) and streams every row to FILE, without the"
                + " row caps a model gets; the export has its own limits (--max-rows, --max-bytes, --timeout)."
                + " The format comes from FILE's extension (.csv, .json, .jsonl, .md) unless --format says. CSV"
                + " is written by PostgreSQL itself (COPY ... TO STDOUT), byte for byte what psql's \\copy ... CSV"
                + " HEADER writes. FILE '-' writes to standard output. On a terminal, progress is shown on standard"
                + " error.",
        footer = {
            "",
            "Exit status: 0 when every row was written; 1 when the statement was refused or failed, or a"
                    + " limit stopped the export (FILE then holds the rows up to the limit)."
        })
final class ExportCommand implements Callable<Integer> {
    private static final long PROGRESS_NANOS = 500_000_000L;

    private final Cli cli;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Mixin
    AgentOptions agentOptions = new AgentOptions();

    @Option(names = "--sql", paramLabel = "SQL", required = true, description = "The read to export (one statement).")
    String sql = "";

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            description = "csv, json, jsonl or md. Default: from FILE's" + " extension; csv for standard output.")
    @Nullable
    String format;

    @Option(
            names = "--delimiter",
            paramLabel = "CHAR",
            description = "The CSV field delimiter; 'tab' for a tab." + " Default: a comma.")
    @Nullable
    String delimiter;

    @Option(names = "--no-header", description = "Leave out the CSV header line.")
    boolean noHeader;

    @Option(
            names = "--bytea",
            paramLabel = "ENCODING",
            description = "hex (as PostgreSQL prints it, \\x...) or" + " base64. Default: hex.")
    @Nullable
    String bytea;

    @Option(
            names = "--redact",
            description = "Redact personal data as the policy redacts it for the model." + " Default: real values.")
    boolean redact;

    @Option(names = "--max-rows", paramLabel = "N", description = "The most rows written. Default: 10,000,000.")
    @Nullable
    Long maxRows;

    @Option(names = "--max-bytes", paramLabel = "N", description = "The most bytes written. Default: 4 GiB.")
    @Nullable
    Long maxBytes;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            description = "The statement timeout of the export." + " Default: 600.")
    @Nullable
    Long timeoutSeconds;

    @Option(names = "--json", description = "Print what was written as one JSON document.")
    boolean json;

    @Parameters(paramLabel = "FILE", arity = "1", description = "Where to write; '-' for standard output.")
    String file = "";

    ExportCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        ExportOptions options = options(file, format);
        Configs.apply(cli, database, null, agentOptions);
        PostgresDatabase db = database.database(cli);
        try (PostgresAgent agent = hostAgent(db, agentOptions)) {
            return export(cli, agent.guardedPath(caller(cli)), sql, file, options, json, cli.out);
        }
    }

    /** Returns the export options the flags describe, the format from {@code target}'s extension by default. */
    ExportOptions options(String target, @Nullable String formatName) {
        ExportOptions.Builder b = ExportOptions.builder()
                .format(format(target, formatName))
                .header(!noHeader)
                .redact(redact);
        try {
            if (delimiter != null) {
                String d = delimiter.equalsIgnoreCase("tab") || delimiter.equals("\\t") ? "\t" : delimiter;
                if (d.length() != 1) {
                    throw new UserException("--delimiter must be one character but was '" + delimiter + "'");
                }
                b.delimiter(d.charAt(0));
            }
            if (bytea != null) {
                b.byteaEncoding(
                        ExportOptions.ByteaEncoding.valueOf(bytea.strip().toUpperCase(Locale.ROOT)));
            }
            if (maxRows != null) {
                b.maxRows(maxRows);
            }
            if (maxBytes != null) {
                b.maxBytes(maxBytes);
            }
            if (timeoutSeconds != null) {
                b.timeout(Duration.ofSeconds(timeoutSeconds));
            }
        } catch (IllegalArgumentException e) {
            throw new UserException(
                    e.getMessage().startsWith("No enum constant")
                            ? "--bytea must be hex or base64 but was '" + bytea + "'"
                            : e.getMessage());
        }
        return b.build();
    }

    static ExportFormat format(String target, @Nullable String formatName) {
        if (formatName != null) {
            try {
                return ExportFormat.of(formatName);
            } catch (IllegalArgumentException e) {
                throw new UserException("--format must be csv, json, jsonl or md but was '" + formatName + "'");
            }
        }
        if (target.equals("-")) {
            return ExportFormat.CSV;
        }
        return ExportFormat.fromFileName(target)
                .orElseThrow(() -> new UserException("cannot tell the format from"
                        + " the name '" + target
                        + "': give --format csv, json, jsonl or md, or a name ending in .csv, .json,"
                        + " .jsonl or .md"));
    }

    /** Returns the identity exports and reruns are audited under. */
    static String caller(Cli cli) {
        return "pg-agent:" + HistoryOptions.user(cli);
    }

    /** Returns an agent for calls on the guarded path only: no model is ever called. */
    static PostgresAgent hostAgent(PostgresDatabase db, AgentOptions options) {
        LlmClient noModel = request -> {
            throw new LlmException("this command calls no model", LlmException.Reason.OTHER, false, null);
        };
        PostgresAgent.Builder b = PostgresAgent.builder()
                .llm(noModel)
                .database(db)
                .policy(options.policy())
                .safetyValidator(JSqlParserSafetyValidator.of(options.policy()))
                .valueGrounding(false);
        java.nio.file.Path audit =
                options.config != null ? options.config.audit().jsonl().orElse(null) : options.audit;
        if (audit != null) {
            b.addAuditSink(AuditSinks.jsonLines(audit));
        }
        return b.build();
    }

    /**
     * Exports {@code sql} through {@code path} to {@code target} ('-' for standard output), writing a file under a
     * temporary name first so that a refused or failed export leaves no file behind; prints what was written.
     */
    static int export(
            Cli cli,
            GuardedPath path,
            String sql,
            String target,
            ExportOptions options,
            boolean json,
            java.io.PrintStream info) {
        boolean toStdout = target.equals("-");
        Progress progress = new Progress(cli, !toStdout && cli.terminal);
        ExportOptions withProgress = options.toBuilder().progress(progress).build();
        ExportResult r;
        if (toStdout) {
            r = path.export("", sql, cli.out, withProgress);
            cli.out.flush();
        } else {
            Path file = Path.of(target).toAbsolutePath();
            Path part = file.resolveSibling(file.getFileName() + ".part");
            try (OutputStream out = Files.newOutputStream(part)) {
                r = path.export("", sql, out, withProgress);
            } catch (IOException e) {
                deleteQuietly(part);
                throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                deleteQuietly(part);
                throw e;
            } finally {
                progress.done();
            }
            try {
                Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot rename " + part + " to " + target + ": " + e.getMessage(), e);
            }
        }
        java.io.PrintStream report = toStdout ? cli.err : info;
        if (json && !toStdout) {
            report.println(JsonViews.pretty(summary(target, r)));
        } else {
            report.println("Exported " + r.rowCount() + (r.rowCount() == 1 ? " row" : " rows") + " ("
                    + bytes(r.byteCount()) + ", " + r.format().extension() + ") to "
                    + (toStdout ? "standard output" : target) + " in " + seconds(r.elapsed())
                    + (r.serverCopy() ? " (written by PostgreSQL's COPY)" : "") + ".");
        }
        if (r.isTruncated()) {
            cli.err.println("pg-agent: the export stopped at its "
                    + (r.truncation() == Truncation.ROW_LIMIT
                            ? "row limit (" + options.maxRows() + " rows; --max-rows)"
                            : "byte limit (" + options.maxBytes() + " bytes; --max-bytes)")
                    + ": the query has more rows than were written");
            return 1;
        }
        return 0;
    }

    /** Exports the result of the last statement of {@code response} that returned rows, in full. */
    static int exportFinal(Cli cli, PostgresAgent agent, AgentResponse response, Path target, boolean json) {
        List<StatementOutcome> statements = response.statements();
        StatementOutcome last = null;
        for (int i = statements.size() - 1; i >= 0 && last == null; i--) {
            StatementOutcome o = statements.get(i);
            if (o.isExecuted() && o.result() != null) {
                last = o;
            }
        }
        if (last == null) {
            throw new UserException(
                    "--export: the ask ran no statement that returned rows, so there is nothing to" + " export");
        }
        String name = target.toString();
        ExportOptions options = ExportOptions.of(format(name, null));
        return export(cli, agent.guardedPath(caller(cli)), last.sql(), name, options, false, json ? cli.err : cli.out);
    }

    private static ObjectNode summary(String target, ExportResult r) {
        ObjectNode n = JsonViews.MAPPER.createObjectNode();
        n.put("file", target);
        n.put("format", r.format().extension());
        n.put("rows", r.rowCount());
        n.put("bytes", r.byteCount());
        n.put("truncation", r.truncation().name());
        n.put("serverCopy", r.serverCopy());
        n.put("elapsedMs", r.elapsed().toMillis());
        var cols = n.putArray("columns");
        for (ResultColumn c : r.columns()) {
            cols.addObject().put("name", c.name()).put("type", c.typeName());
        }
        return n;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // the failure that got us here is the one to report
        }
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /** Shows rows and bytes on standard error while a long export runs, for a person at a terminal. */
    static final class Progress implements ExportProgress {
        private final Cli cli;
        private final boolean show;
        private long lastShown = System.nanoTime();
        private boolean shown;

        Progress(Cli cli, boolean show) {
            this.cli = cli;
            this.show = show;
        }

        @Override
        public void onProgress(long rows, long bytes) {
            long now = System.nanoTime();
            if (!show || now - lastShown < PROGRESS_NANOS) {
                return;
            }
            lastShown = now;
            shown = true;
            cli.err.print("\rexporting: " + rows + " rows, " + bytes(bytes) + "   ");
            cli.err.flush();
        }

        void done() {
            if (shown) {
                cli.err.print("\r" + " ".repeat(60) + "\r");
                cli.err.flush();
            }
        }
    }
}
