package dev.pgagent.benchmarks;

import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.context.SchemaContext;
import dev.pgagent.context.SchemaContextBuilder;
import dev.pgagent.context.TokenCounter;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.testsupport.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Measures the schema context: recall of the tables each labelled question needs at 1,000, 2,000 and 4,000
 * tokens, for {@link SchemaContextBuilder} and three baselines (the schema cut at the budget in catalog order; a
 * plain keyword-overlap ranker; keywords with foreign-key expansion and a sibling boost, {@link KeywordFkRanker}),
 * on two catalogs: a generated database of about 600 tables in 18 schemas ({@link ContextSchemaGenerator}, 240
 * questions) and the Spider 1.0 dev catalog, 166 applications in one database ({@link SpiderCatalog}, 1,034
 * questions); then the time to index and to build a context on a 10,000-table copy of the generated one.
 *
 * <p>Run: {@code benchmarks/run ContextBenchmark [all|generated|spider]}. The server is
 * {@code PGAGENT_BENCH_JDBC_URL} (user {@code PGAGENT_BENCH_USER}, default postgres; password
 * {@code PGAGENT_BENCH_PASSWORD}) if set, else the test server of {@link TestPostgres}. Databases are reused when
 * a previous run built the same schema. The Spider files are read from {@code -Dbench.spiderDir} (default
 * {@code /work/shared/data/spider-dev}). {@code -Dbench.verbose=true} prints our misses on one half
 * ({@code -Dbench.verboseSplit}, default tuning) at one budget ({@code -Dbench.verboseBudget}, default 1000);
 * {@code -Dbench.skip10k=true} skips the timing part, {@code -Dbench.skipRecall=true} the recall part and
 * {@code -Dbench.skipHostile=true} the 1 MB questions.
 */
public final class ContextBenchmark {
    private static final int[] BUDGETS = {1_000, 2_000, 4_000};
    private static final String DB = "pgagent_ctx_bench";
    private static final String DB_10K = "pgagent_ctx_bench_10k";
    private static final String DB_SPIDER = "pgagent_ctx_spider";
    private static final int REPLICAS_10K = 17;
    private static final PrintStream OUT = System.out;

    private ContextBenchmark() {}

    /** A labelled question. */
    record Question(int id, String split, String question, List<String> tables) {}

    /** One way of choosing tables: the qualified names it shows for a question at a budget. */
    interface Method {
        Set<String> shown(String question, int budget);
    }

    /** Runs the benchmark. */
    public static void main(String[] args) throws Exception {
        Server server = server();
        OUT.println("# Schema context benchmark (server: " + server.describe() + ")");
        String dataset = args.length > 0 && !args[0].isBlank() ? args[0] : System.getProperty("bench.dataset", "all");
        if (!Set.of("all", "generated", "spider").contains(dataset)) {
            throw new IllegalArgumentException("dataset must be all, generated or spider but was " + dataset);
        }
        ContextSchemaGenerator gen = ContextSchemaGenerator.load();
        List<Question> questions = loadQuestions();
        if (!dataset.equals("spider")) {
            generated(server, gen, questions);
        }
        if (!dataset.equals("generated")) {
            spider(server);
        }
        if (!dataset.equals("spider") && !Boolean.getBoolean("bench.skip10k")) {
            timing(server, gen, questions);
        }
    }

    /** Recall on the generated 614-table database. */
    private static void generated(Server server, ContextSchemaGenerator gen, List<Question> questions)
            throws SQLException {
        ensure(server, DB, gen.ddl(0), List.of(gen.ddl(0)).hashCode());
        DataSource ds = server.dataSource(DB);
        long t0 = System.nanoTime();
        SchemaModel schema = PostgresDatabase.of(ds).schema();
        long introspectMs = (System.nanoTime() - t0) / 1_000_000;
        TokenCounter counter = TokenCounter.defaultCounter();
        int fullTokens = schema.tables().stream()
                .mapToInt(t -> counter.count(plainBlock(t)))
                .sum();
        OUT.println();
        OUT.println("## Generated database");
        OUT.printf(
                Locale.ROOT,
                "Database: %d tables, %d enums in %d schemas; %d labelled questions (%d tuning,"
                        + " %d held-out); introspected in %d ms; whole schema rendered = %,d tokens (%s)%n",
                schema.tables().size(),
                schema.enums().size(),
                schema.schemas().size(),
                questions.size(),
                questions.stream().filter(q -> q.split().equals("tuning")).count(),
                questions.stream().filter(q -> q.split().equals("held-out")).count(),
                introspectMs,
                fullTokens,
                counter.encodingName());
        checkLabels(schema, questions);
        if (Boolean.getBoolean("bench.skipRecall")) {
            return;
        }
        recall(schema, questions, counter);
    }

    /** Recall on the Spider dev catalog: 166 applications in one database. */
    private static void spider(Server server) throws SQLException {
        Path dir = Path.of(System.getProperty("bench.spiderDir", "/work/shared/data/spider-dev"));
        OUT.println();
        OUT.println("## Spider 1.0 dev catalog (" + dir + ")");
        if (!Files.isRegularFile(dir.resolve("tables.json"))) {
            OUT.println("Not found: set -Dbench.spiderDir to a directory holding tables.json and questions.jsonl.");
            return;
        }
        SpiderCatalog spider = SpiderCatalog.load(dir);
        ensure(server, DB_SPIDER, spider.ddl(), spider.ddl().hashCode());
        long t0 = System.nanoTime();
        SchemaModel schema = PostgresDatabase.of(server.dataSource(DB_SPIDER)).schema();
        long introspectMs = (System.nanoTime() - t0) / 1_000_000;
        TokenCounter counter = TokenCounter.defaultCounter();
        int fullTokens = schema.tables().stream()
                .mapToInt(t -> counter.count(plainBlock(t)))
                .sum();
        List<Question> questions = spider.questions();
        OUT.printf(
                Locale.ROOT,
                "Database: %d tables in %d schemas; %d labelled questions (%d tuning: even lines,"
                        + " %d held-out: odd lines); introspected in %d ms; whole schema rendered = %,d tokens%n",
                schema.tables().size(),
                schema.schemas().size(),
                questions.size(),
                questions.stream().filter(q -> q.split().equals("tuning")).count(),
                questions.stream().filter(q -> q.split().equals("held-out")).count(),
                introspectMs,
                fullTokens);
        checkLabels(schema, questions);
        if (Boolean.getBoolean("bench.skipRecall")) {
            return;
        }
        recall(schema, questions, counter);
    }

    /** Prints recall at each budget for ours and the baselines, by split. */
    private static void recall(SchemaModel schema, List<Question> questions, TokenCounter counter) {
        long t0 = System.nanoTime();
        SchemaContextBuilder ours = SchemaContextBuilder.of(schema);
        long indexMs = (System.nanoTime() - t0) / 1_000_000;
        OUT.println("Index built in " + indexMs + " ms");
        boolean verbose = Boolean.getBoolean("bench.verbose");
        int verboseBudget = Integer.getInteger("bench.verboseBudget", 1_000);
        String verboseSplit = System.getProperty("bench.verboseSplit", "tuning");
        KeywordFkRanker keywordFk = new KeywordFkRanker(schema);
        Map<String, Method> methods = new LinkedHashMap<>();
        long[] tokensUsed = new long[BUDGETS.length];
        methods.put("pgagent SchemaContextBuilder (ours)", (q, budget) -> {
            SchemaContext ctx = ours.build(q, budget);
            if (ctx.tokens() > budget) {
                throw new IllegalStateException("budget exceeded: " + ctx.tokens() + " > " + budget);
            }
            for (int b = 0; b < BUDGETS.length; b++) {
                tokensUsed[b] += BUDGETS[b] == budget ? ctx.tokens() : 0;
            }
            Set<String> shown = new HashSet<>();
            ctx.tables().forEach(t -> shown.add(t.qualifiedName()));
            return shown;
        });
        methods.put(
                "baseline a: catalog order cut", (q, budget) -> greedy(catalogOrder(schema), schema, budget, counter));
        methods.put(
                "baseline b: keyword overlap",
                (q, budget) -> greedy(keywordOverlap(schema, q), schema, budget, counter));
        methods.put(
                "baseline c: keywords + FK expansion + sibling boost",
                (q, budget) -> compactGreedy(keywordFk.order(q), schema, budget, counter));
        String[] splits = {"tuning", "held-out", "all"};
        int m0 = methods.size();
        int[][][] hits = new int[m0][splits.length][BUDGETS.length];
        int[] totals = new int[splits.length];
        long[] nanos = new long[m0];
        for (Question q : questions) {
            int s = q.split().equals("tuning") ? 0 : 1;
            totals[s]++;
            totals[2]++;
            int m = 0;
            for (Map.Entry<String, Method> method : methods.entrySet()) {
                for (int b = 0; b < BUDGETS.length; b++) {
                    long start = System.nanoTime();
                    Set<String> shown = method.getValue().shown(q.question(), BUDGETS[b]);
                    nanos[m] += System.nanoTime() - start;
                    boolean ok = shown.containsAll(q.tables());
                    if (ok) {
                        hits[m][s][b]++;
                        hits[m][2][b]++;
                    }
                    if (verbose && m == 0 && !ok && q.split().equals(verboseSplit) && BUDGETS[b] == verboseBudget) {
                        SchemaContext ctx = ours.build(q.question(), BUDGETS[b]);
                        List<String> missing = new ArrayList<>(q.tables());
                        missing.removeAll(shown);
                        OUT.println("  miss q" + q.id() + " \"" + q.question() + "\" missing " + missing
                                + "; shown "
                                + ctx.tables().stream()
                                        .map(t -> t.qualifiedName()
                                                + String.format(
                                                        Locale.ROOT,
                                                        "(%.1f%s)",
                                                        t.score(),
                                                        t.viaForeignKey() ? ",fk" : ""))
                                        .toList());
                    }
                }
                m++;
            }
        }
        OUT.println();
        OUT.println("Recall: share of questions whose needed tables all appear in the context");
        OUT.println();
        OUT.println("| method | split | 1,000 tokens | 2,000 tokens | 4,000 tokens |");
        OUT.println("|---|---|---|---|---|");
        int m = 0;
        for (String name : methods.keySet()) {
            for (int s = 0; s < splits.length; s++) {
                StringBuilder row = new StringBuilder("| " + name + " | " + splits[s] + " (" + totals[s] + ")");
                for (int b = 0; b < BUDGETS.length; b++) {
                    row.append(String.format(
                            Locale.ROOT, " | %.1f%% (%d)", 100.0 * hits[m][s][b] / totals[s], hits[m][s][b]));
                }
                OUT.println(row.append(" |"));
            }
            m++;
        }
        OUT.println();
        for (int b = 0; b < BUDGETS.length; b++) {
            OUT.printf(
                    Locale.ROOT,
                    "Mean tokens used by our context at budget %,d: %.0f%n",
                    BUDGETS[b],
                    (double) tokensUsed[b] / questions.size());
        }
        OUT.printf(
                Locale.ROOT,
                "Mean time a context (ours, all budgets): %.2f ms%n",
                nanos[0] / 1e6 / questions.size() / BUDGETS.length);
        if (Boolean.getBoolean("bench.skipHostile")) {
            return;
        }
        // Hostile input: the analysis must stay linear in the question's length.
        String oneWord = "customers" + "x".repeat(1_000_000);
        String manyWords = "orders of customers with invoices ".repeat(30_000);
        for (String q : List.of(oneWord, manyWords)) {
            long best = Long.MAX_VALUE;
            for (int rep = 0; rep < 3; rep++) {
                long s0 = System.nanoTime();
                ours.build(q, 2_000);
                best = Math.min(best, System.nanoTime() - s0);
            }
            OUT.printf(
                    Locale.ROOT,
                    "build() on a %,d-character question (%s): best of 3 %.0f ms%n",
                    q.length(),
                    q.equals(oneWord) ? "one word" : "30,000 repeated phrases",
                    best / 1e6);
        }
    }

    private static void timing(Server server, ContextSchemaGenerator gen, List<Question> questions)
            throws SQLException {
        OUT.println();
        OUT.println("## Timing on " + REPLICAS_10K + " copies of the schema (" + REPLICAS_10K * gen.tableCount()
                + " tables)");
        long t0 = System.nanoTime();
        List<List<List<String>>> replicas = new ArrayList<>();
        List<List<String>> all = new ArrayList<>();
        for (int r = 0; r < REPLICAS_10K; r++) {
            replicas.add(gen.ddl(r));
            all.addAll(gen.ddl(r));
        }
        ensure(server, DB_10K, all, replicas.hashCode());
        OUT.println("Database ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        t0 = System.nanoTime();
        SchemaModel schema = PostgresDatabase.of(server.dataSource(DB_10K)).schema();
        OUT.println("Introspected " + schema.tables().size() + " tables in " + (System.nanoTime() - t0) / 1_000_000
                + " ms");
        TokenCounter counter = TokenCounter.defaultCounter();
        long full = schema.tables().stream()
                .mapToLong(t -> counter.count(plainBlock(t)))
                .sum();
        OUT.printf(Locale.ROOT, "Whole schema rendered = %,d tokens%n", full);
        long[] indexNs = new long[5];
        SchemaContextBuilder builder = null;
        for (int i = 0; i < indexNs.length; i++) {
            t0 = System.nanoTime();
            builder = SchemaContextBuilder.of(schema);
            indexNs[i] = System.nanoTime() - t0;
        }
        Arrays.sort(indexNs);
        OUT.printf(
                Locale.ROOT,
                "Index build (once per schema): first %.0f ms, median of %d runs %.0f ms%n",
                indexNs[indexNs.length - 1] / 1e6,
                indexNs.length,
                indexNs[indexNs.length / 2] / 1e6);
        SchemaContextBuilder b = Objects.requireNonNull(builder);
        for (int warm = 0; warm < 3; warm++) {
            for (Question q : questions) {
                b.build(q.question(), 2_000);
            }
        }
        for (int budget : BUDGETS) {
            List<Long> times = new ArrayList<>();
            for (int rep = 0; rep < 3; rep++) {
                for (Question q : questions) {
                    long s = System.nanoTime();
                    SchemaContext ctx = b.build(q.question(), budget);
                    times.add(System.nanoTime() - s);
                    if (ctx.tokens() > budget) {
                        throw new IllegalStateException("budget exceeded");
                    }
                }
            }
            times.sort(null);
            OUT.printf(
                    Locale.ROOT,
                    "build(question, %,d) over %d calls: p50 %.2f ms, p95 %.2f ms, max %.2f ms%n",
                    budget,
                    times.size(),
                    times.get(times.size() / 2) / 1e6,
                    times.get((int) (times.size() * 0.95)) / 1e6,
                    times.get(times.size() - 1) / 1e6);
        }
    }

    // ---- baselines -------------------------------------------------------------------------------------------

    /** Renders a table the plain way the baselines use: header, then one line a column with keys marked. */
    static String plainBlock(TableInfo t) {
        StringBuilder sb = new StringBuilder("TABLE ").append(t.qualifiedName());
        if (t.comment() != null) {
            sb.append(" -- ").append(t.comment());
        }
        sb.append('\n');
        Map<String, String> fks = new HashMap<>();
        for (ForeignKey fk : t.foreignKeys()) {
            for (int i = 0; i < fk.columns().size(); i++) {
                fks.put(
                        fk.columns().get(i),
                        fk.referencedQualifiedName() + "."
                                + fk.referencedColumns().get(i));
            }
        }
        for (ColumnInfo c : t.columns()) {
            sb.append("  ").append(c.name()).append(' ').append(c.type());
            if (t.primaryKey().contains(c.name())) {
                sb.append(" PK");
            }
            if (fks.containsKey(c.name())) {
                sb.append(" -> ").append(fks.get(c.name()));
            }
            if (c.comment() != null) {
                sb.append(" -- ").append(c.comment());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static List<Integer> catalogOrder(SchemaModel schema) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < schema.tables().size(); i++) {
            ids.add(i);
        }
        return ids;
    }

    private static final Set<String> BASELINE_STOPWORDS = Set.of(
            "a", "an", "the", "of", "in", "on", "at", "for", "with", "by", "and", "or", "to", "from", "how", "many",
            "much", "what", "which", "who", "is", "are", "was", "were", "do", "does", "did", "have", "has", "that",
            "this", "their", "our", "we", "me", "show", "list", "give", "each", "per", "s", "it", "its", "there",
            "than", "more", "most", "last", "all");

    /** Ranks tables by how many distinct question words occur among the words of their table and column names. */
    private static List<Integer> keywordOverlap(SchemaModel schema, String question) {
        Set<String> words = new LinkedHashSet<>();
        for (String w : question.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (!w.isEmpty() && !BASELINE_STOPWORDS.contains(w)) {
                words.add(w);
            }
        }
        int n = schema.tables().size();
        int[] score = new int[n];
        for (int i = 0; i < n; i++) {
            TableInfo t = schema.tables().get(i);
            Set<String> names = new HashSet<>(
                    Arrays.asList(t.name().toLowerCase(Locale.ROOT).split("_")));
            for (ColumnInfo c : t.columns()) {
                names.addAll(Arrays.asList(c.name().toLowerCase(Locale.ROOT).split("_")));
            }
            for (String w : words) {
                if (names.contains(w)) {
                    score[i]++;
                }
            }
        }
        List<Integer> ids = catalogOrder(schema);
        ids.removeIf(i -> score[i] == 0);
        ids.sort((a, b) -> score[b] != score[a] ? Integer.compare(score[b], score[a]) : Integer.compare(a, b));
        return ids;
    }

    private static final Map<SchemaModel, Map<Integer, Integer>> TOKENS = new java.util.IdentityHashMap<>();
    private static final Map<SchemaModel, Map<Integer, Integer>> COMPACT_TOKENS = new java.util.IdentityHashMap<>();

    /** Renders a table on one line, the cheapest way a plain ranker would: {@code schema.table(col, col, ...)}. */
    static String compactLine(TableInfo t) {
        StringBuilder sb = new StringBuilder(t.qualifiedName()).append('(');
        for (int i = 0; i < t.columns().size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(t.columns().get(i).name());
        }
        return sb.append(")\n").toString();
    }

    /** Adds tables in the given order, one line each, while they fit the budget; returns the names of those added. */
    private static Set<String> compactGreedy(
            List<Integer> order, SchemaModel schema, int budget, TokenCounter counter) {
        Map<Integer, Integer> cache = COMPACT_TOKENS.computeIfAbsent(schema, k -> new HashMap<>());
        Set<String> out = new HashSet<>();
        int used = 0;
        for (int id : order) {
            int tokens = cache.computeIfAbsent(
                    id, k -> counter.count(compactLine(schema.tables().get(k))));
            if (used + tokens <= budget) {
                used += tokens;
                out.add(schema.tables().get(id).qualifiedName());
            }
            if (budget - used < 5) {
                break;
            }
        }
        return out;
    }

    /** Adds tables in the given order while they fit the budget; returns the names of those added. */
    private static Set<String> greedy(List<Integer> order, SchemaModel schema, int budget, TokenCounter counter) {
        Map<Integer, Integer> cache = TOKENS.computeIfAbsent(schema, k -> new HashMap<>());
        Set<String> out = new HashSet<>();
        int used = 0;
        for (int id : order) {
            int tokens = cache.computeIfAbsent(
                    id, k -> counter.count(plainBlock(schema.tables().get(k))));
            if (used + tokens <= budget) {
                used += tokens;
                out.add(schema.tables().get(id).qualifiedName());
            }
            if (budget - used < 20) {
                break;
            }
        }
        return out;
    }

    // ---- data ------------------------------------------------------------------------------------------------

    private static void checkLabels(SchemaModel schema, List<Question> questions) {
        Set<String> names = new HashSet<>();
        schema.tables().forEach(t -> names.add(t.qualifiedName()));
        for (Question q : questions) {
            for (String t : q.tables()) {
                if (!names.contains(t)) {
                    throw new IllegalStateException("question " + q.id() + " names unknown table " + t);
                }
            }
        }
    }

    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|\\d+|\\[[^]]*])");

    static List<Question> loadQuestions() {
        String text;
        try (InputStream in = ContextBenchmark.class.getResourceAsStream("/context/questions.jsonl")) {
            Objects.requireNonNull(in, "context/questions.jsonl not found");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Question> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, String> f = new HashMap<>();
            Matcher m = FIELD.matcher(line);
            while (m.find()) {
                f.put(m.group(1), m.group(3) != null ? unescape(m.group(3)) : m.group(2));
            }
            List<String> tables = new ArrayList<>();
            for (String t : f.get("tables").replaceAll("[\\[\\]\" ]", "").split(",")) {
                tables.add(t);
            }
            out.add(new Question(Integer.parseInt(f.get("id")), f.get("split"), f.get("question"), tables));
        }
        return out;
    }

    private static String unescape(String s) {
        return s.replace("\\\"", "\"").replace("\\'", "'").replace("\\\\", "\\");
    }

    // ---- database --------------------------------------------------------------------------------------------

    /** Where the benchmark's databases live. */
    record Server(String host, int port, String user, String password, String adminDb) {
        String url(String db) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + db;
        }

        Connection connect(String db) throws SQLException {
            Properties p = new Properties();
            p.setProperty("user", user);
            if (!password.isEmpty()) {
                p.setProperty("password", password);
            }
            return DriverManager.getConnection(url(db), p);
        }

        DataSource dataSource(String db) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(url(db));
            ds.setUser(user);
            ds.setPassword(password);
            return ds;
        }

        String describe() {
            return url(adminDb) + " user=" + user;
        }
    }

    static Server server() {
        String url = System.getenv("PGAGENT_BENCH_JDBC_URL");
        if (url == null || url.isBlank()) {
            TestPostgres.Server s = TestPostgres.server();
            return new Server(s.host(), s.port(), s.user(), s.password(), s.defaultDatabase());
        }
        Matcher m = Pattern.compile("jdbc:postgresql://([^:/]+)(?::(\\d+))?/([^?]*).*")
                .matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "PGAGENT_BENCH_JDBC_URL must be jdbc:postgresql://host[:port]/db but" + " was " + url);
        }
        String user = Objects.requireNonNullElse(System.getenv("PGAGENT_BENCH_USER"), "postgres");
        String password = Objects.requireNonNullElse(System.getenv("PGAGENT_BENCH_PASSWORD"), "");
        return new Server(
                m.group(1),
                m.group(2) == null ? 5432 : Integer.parseInt(m.group(2)),
                user,
                password,
                m.group(3).isEmpty() ? "postgres" : m.group(3));
    }

    /**
     * Creates {@code db} from {@code ddl} (one transaction a list) unless a database built from the same DDL is
     * already there.
     */
    static void ensure(Server server, String db, List<List<String>> ddl, int ddlHash) throws SQLException {
        String fingerprint = "pgagent context benchmark " + Integer.toHexString(ddlHash);
        try (Connection admin = server.connect(server.adminDb())) {
            try (PreparedStatement ps = admin.prepareStatement(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ?")) {
                ps.setString(1, db);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && fingerprint.equals(rs.getString(1))) {
                        OUT.println("Reusing database " + db + " (" + fingerprint + ")");
                        return;
                    }
                }
            }
            try (Statement st = admin.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
                st.execute("CREATE DATABASE " + db);
            }
        }
        long t0 = System.nanoTime();
        try (Connection c = server.connect(db)) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (List<String> batch : ddl) {
                    int k = 0;
                    for (String sql : batch) {
                        st.addBatch(sql);
                        if (++k % 400 == 0) {
                            st.executeBatch();
                            c.commit();
                        }
                    }
                    st.executeBatch();
                    c.commit();
                }
                // Outside a transaction block ANALYZE takes one table at a time (few locks held at once).
                c.setAutoCommit(true);
                st.execute("ANALYZE");
            }
        }
        try (Connection admin = server.connect(server.adminDb());
                Statement st = admin.createStatement()) {
            st.execute("COMMENT ON DATABASE " + db + " IS '" + fingerprint + "'");
        }
        OUT.println("Created database " + db + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
}
