package dev.pgagent.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.audit.AuditChain;
import dev.pgagent.db.postgres.PostgresAuditSink;
import dev.pgagent.db.postgres.PostgresHistoryStore;
import dev.pgagent.db.postgres.PostgresSessionStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Two nodes sharing the PostgreSQL stores. The coordinator (this class) starts a scripted model on loopback
 * ({@link TwoNodeModel}, OpenAI's wire format) and two node JVMs ({@link TwoNodeMain}), each a {@code PostgresAgent}
 * with a {@link PostgresSessionStore}, a {@link PostgresHistoryStore} and a fail-closed {@link PostgresAuditSink} of
 * its own chain over one database, and runs, for many conversations at once:
 *
 * <ul>
 *   <li>read turns alternating between the nodes (the model checks each request carries the conversation so far; the
 *       answers must repeat the row the turn reads);
 *   <li>a write paused for confirmation on one node and approved on the other (applied exactly once), one paused on
 *       the other and declined on the first (nothing applied);
 *   <li>a write paused on one node that both nodes resume at the same instant: exactly one must win, the other must get
 *       {@code SessionConflictException} (or, if it came after the winner saved, the error that nothing waits);
 *   <li>a read asked on both nodes at the same instant: one runs, the other gets {@code SessionConflictException}
 *       (or runs after it, as a turn of its own; never both at once);
 *   <li>then a third node answers the first turn of up to 10 more conversations and is killed
 *       ({@code destroyForcibly}); the two others answer their next turns.
 * </ul>
 *
 * After stopping the nodes (which write what their sinks hold), it checks the shared tables: no session is left
 * claimed; the history holds every ask, completed; every audit chain verifies, each stopped node's chain holds exactly
 * the events the node recorded, and each conversation's records are in turn order by id and by event time, with each
 * statement executed once (the declined write never). It prints its figures and exits 1 if any promise broke. Run: {@code benchmarks/run
 * TwoNodeBenchmark [conversations [turns [threads]]]} (default 100, 6 and 8).
 */
public final class TwoNodeBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = "twonode";
    private static final Pattern READ = Pattern.compile("AND turn = (\\d+)");
    private static final Pattern WRITE = Pattern.compile("SET n = n \\+ (\\d+)");
    private static final Duration REPLY = Duration.ofMinutes(3);

    private TwoNodeBenchmark() {}

    /**
     * What one run is asked to do: {@code killed} more conversations start on a third node, which is then killed (0:
     * no third node); {@code loseOneRecord} deletes an audit record before the checks (to test them).
     */
    record Settings(int conversations, int turns, int threads, String database, int killed, boolean loseOneRecord) {
        Settings(int conversations, int turns, int threads, String database) {
            this(conversations, turns, threads, database, Math.min(conversations, 10), false);
        }

        Settings {
            if (conversations < 1 || turns < 1 || threads < 1 || killed < 0) {
                throw new IllegalArgumentException("conversations, turns and threads must be >= 1 and killed >= 0"
                        + " but were " + conversations + ", " + turns + ", " + threads + ", " + killed);
            }
        }
    }

    /** What one run measured and which promises broke. */
    static final class Report {
        final List<String> broken = new ArrayList<>();
        int conversations;
        int turns;
        long asks;
        long resumes;
        long wins;
        long conflicts;
        long lateLosers;
        long askConflicts;
        final Set<Integer> askedTwice = new java.util.TreeSet<>();
        long auditRows;
        long historyAsks;
        int killedConversations;
        long mainOps;
        long modelRequests;
        AuditChain.Verification verification;
        long[] askNanos = new long[0];
        long[] resumeNanos = new long[0];
        double scenarioSeconds;
        double wallSeconds;
        double startSeconds;
        final Map<String, Long> perChain = new TreeMap<>();

        boolean clean() {
            return broken.isEmpty();
        }

        void print(PrintStream out) {
            out.printf(
                    Locale.ROOT,
                    "conversations %d x (%d read turns, 3 writes, a read asked on both nodes): %d asks and resumes in %.1f s, %.1f asks/s;"
                            + " in all %d asks, %d resumes%n",
                    conversations,
                    turns,
                    mainOps,
                    scenarioSeconds,
                    mainOps / Math.max(scenarioSeconds, 1e-9),
                    asks,
                    resumes);
            if (killedConversations > 0) {
                out.printf(
                        Locale.ROOT,
                        "node c killed (destroyForcibly) after turn 0 of %d more conversations; nodes a and b went on"
                                + " with turns 1 and 2%n",
                        killedConversations);
            }
            out.printf(
                    Locale.ROOT,
                    "ask latency p50 %.1f ms, p99 %.1f ms; resume latency p50 %.1f ms, p99 %.1f ms%n",
                    pct(askNanos, 50) / 1e6,
                    pct(askNanos, 99) / 1e6,
                    pct(resumeNanos, 50) / 1e6,
                    pct(resumeNanos, 99) / 1e6);
            out.printf(
                    Locale.ROOT,
                    "racing resumes: %d won, %d lost with SessionConflictException, %d lost after the winner saved;"
                            + " racing asks: %d refused with SessionConflictException, %d ran after the other%n",
                    wins,
                    conflicts,
                    lateLosers,
                    askConflicts,
                    askedTwice.size());
            out.printf(
                    Locale.ROOT,
                    "audit rows %d %s; verify: %s; history asks %d; model requests %d%n",
                    auditRows,
                    perChain,
                    verification == null
                            ? "not run"
                            : verification.intact()
                                    ? "intact (" + verification.records() + " records)"
                                    : "BROKEN at " + verification.brokenAt() + ": " + verification.reason(),
                    historyAsks,
                    modelRequests);
            out.printf(Locale.ROOT, "wall time %.1f s (node start %.1f s)%n", wallSeconds, startSeconds);
            if (broken.isEmpty()) {
                out.println("all promises held");
            } else {
                out.println("BROKEN PROMISES: " + broken.size());
                broken.stream().limit(30).forEach(b -> out.println("  " + b));
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Settings settings = new Settings(
                args.length > 0 ? Integer.parseInt(args[0]) : 100,
                args.length > 1 ? Integer.parseInt(args[1]) : 6,
                args.length > 2 ? Integer.parseInt(args[2]) : 8,
                "twonode_bench");
        Report report = run(settings, System.out);
        report.print(System.out);
        System.out.flush();
        System.exit(report.clean() ? 0 : 1);
    }

    /** Runs the benchmark on a fresh database {@code settings.database()}, dropped at the end. */
    static Report run(Settings settings, PrintStream log) throws Exception {
        long wall0 = System.nanoTime();
        Report report = new Report();
        report.conversations = settings.conversations();
        report.turns = settings.turns();
        ContextBenchmark.Server server = ContextBenchmark.server();
        String db = settings.database();
        log.printf(
                Locale.ROOT,
                "Two nodes: %d conversations x %d turns, %d at once; %s; %d cores%n",
                settings.conversations(),
                settings.turns(),
                settings.threads(),
                server.describe(),
                Runtime.getRuntime().availableProcessors());
        long d0 = System.nanoTime();
        createDatabase(server, db, settings.conversations() + settings.killed(), settings.turns() + 4);
        log.printf(Locale.ROOT, "database %s created in %.1f s%n", db, (System.nanoTime() - d0) / 1e9);
        List<Node> nodes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try (TwoNodeModel model = new TwoNodeModel()) {
            long start0 = System.nanoTime();
            for (String name : List.of("a", "b")) {
                nodes.add(Node.start(name, model.baseUrl(), server, db));
                logs.add(nodes.get(nodes.size() - 1).log);
            }
            for (Node n : nodes) {
                n.ready.get(REPLY.toSeconds(), TimeUnit.SECONDS);
            }
            report.startSeconds = (System.nanoTime() - start0) / 1e9;
            Scenario scenario = new Scenario(settings, nodes, server, db);
            long t0 = System.nanoTime();
            scenario.runAll();
            report.scenarioSeconds = (System.nanoTime() - t0) / 1e9;
            report.mainOps = scenario.askNanos.size() + scenario.resumeNanos.size();
            log.printf(Locale.ROOT, "main scenario done in %.1f s%n", report.scenarioSeconds);
            long k0 = System.nanoTime();
            if (settings.killed() > 0) {
                Node third = Node.start("c", model.baseUrl(), server, db);
                logs.add(third.log);
                nodes.add(third);
                third.ready.get(REPLY.toSeconds(), TimeUnit.SECONDS);
                scenario.killed(third, settings.conversations(), settings.killed());
                nodes.remove(third);
            }
            report.killedConversations = settings.killed();
            report.broken.addAll(scenario.broken);
            report.asks = scenario.askNanos.size();
            report.resumes = scenario.resumeNanos.size();
            report.askNanos =
                    scenario.askNanos.stream().mapToLong(Long::longValue).toArray();
            report.resumeNanos =
                    scenario.resumeNanos.stream().mapToLong(Long::longValue).toArray();
            report.wins = scenario.wins.get();
            report.conflicts = scenario.conflicts.get();
            report.lateLosers = scenario.lateLosers.get();
            report.askConflicts = scenario.askConflicts.get();
            report.askedTwice.addAll(scenario.askedTwice);
            report.broken.addAll(model.problems());
            report.modelRequests = model.requests();
            Map<String, JsonNode> stopped = new TreeMap<>();
            log.printf(Locale.ROOT, "killed-node phase done in %.1f s%n", (System.nanoTime() - k0) / 1e9);
            long s0 = System.nanoTime();
            for (Node n : List.copyOf(nodes)) {
                JsonNode r = n.stop();
                stopped.put(r.path("chain").asText(), r);
                if (!r.path("ok").asBoolean()) {
                    report.broken.add("node " + n.name + " did not stop cleanly: " + r);
                }
            }
            if (settings.loseOneRecord()) {
                // the checks' own test: a record lost after the node recorded it must be found
                try (Connection c = server.connect(db);
                        Statement st = c.createStatement()) {
                    st.execute("DELETE FROM " + SCHEMA + ".audit_events WHERE id = (SELECT max(id) FROM " + SCHEMA
                            + ".audit_events WHERE chain = 'node-b' AND type = 'QUERY_EXECUTED')");
                }
            }
            log.printf(Locale.ROOT, "nodes stopped in %.1f s%n", (System.nanoTime() - s0) / 1e9);
            long c0 = System.nanoTime();
            checkAudit(server.dataSource(db), stopped, settings, report);
            log.printf(Locale.ROOT, "checks done in %.1f s%n", (System.nanoTime() - c0) / 1e9);
        } finally {
            for (Node n : nodes) {
                n.kill();
            }
            if (!Boolean.getBoolean("twonode.keep")) {
                dropDatabase(server, db);
            }
        }
        report.wallSeconds = (System.nanoTime() - wall0) / 1e9;
        if (report.clean()) {
            for (Path p : logs) {
                Files.deleteIfExists(p);
            }
        } else {
            log.println("node logs (stderr): " + logs);
        }
        return report;
    }

    private static void createDatabase(ContextBenchmark.Server server, String db, int conversations, int turns)
            throws SQLException {
        dropDatabase(server, db);
        try (Connection admin = server.connect(server.adminDb());
                Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        try (Connection c = server.connect(db);
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE items (conv int, turn int, word text, PRIMARY KEY (conv, turn))");
            st.execute("INSERT INTO items SELECT c, t, " + wordSql("c", "t") + " FROM generate_series(0, "
                    + (conversations - 1) + ") c, generate_series(0, " + (turns - 1) + ") t");
            st.execute("CREATE TABLE counters (conv int PRIMARY KEY, n int NOT NULL)");
            st.execute("INSERT INTO counters SELECT c, 0 FROM generate_series(0, " + (conversations - 1) + ") c");
        }
        DataSource ds = server.dataSource(db);
        PostgresSessionStore.builder().dataSource(ds).schema(SCHEMA).build().migrate();
        PostgresHistoryStore.builder().dataSource(ds).schema(SCHEMA).build().migrate();
        PostgresAuditSink.builder().dataSource(ds).schema(SCHEMA).build().close();
    }

    /** The word of turn {@code t} of conversation {@code c}, in SQL; {@link #word} computes the same. */
    private static String wordSql(String c, String t) {
        return "'W' || " + c + " || 'T' || " + t + " || 'V' || ((" + c + " * 7919 + " + t + " * 104729) % 100000)";
    }

    static String word(int conv, int turn) {
        return "W" + conv + "T" + turn + "V" + ((conv * 7919L + turn * 104729L) % 100000);
    }

    private static void dropDatabase(ContextBenchmark.Server server, String db) throws SQLException {
        try (Connection admin = server.connect(server.adminDb());
                Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    /** The conversations, run concurrently. */
    private static final class Scenario {
        final Settings settings;
        final List<Node> nodes;
        final DataSource ds;
        final Queue<String> broken = new ConcurrentLinkedQueue<>();
        final Queue<Long> askNanos = new ConcurrentLinkedQueue<>();
        final Queue<Long> resumeNanos = new ConcurrentLinkedQueue<>();
        final AtomicLong wins = new AtomicLong();
        final AtomicLong conflicts = new AtomicLong();
        final AtomicLong lateLosers = new AtomicLong();
        final AtomicLong askConflicts = new AtomicLong();
        final Set<Integer> askedTwice = ConcurrentHashMap.newKeySet();

        Scenario(Settings settings, List<Node> nodes, ContextBenchmark.Server server, String db) {
            this.settings = settings;
            this.nodes = nodes;
            this.ds = new BenchmarkPool(server.dataSource(db));
        }

        void runAll() throws InterruptedException {
            inParallel(0, settings.conversations(), this::conversation);
        }

        /**
         * Runs turn 0 of conversations {@code first..first+count-1} on node {@code c}, kills {@code c}, and runs
         * their turns 1 and 2 on the other nodes.
         */
        void killed(Node c, int first, int count) throws InterruptedException {
            inParallel(first, count, conv -> read(c, conv, 0));
            c.kill();
            if (!c.process.waitFor(REPLY.toSeconds(), TimeUnit.SECONDS)) {
                broken.add("node c did not die");
            }
            inParallel(first, count, conv -> {
                if (read(node(conv + 1), conv, 1)) {
                    read(node(conv), conv, 2);
                }
            });
        }

        interface Conversation {
            void run(int conv) throws Exception;
        }

        private void inParallel(int first, int count, Conversation task) throws InterruptedException {
            ExecutorService pool = Executors.newFixedThreadPool(settings.threads());
            List<Future<?>> runs = new ArrayList<>();
            for (int c = first; c < first + count; c++) {
                int conv = c;
                runs.add(pool.submit(() -> {
                    try {
                        task.run(conv);
                    } catch (Exception e) {
                        broken.add("c" + conv + ": " + e);
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                try {
                    f.get(30, TimeUnit.MINUTES);
                } catch (ExecutionException | TimeoutException e) {
                    broken.add("a conversation did not end: " + e);
                }
            }
            pool.shutdownNow();
        }

        private Node node(int i) {
            return nodes.get(Math.floorMod(i, 2));
        }

        void conversation(int conv) throws Exception {
            String session = "conv-" + conv;
            int turns = settings.turns();
            for (int k = 0; k < turns; k++) {
                // conversations start on alternating nodes so that both are busy from the start
                if (!read(node(conv + k), conv, k)) {
                    return;
                }
            }
            Node x = node(conv + turns);
            Node y = node(conv + turns + 1);
            // write 1: paused on x, approved on y
            String pending = paused(x, session, conv, 1);
            if (pending == null) {
                return;
            }
            JsonNode r = y.resume(session, pending, "approve", 0);
            if (!completed(r, "c" + conv + " w1 resume")) {
                return;
            }
            resumeNanos.add(r.path("nanos").asLong());
            checkCounter(conv, 10, "w1 approved on the other node");
            // write 2: paused on y, declined on x
            pending = paused(y, session, conv, 2);
            if (pending == null) {
                return;
            }
            r = x.resume(session, pending, "decline", 0);
            if (!completed(r, "c" + conv + " w2 resume")) {
                return;
            }
            resumeNanos.add(r.path("nanos").asLong());
            checkCounter(conv, 10, "w2 declined on the other node");
            // write 3: paused on x, both resume at once
            pending = paused(x, session, conv, 3);
            if (pending == null) {
                return;
            }
            long at = System.currentTimeMillis() + 100;
            CompletableFuture<JsonNode> rx = x.send(resume(session, pending, at));
            CompletableFuture<JsonNode> ry = y.send(resume(session, pending, at));
            List<JsonNode> outcomes =
                    List.of(rx.get(REPLY.toSeconds(), TimeUnit.SECONDS), ry.get(REPLY.toSeconds(), TimeUnit.SECONDS));
            int won = 0;
            for (JsonNode o : outcomes) {
                if (o.path("ok").asBoolean() && o.path("status").asText().equals("COMPLETED")) {
                    won++;
                    wins.incrementAndGet();
                    resumeNanos.add(o.path("nanos").asLong());
                } else if (o.path("error").asText().equals("SessionConflictException")) {
                    conflicts.incrementAndGet();
                } else if (o.path("error").asText().equals("IllegalStateException")
                        && o.path("message").asText().contains("waits for none")) {
                    lateLosers.incrementAndGet();
                } else {
                    broken.add("c" + conv + " w3 race: unexpected outcome " + o);
                }
            }
            if (won != 1) {
                broken.add("c" + conv + " w3 race: " + won + " of 2 resumes won, not exactly 1: " + outcomes);
            }
            checkCounter(conv, 110, "w3 resumed by both nodes at once");
            askedByBoth(conv, session, x, y);
        }

        /** Asks one read (turn {@code turns + 3}) on both nodes at the same instant: one must run, alone. */
        private void askedByBoth(int conv, String session, Node x, Node y) throws Exception {
            int k = settings.turns() + 3;
            String question = "[c" + conv + " t" + k + "/" + settings.turns() + "] What is the word of turn " + k + "?";
            long at = System.currentTimeMillis() + 100;
            List<CompletableFuture<JsonNode>> sent =
                    List.of(x.send(ask(session, question, at)), y.send(ask(session, question, at)));
            List<JsonNode> ran = new ArrayList<>();
            for (CompletableFuture<JsonNode> f : sent) {
                JsonNode o = f.get(REPLY.toSeconds(), TimeUnit.SECONDS);
                if (o.path("ok").asBoolean() && o.path("status").asText().equals("COMPLETED")) {
                    ran.add(o);
                    askNanos.add(o.path("nanos").asLong());
                    String expected = TwoNodeModel.readAnswer(conv, k, word(conv, k));
                    if (!o.path("answer").asText().contains(expected)) {
                        broken.add("c" + conv + " t" + k + ": wrong answer " + o);
                    }
                } else if (o.path("error").asText().equals("SessionConflictException")) {
                    askConflicts.incrementAndGet();
                } else {
                    broken.add("c" + conv + " t" + k + " asked on both nodes: unexpected outcome " + o);
                }
            }
            if (ran.isEmpty()) {
                broken.add("c" + conv + " t" + k + " asked on both nodes: neither ran");
            } else if (ran.size() == 2) {
                JsonNode a = ran.get(0);
                JsonNode b = ran.get(1);
                if (a.path("startMs").asLong() < b.path("endMs").asLong()
                        && b.path("startMs").asLong() < a.path("endMs").asLong()) {
                    broken.add("c" + conv + " t" + k + " asked on both nodes: both ran at once " + ran);
                } else {
                    // the second came after the first had saved: a turn of its own, not a conflict
                    askedTwice.add(conv);
                }
            }
        }

        private static ObjectNode ask(String session, String question, long at) {
            return JSON.createObjectNode()
                    .put("op", "ask")
                    .put("session", session)
                    .put("question", question)
                    .put("at", at);
        }

        /** Runs read turn {@code k} of conversation {@code conv} on {@code node}; returns whether it went right. */
        private boolean read(Node node, int conv, int k) throws Exception {
            JsonNode r = node.ask("conv-" + conv, "[c" + conv + " t" + k + "] What is the word of turn " + k + "?");
            if (!completed(r, "c" + conv + " t" + k)) {
                return false;
            }
            askNanos.add(r.path("nanos").asLong());
            String expected = TwoNodeModel.readAnswer(conv, k, word(conv, k));
            if (!r.path("answer").asText().contains(expected)) {
                broken.add("c" + conv + " t" + k + ": wrong answer '"
                        + r.path("answer").asText() + "', expected '" + expected + "'");
                return false;
            }
            return true;
        }

        private static ObjectNode resume(String session, String pending, long at) {
            ObjectNode c = JSON.createObjectNode()
                    .put("op", "resume")
                    .put("session", session)
                    .put("at", at);
            c.putObject("decisions").put(pending, "approve");
            return c;
        }

        /** Asks write {@code write} on {@code node}; returns the id of the confirmation it waits for, or null. */
        private String paused(Node node, String session, int conv, int write) throws Exception {
            JsonNode r = node.ask(
                    session,
                    "[c" + conv + " w" + write + "/" + settings.turns() + "] Add " + TwoNodeModel.increment(write)
                            + " to the counter.");
            String what = "c" + conv + " w" + write;
            if (!r.path("ok").asBoolean()) {
                broken.add(what + ": the ask failed: " + r);
                return null;
            }
            askNanos.add(r.path("nanos").asLong());
            if (!r.path("status").asText().equals("WAITING_FOR_CONFIRMATION")
                    || r.path("pending").size() != 1) {
                broken.add(what + ": expected to wait for one confirmation but was " + r);
                return null;
            }
            return r.path("pending").get(0).asText();
        }

        private boolean completed(JsonNode r, String what) {
            if (!r.path("ok").asBoolean() || !r.path("status").asText().equals("COMPLETED")) {
                broken.add(what + ": expected COMPLETED but was " + r);
                return false;
            }
            return true;
        }

        private void checkCounter(int conv, int expected, String what) throws SQLException {
            try (Connection c = ds.getConnection();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT n FROM counters WHERE conv = " + conv)) {
                rs.next();
                int n = rs.getInt(1);
                if (n != expected) {
                    broken.add("c" + conv + " " + what + ": counter is " + n + ", expected " + expected);
                }
            }
        }
    }

    /**
     * Checks the shared audit table: the chains verify, each node's chain holds what the node recorded, and each
     * conversation's records are in turn order.
     */
    private static void checkAudit(DataSource ds, Map<String, JsonNode> nodes, Settings settings, Report report)
            throws SQLException {
        report.verification = PostgresAuditSink.verify(ds, SCHEMA);
        if (!report.verification.intact()) {
            report.broken.add(
                    "audit chain broken at " + report.verification.brokenAt() + ": " + report.verification.reason());
        }
        Map<String, Map<String, Long>> counted = new HashMap<>();
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            try (ResultSet rs =
                    st.executeQuery("SELECT chain, type, count(*) FROM " + SCHEMA + ".audit_events GROUP BY 1, 2")) {
                while (rs.next()) {
                    counted.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
                            .put(rs.getString(2), rs.getLong(3));
                    report.auditRows += rs.getLong(3);
                    report.perChain.merge(rs.getString(1), rs.getLong(3), Long::sum);
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT session_id, count(*), count(*) FILTER (WHERE status ="
                    + " 'COMPLETED') FROM " + SCHEMA + ".asks GROUP BY 1")) {
                Map<String, long[]> asks = new HashMap<>();
                while (rs.next()) {
                    asks.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
                    report.historyAsks += rs.getLong(2);
                }
                for (int conv = 0; conv < settings.conversations() + settings.killed(); conv++) {
                    long[] n = asks.getOrDefault("conv-" + conv, new long[2]);
                    int expected = conv < settings.conversations()
                            ? settings.turns() + 4 + (report.askedTwice.contains(conv) ? 1 : 0)
                            : 3;
                    if (n[0] != expected || n[1] != n[0]) {
                        report.broken.add("conv-" + conv + ": the history holds " + n[0] + " asks (" + n[1]
                                + " completed), expected " + expected + ", all completed");
                    }
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT string_agg(id, ', ') FROM " + SCHEMA
                    + ".sessions WHERE substring(state FROM 1 FOR 4) = 'PGAB'::bytea")) {
                rs.next();
                if (rs.getString(1) != null) {
                    report.broken.add("sessions left claimed (busy) after every command ended: " + rs.getString(1));
                }
            }
            for (Map.Entry<String, JsonNode> n : nodes.entrySet()) {
                Map<String, Long> inTable = counted.getOrDefault(n.getKey(), Map.of());
                Map<String, Long> recorded = new TreeMap<>();
                n.getValue()
                        .path("audited")
                        .properties()
                        .forEach(e -> recorded.put(e.getKey(), e.getValue().asLong()));
                if (!recorded.equals(inTable)) {
                    report.broken.add("chain " + n.getKey() + ": the node recorded " + recorded + " but the table"
                            + " holds " + inTable);
                }
                long executed = n.getValue().path("executed").asLong();
                long executedRows = inTable.getOrDefault("QUERY_EXECUTED", 0L);
                if (executed != executedRows) {
                    report.broken.add("chain " + n.getKey() + ": the node reported " + executed + " executed"
                            + " statements but the table holds " + executedRows + " QUERY_EXECUTED records");
                }
            }
            checkOrder(st, settings, report);
        }
    }

    /**
     * Per conversation: in id order, the statements' steps never go back and the event times never go back; each read
     * ran once, the approved and the raced write once each, the declined one never.
     */
    private static void checkOrder(Statement st, Settings settings, Report report) throws SQLException {
        int turns = settings.turns();
        Map<String, List<String[]>> bySession = new HashMap<>();
        try (ResultSet rs = st.executeQuery("SELECT session_id, id, event_time, type, sql FROM " + SCHEMA
                + ".audit_events WHERE session_id IS NOT NULL ORDER BY session_id, id")) {
            while (rs.next()) {
                bySession
                        .computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new String[] {rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)});
            }
        }
        for (int conv = 0; conv < settings.conversations() + settings.killed(); conv++) {
            String session = "conv-" + conv;
            boolean killed = conv >= settings.conversations();
            List<String[]> rows = bySession.getOrDefault(session, List.of());
            Instant lastTime = Instant.MIN;
            int lastStep = -1;
            int[] executed = new int[turns + 4];
            for (String[] row : rows) {
                Instant time = Instant.parse(row[1]);
                if (time.isBefore(lastTime)) {
                    report.broken.add(session + ": audit row " + row[0] + " (" + row[2] + ") has an earlier event time"
                            + " than the row before it");
                }
                lastTime = time;
                if (row[3] == null) {
                    continue;
                }
                int step = step(row[3], turns);
                if (step < lastStep) {
                    report.broken.add(session + ": audit row " + row[0] + " (" + row[2] + ", step " + step
                            + ") comes after step " + lastStep);
                }
                lastStep = Math.max(lastStep, step);
                if (row[2].equals("QUERY_EXECUTED") && step >= 0) {
                    executed[step]++;
                }
            }
            int[] expected = new int[turns + 4];
            Arrays.fill(expected, 1);
            expected[turns + 1] = 0; // the declined write
            expected[turns + 3] = report.askedTwice.contains(conv) ? 2 : 1; // the read asked on both nodes
            if (killed) {
                Arrays.fill(expected, 0);
                Arrays.fill(expected, 0, 3, 1); // three reads, the first on the killed node
            }
            if (!Arrays.equals(executed, expected)) {
                report.broken.add(session + ": statements executed per step (reads, w1, w2, w3, read on both) "
                        + Arrays.toString(executed) + ", expected " + Arrays.toString(expected));
            }
        }
    }

    /** Returns the step of the conversation a statement belongs to: its turn, or turns + write - 1. */
    private static int step(String sql, int turns) {
        Matcher read = READ.matcher(sql);
        if (read.find()) {
            return Integer.parseInt(read.group(1));
        }
        Matcher write = WRITE.matcher(sql);
        if (write.find()) {
            return switch (write.group(1)) {
                case "10" -> turns;
                case "1000" -> turns + 1;
                default -> turns + 2;
            };
        }
        return -1;
    }

    /** One node JVM, talked to over its stdin and stdout. */
    private static final class Node {
        final String name;
        final Process process;
        final Path log;
        private final Writer in;
        private final Object writing = new Object();
        final CompletableFuture<JsonNode> ready = new CompletableFuture<>();
        private final Map<Long, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
        private final AtomicInteger ids = new AtomicInteger();

        private Node(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(this::read, "twonode-read-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        static Node start(String name, String modelUrl, ContextBenchmark.Server server, String db) throws IOException {
            Path log = Files.createTempFile("twonode-" + name + "-", ".log");
            ProcessBuilder pb = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-cp",
                    classPath(),
                    TwoNodeMain.class.getName(),
                    name,
                    modelUrl,
                    server.url(db),
                    SCHEMA);
            pb.environment().put("TWONODE_PG_USER", server.user());
            pb.environment().put("TWONODE_PG_PASSWORD", server.password());
            pb.redirectError(log.toFile());
            return new Node(name, pb.start(), log);
        }

        private void read() {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    JsonNode r = JSON.readTree(line);
                    if (r.has("ready")) {
                        ready.complete(r);
                        continue;
                    }
                    CompletableFuture<JsonNode> f = waiting.remove(r.path("id").asLong());
                    if (f != null) {
                        f.complete(r);
                    }
                }
            } catch (IOException e) {
                // the node went away; fail what waits below
            }
            IllegalStateException gone = new IllegalStateException("node " + name + " exited; its log: " + log);
            ready.completeExceptionally(gone);
            waiting.values().forEach(f -> f.completeExceptionally(gone));
        }

        CompletableFuture<JsonNode> send(ObjectNode command) throws IOException {
            long id = ids.incrementAndGet();
            command.put("id", id);
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            waiting.put(id, f);
            synchronized (writing) {
                in.write(command.toString());
                in.write('\n');
                in.flush();
            }
            if (!process.isAlive() && waiting.remove(id) != null) {
                f.completeExceptionally(new IllegalStateException("node " + name + " is not running; log: " + log));
            }
            return f;
        }

        JsonNode ask(String session, String question) throws Exception {
            return send(JSON.createObjectNode()
                            .put("op", "ask")
                            .put("session", session)
                            .put("question", question))
                    .get(REPLY.toSeconds(), TimeUnit.SECONDS);
        }

        JsonNode resume(String session, String pending, String decision, long at) throws Exception {
            ObjectNode c = JSON.createObjectNode()
                    .put("op", "resume")
                    .put("session", session)
                    .put("at", at);
            c.putObject("decisions").put(pending, decision);
            return send(c).get(REPLY.toSeconds(), TimeUnit.SECONDS);
        }

        JsonNode stop() throws Exception {
            JsonNode r = send(JSON.createObjectNode().put("op", "stop")).get(REPLY.toSeconds(), TimeUnit.SECONDS);
            if (!process.waitFor(REPLY.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("node " + name + " did not exit after stop; log: " + log);
            }
            return r;
        }

        void kill() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * The class path of this program, for the node JVMs: the entries of the class loader that loaded it when that is a
     * URL class loader (as under {@code mvn exec:java}), else {@code java.class.path}.
     */
    static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        if (TwoNodeBenchmark.class.getClassLoader() instanceof URLClassLoader u) {
            for (URL url : u.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    // not a file: the node cannot use it either
                }
            }
        }
        return entries.isEmpty()
                ? System.getProperty("java.class.path")
                : String.join(java.io.File.pathSeparator, entries);
    }

    private static double pct(long[] values, int p) {
        return HistoryBenchmark.pct(values, p);
    }
}
