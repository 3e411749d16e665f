package dev.pgagent.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.history.AskRecord;
import dev.pgagent.api.history.HistoryQuery;
import dev.pgagent.api.history.StatementRecord;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.db.postgres.PostgresHistoryStore;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pg-agent history}: the asks recorded in the history, searched, shown, and run again. */
@Command(
        name = "history",
        mixinStandardHelpOptions = true,
        header = "Lists, searches, shows and reruns the asks recorded in the history.",
        description = "Lists the newest asks recorded in the history (see --history): id, time, status, rows and"
                + " question. 'history search TEXT' finds asks whose question, answer or SQL holds TEXT;"
                + " 'history show ID' shows one with its statements, verdicts and outcomes; 'history rerun ID' runs"
                + " its last read again, validated under today's policy, through the safety layer. 'history example"
                + " --sql SQL QUESTION' adds a golden question-and-SQL pair the agent shows the model for similar"
                + " questions on that database; 'history examples' lists them; 'history forget ID' deletes a pair, or"
                + " keeps a recorded ask from ever being shown as an example. An ID may be shortened to its first"
                + " characters.",
        subcommands = {
            HistoryCommand.Search.class,
            HistoryCommand.Show.class,
            HistoryCommand.Rerun.class,
            HistoryCommand.Examples.class,
            HistoryCommand.Example.class,
            HistoryCommand.Forget.class
        })
final class HistoryCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final int SHORT_ID = 8;

    final Cli cli;

    @Mixin
    HistoryOptions history = new HistoryOptions();

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--limit", paramLabel = "N", description = "The most asks listed. Default: 20.")
    int limit = 20;

    HistoryCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        list(cli, history.require(cli), null, limit, json);
        return 0;
    }

    static void list(Cli cli, PostgresHistoryStore store, String text, int limit, boolean json) {
        if (limit < 1 || limit > HistoryQuery.MAX_LIMIT) {
            throw new UserException("--limit must be in [1, " + HistoryQuery.MAX_LIMIT + "] but was " + limit);
        }
        List<AskRecord> asks =
                store.search(HistoryQuery.builder().text(text).limit(limit).build());
        if (json) {
            ArrayNode a = JsonViews.MAPPER.createArrayNode();
            asks.forEach(r -> a.add(view(r, false)));
            cli.out.println(cli.scrub(JsonViews.pretty(a)));
            return;
        }
        if (asks.isEmpty()) {
            cli.out.println(text == null ? "(no asks recorded yet)" : "(no ask matches '" + text + "')");
            return;
        }
        cli.out.println(String.format(
                Locale.ROOT, "%-8s  %-19s  %-13s %8s  %s", "ID", "STARTED (UTC)", "STATUS", "ROWS", "QUESTION"));
        for (AskRecord r : asks) {
            cli.out.println(cli.scrub(String.format(
                    Locale.ROOT,
                    "%-8s  %-19s  %-13s %8d  %s",
                    shortId(r.id()),
                    TIME.format(r.startedAt()),
                    r.status().toLowerCase(Locale.ROOT),
                    r.totalRows(),
                    oneLine(r.question(), 100))));
        }
    }

    /** Finds an ask by its id or the start of it. */
    static AskRecord find(PostgresHistoryStore store, String id) {
        return store.find(id).orElseGet(() -> {
            if (id.length() < 4) {
                throw new UserException("no ask has the id '" + id + "' (give at least 4 characters of an id)");
            }
            List<AskRecord> matches =
                    store
                            .search(HistoryQuery.builder()
                                    .limit(HistoryQuery.MAX_LIMIT)
                                    .build())
                            .stream()
                            .filter(r -> r.id().startsWith(id))
                            .toList();
            if (matches.size() != 1) {
                throw new UserException(
                        matches.isEmpty()
                                ? "no ask has an id starting with '" + id + "'"
                                : "the id '" + id + "' is ambiguous: it starts " + matches.size()
                                        + " ids; give more of it");
            }
            return matches.get(0);
        });
    }

    static ObjectNode view(AskRecord r, boolean full) {
        ObjectNode n = JsonViews.MAPPER.createObjectNode();
        n.put("id", r.id());
        n.put("sessionId", r.sessionId());
        n.put("principal", r.principal());
        n.put("startedAt", r.startedAt().toString());
        n.put("status", r.status());
        n.put("question", r.question());
        n.put("answer", r.answer());
        r.error().ifPresent(e -> n.put("error", e));
        n.put("rows", r.totalRows());
        n.put("steps", r.steps());
        n.put("inputTokens", r.inputTokens());
        n.put("outputTokens", r.outputTokens());
        n.put("elapsedMs", r.elapsed().toMillis());
        if (full) {
            ArrayNode statements = n.putArray("statements");
            for (StatementRecord s : r.statements()) {
                ObjectNode q = statements.addObject();
                q.put("database", s.database());
                q.put("sql", s.sql());
                q.put("decision", s.decision().name());
                q.put("classification", s.kind().name());
                q.put("reason", s.reason());
                q.put("outcome", s.status().name());
                if (s.rows() >= 0) {
                    q.put("rows", s.rows());
                }
                if (s.affectedRows() >= 0) {
                    q.put("affectedRows", s.affectedRows());
                }
                if (s.error() != null) {
                    q.put("error", s.error());
                }
                if (s.sqlState() != null) {
                    q.put("sqlState", s.sqlState());
                }
                q.put("elapsedMs", s.elapsed().toMillis());
            }
        }
        return n;
    }

    static String shortId(String id) {
        return id.length() <= SHORT_ID ? id : id.substring(0, SHORT_ID);
    }

    static String oneLine(String s, int max) {
        String flat = s.replaceAll("\\s+", " ").strip();
        return flat.length() > max ? flat.substring(0, max - 3) + "..." : flat;
    }

    /** {@code history search TEXT}. */
    @Command(name = "search", mixinStandardHelpOptions = true, header = "Finds asks by their question, answer or SQL.")
    static final class Search implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        HistoryCommand parent;

        @Parameters(
                paramLabel = "TEXT",
                arity = "1..*",
                description = "The text to find, ignoring case (words are" + " joined).")
        List<String> words = List.of();

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Option(names = "--limit", paramLabel = "N", description = "The most asks listed. Default: 20.")
        @org.jspecify.annotations.Nullable
        Integer limit;

        @Override
        public Integer call() {
            list(
                    parent.cli,
                    parent.history.require(parent.cli),
                    String.join(" ", words),
                    limit != null ? limit : parent.limit,
                    json || parent.json);
            return 0;
        }
    }

    /** {@code history show ID}. */
    @Command(name = "show", mixinStandardHelpOptions = true, header = "Shows one ask with its statements.")
    static final class Show implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        HistoryCommand parent;

        @Parameters(paramLabel = "ID", description = "The ask's id, or its first characters.")
        String id = "";

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Override
        public Integer call() {
            Cli cli = parent.cli;
            AskRecord r = find(parent.history.require(cli), id);
            if (json || parent.json) {
                cli.out.println(cli.scrub(JsonViews.pretty(view(r, true))));
                return 0;
            }
            StringBuilder sb = new StringBuilder();
            sb.append("Ask ").append(r.id()).append('\n');
            sb.append("Session:  ")
                    .append(r.sessionId())
                    .append(" (continue it: pg-agent chat --resume ")
                    .append(r.sessionId())
                    .append(")\n");
            sb.append("Who:      ").append(r.principal()).append('\n');
            sb.append("Started:  ").append(TIME.format(r.startedAt())).append(" UTC\n");
            sb.append("Status:   ")
                    .append(r.status().toLowerCase(Locale.ROOT))
                    .append(", ")
                    .append(r.steps())
                    .append(r.steps() == 1 ? " step, " : " steps, ")
                    .append(r.inputTokens())
                    .append(" tokens in / ")
                    .append(r.outputTokens())
                    .append(" out, ")
                    .append(r.elapsed().toMillis())
                    .append(" ms\n");
            r.error()
                    .ifPresent(
                            e -> sb.append("Error:    ").append(oneLine(e, 300)).append('\n'));
            sb.append("Question: ").append(r.question()).append('\n');
            sb.append("Answer:   ")
                    .append(r.answer().isBlank() ? "(none)" : r.answer().strip())
                    .append('\n');
            sb.append("Statements:").append(r.statements().isEmpty() ? " none\n" : "\n");
            int i = 1;
            for (StatementRecord s : r.statements()) {
                sb.append(String.format(
                        Locale.ROOT,
                        "%3d. %s %s, %s",
                        i++,
                        s.decision(),
                        s.kind(),
                        s.status().name().toLowerCase(Locale.ROOT).replace('_', ' ')));
                if (s.rows() >= 0) {
                    sb.append(": ").append(s.rows()).append(s.rows() == 1 ? " row" : " rows");
                }
                if (s.affectedRows() >= 0) {
                    sb.append(": ").append(s.affectedRows()).append(" rows changed");
                }
                sb.append(", ")
                        .append(s.elapsed().toMillis())
                        .append(" ms (")
                        .append(s.database())
                        .append(")\n");
                sb.append("     ")
                        .append(s.sql().strip().replace("\n", "\n     "))
                        .append('\n');
                if (s.error() != null) {
                    sb.append("     -> ").append(oneLine(s.error(), 300)).append('\n');
                }
            }
            cli.out.print(cli.scrub(sb.toString()));
            return 0;
        }
    }

    /** {@code history rerun ID}. */
    @Command(
            name = "rerun",
            mixinStandardHelpOptions = true,
            header = "Runs an ask's last read again under today's policy.",
            description = "Runs the last statement of the ask that returned rows again, on the database of --url (or"
                    + " the PG* variables): validated under today's policy, through the safety layer, audited; prints"
                    + " the verdict and the result.")
    static final class Rerun implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        HistoryCommand parent;

        @Mixin
        DatabaseOptions database = new DatabaseOptions();

        @Mixin
        AgentOptions agentOptions = new AgentOptions();

        @Parameters(paramLabel = "ID", description = "The ask's id, or its first characters.")
        String id = "";

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Override
        public Integer call() {
            Cli cli = parent.cli;
            AskRecord r = find(parent.history.require(cli), id);
            StatementRecord last = r.finalStatement()
                    .orElseThrow(() -> new UserException("the ask " + shortId(r.id())
                            + " ran no statement that returned rows; there is nothing to run again"));
            Configs.apply(cli, database, null, agentOptions);
            PostgresDatabase db = PostgresDatabase.of(database.dataSource(cli));
            StatementOutcome o;
            try (PostgresAgent agent = ExportCommand.hostAgent(db, agentOptions)) {
                o = agent.guardedPath(ExportCommand.caller(cli)).execute(last.sql());
            }
            if (json || parent.json) {
                ObjectNode n = JsonViews.outcome(o);
                n.put("askId", r.id());
                QueryResult table = o.result();
                if (table != null) {
                    n.set("table", JsonViews.table(table));
                }
                cli.out.println(cli.scrub(JsonViews.pretty(n)));
            } else {
                cli.out.println(cli.scrub(last.sql().strip()));
                cli.out.println(
                        "-> " + o.verdict().decision() + " " + o.verdict().kind() + ", "
                                + o.status().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                                + (o.error() == null ? "" : ": " + cli.scrub(oneLine(o.error(), 300))));
                QueryResult table = o.result();
                if (table != null) {
                    cli.out.println(cli.scrub(TextTable.render(table, ResponsePrinter.MAX_TABLE_ROWS)));
                }
            }
            return o.isExecuted() ? 0 : 1;
        }
    }

    /** Returns the name examples are kept under: --database, else the profile's, else the database's own name. */
    static String exampleDatabase(Cli cli, DatabaseOptions database, @org.jspecify.annotations.Nullable String name) {
        if (name != null && !name.isBlank()) {
            return name.strip();
        }
        dev.pgagent.config.DatabaseProfile profile = database.profile();
        if (profile != null) {
            return profile.name();
        }
        return HistoryOptions.databaseName(PostgresDatabase.of(database.dataSource(cli)));
    }

    /** {@code history examples}. */
    @Command(
            name = "examples",
            mixinStandardHelpOptions = true,
            header = "Lists the golden question-and-SQL pairs of a database.")
    static final class Examples implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        HistoryCommand parent;

        @Mixin
        DatabaseOptions database = new DatabaseOptions();

        @Option(
                names = "--database",
                paramLabel = "NAME",
                description =
                        "The database the pairs are for. Default:"
                                + " the profile's name with a configuration file, else the name of the database of --url or PG*.")
        @org.jspecify.annotations.Nullable
        String name;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Override
        public Integer call() {
            Cli cli = parent.cli;
            Configs.apply(cli, database, null, null);
            PostgresHistoryStore store = parent.history.require(cli);
            String db = exampleDatabase(cli, database, name);
            List<dev.pgagent.api.history.QueryExample> examples = store.examples(db);
            if (json || parent.json) {
                ArrayNode a = JsonViews.MAPPER.createArrayNode();
                for (dev.pgagent.api.history.QueryExample e : examples) {
                    a.addObject()
                            .put("id", e.id())
                            .put("database", e.database())
                            .put("question", e.question())
                            .put("sql", e.sql())
                            .put("createdAt", e.createdAt().toString());
                }
                cli.out.println(cli.scrub(JsonViews.pretty(a)));
                return 0;
            }
            if (examples.isEmpty()) {
                cli.out.println("(no golden examples for " + db + "; add one with: pg-agent history example --sql"
                        + " \"SELECT ...\" \"the question\")");
                return 0;
            }
            for (dev.pgagent.api.history.QueryExample e : examples) {
                cli.out.println(
                        cli.scrub(e.id() + "  " + TIME.format(e.createdAt()) + "  " + oneLine(e.question(), 100)));
                cli.out.println(cli.scrub("    " + e.sql().strip().replace("\n", "\n    ")));
            }
            return 0;
        }
    }

    /** {@code history example --sql SQL QUESTION}. */
    @Command(
            name = "example",
            mixinStandardHelpOptions = true,
            header = "Adds a golden question-and-SQL pair for a database.",
            description = "Adds a pair the agent shows the model, as an example, for similar questions on the same"
                    + " database (never with result rows). The SQL must be a read the safety policy allows; it is"
                    + " checked now and again whenever the model runs what it learnt from it.")
    static final class Example implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        HistoryCommand parent;

        @Mixin
        DatabaseOptions database = new DatabaseOptions();

        @Option(
                names = "--database",
                paramLabel = "NAME",
                description =
                        "The database the pair is for. Default:"
                                + " the profile's name with a configuration file, else the name of the database of --url or PG*.")
        @org.jspecify.annotations.Nullable
        String name;

        @Option(names = "--sql", paramLabel = "SQL", required = true, description = "The SQL that answers it.")
        String sql = "";

        @Parameters(paramLabel = "QUESTION", arity = "1..*", description = "The question (words are joined).")
        List<String> words = List.of();

        @Override
        public Integer call() {
            Cli cli = parent.cli;
            String question = String.join(" ", words).strip();
            if (question.isEmpty()) {
                throw new UserException("the question is empty");
            }
            dev.pgagent.api.safety.Verdict v = dev.pgagent.safety.JSqlParserSafetyValidator.of(
                            dev.pgagent.api.safety.SafetyPolicy.READ_ONLY)
                    .validate(sql);
            if (!v.isAllowed()) {
                throw new UserException("the example's SQL must be a read the read-only policy allows, but it was "
                        + v.decision() + " " + v.kind() + ": " + v.reason());
            }
            Configs.apply(cli, database, null, null);
            PostgresHistoryStore store = parent.history.require(cli);
            dev.pgagent.api.history.QueryExample e =
                    store.addExample(exampleDatabase(cli, database, name), question, sql.strip());
            if (parent.json) {
                cli.out.println(cli.scrub(JsonViews.pretty(
                        JsonViews.MAPPER.createObjectNode().put("id", e.id()).put("database", e.database()))));
            } else {
                cli.out.println("added " + e.id() + " for " + e.database()
                        + "; delete it with: pg-agent history forget " + e.id());
            }
            return 0;
        }
    }

    /** {@code history forget ID}. */
    @Command(
            name = "forget",
            mixinStandardHelpOptions = true,
            header = "Deletes a golden pair, or keeps a recorded ask from being shown as an example.")
    static final class Forget implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        HistoryCommand parent;

        @Parameters(
                paramLabel = "ID",
                description = "A golden pair's id (example-...), or an ask's id or its first" + " characters.")
        String id = "";

        @Override
        public Integer call() {
            Cli cli = parent.cli;
            PostgresHistoryStore store = parent.history.require(cli);
            String target = id.strip();
            if (!target.startsWith("example-")) {
                target = find(store, target).id();
            }
            if (!store.forget(target)) {
                throw new UserException("nothing has the id '" + id + "'");
            }
            cli.out.println(
                    target.startsWith("example-")
                            ? "deleted " + target
                            : "the ask " + shortId(target)
                                    + " stays in the history but is never shown as an example again");
            return 0;
        }
    }
}
