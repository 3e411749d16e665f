package dev.pgagent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.pgagent.db.postgres.IndexAdvice;
import dev.pgagent.db.postgres.IndexAdvisor;
import dev.pgagent.safety.JSqlParserSafetyValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pg-agent advise}: index recommendations for statements or the database's workload. */
@Command(
        name = "advise",
        mixinStandardHelpOptions = true,
        header = "Recommends indexes for statements or for the database's workload.",
        description = {
            "Recommends indexes for the given reads (--query, repeatable) or for a workload (--workload: the top reads"
                    + " of pg_stat_statements, or the statements of a file, separated by ';'). Candidates come from the"
                    + " statements' filters, joins, sort and group keys; each is costed with hypopg's hypothetical"
                    + " indexes when the extension is installed in the database (nothing is built), else, with"
                    + " --allow-real-build only, by building it in a transaction that is rolled back (a SHARE lock on"
                    + " its table while it is built and costed: writes to the table wait). The best are picked under"
                    + " the size budget; each comes with its estimated cost before and after, its size and its"
                    + " CREATE INDEX CONCURRENTLY statement, which is printed, not run.",
            "Every statement must be a read under the read-only safety policy; others are listed as skipped."
        },
        footer = {
            "",
            "Exit status: 0 when the advice was given (with or without recommendations); 2 for a usage"
                    + " error; 1 when the database failed."
        })
final class AdviseCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Option(names = "--query", paramLabel = "SQL", description = "A read to advise on; repeat for several.")
    List<String> queries = new ArrayList<>();

    @Option(
            names = "--workload",
            paramLabel = "FILE",
            arity = "0..1",
            fallbackValue = "",
            description = "Advise on a workload: the statements of FILE (separated by ';'), or without FILE the top"
                    + " reads by total time of pg_stat_statements, weighted by their calls.")
    @Nullable
    String workload;

    @Option(
            names = "--top",
            paramLabel = "N",
            description = "With --workload and no file: how many statements of" + " pg_stat_statements. Default: 20.")
    int top = 20;

    @Option(
            names = "--budget-mb",
            paramLabel = "N",
            description = "The most megabytes the new indexes may take" + " together. Default: no budget.")
    @Nullable
    Long budgetMb;

    @Option(
            names = "--min-gain",
            paramLabel = "PERCENT",
            description = "The least an index must save of a"
                    + " statement's estimated cost to count as helping it. Default: 10.")
    double minGainPercent = 10;

    @Option(
            names = "--allow-real-build",
            description =
                    "Without hypopg, cost candidates by building them in a"
                            + " transaction that is rolled back (locks each table against writes while its candidates are built).")
    boolean allowRealBuild;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Option(
            names = "--audit",
            paramLabel = "FILE",
            description =
                    "Append the advice (and the statements refused) to" + " the audit trail in FILE, as JSON lines.")
    java.nio.file.@Nullable Path audit;

    AdviseCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        if (queries.isEmpty() == (workload == null)) {
            throw new UserException("give either --query SQL (repeatable) or --workload [FILE]");
        }
        if (budgetMb != null && budgetMb < 1) {
            throw new UserException("--budget-mb must be >= 1 but was " + budgetMb);
        }
        if (!(minGainPercent > 0 && minGainPercent < 100)) {
            throw new UserException("--min-gain must be > 0 and < 100 but was " + minGainPercent);
        }
        if (top < 1) {
            throw new UserException("--top must be >= 1 but was " + top);
        }
        AgentOptions auditFile = new AgentOptions();
        auditFile.audit = audit;
        auditFile.checkSettings(); // the audit file must be writable before anything runs
        IndexAdvisor.Workload statements = null;
        if (workload != null && !workload.isEmpty()) {
            try {
                statements = IndexAdvisor.parseWorkload(Files.readString(Path.of(workload), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UserException("cannot read the workload file " + workload + ": " + e.getMessage());
            }
            if (statements.statements().isEmpty()) {
                throw new UserException("the workload file " + workload + " holds no statements");
            }
        }
        DataSource ds = database.dataSource(cli);
        if (statements == null) {
            statements = workload == null ? IndexAdvisor.Workload.of(queries) : IndexAdvisor.topStatements(ds, top);
            if (statements.statements().isEmpty()) {
                throw UserException.failed("no statements to advise on: " + String.join("; ", statements.notes()));
            }
        }
        IndexAdvisor.Builder b = IndexAdvisor.builder()
                .validator(JSqlParserSafetyValidator.readOnly())
                .minGain(minGainPercent / 100)
                .allowRealBuild(allowRealBuild);
        if (budgetMb != null) {
            b.budgetBytes(budgetMb * 1024 * 1024);
        }
        if (audit != null) {
            b.auditSink(dev.pgagent.core.AuditSinks.jsonLines(audit)).caller("pg-agent advise");
        }
        IndexAdvice advice = b.build().advise(ds, statements);
        if (json) {
            try {
                cli.out.println(JsonViews.pretty(JsonViews.MAPPER.readTree(advice.toJson())));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            cli.out.print(advice.toText(Integer.MAX_VALUE));
        }
        return 0;
    }
}
