package dev.pgagent.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentListener;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentSession;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.llm.openai.OpenAiLlmClient;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * What {@link LoadBenchmark} and {@link FaultBenchmark} share: a scripted model served on loopback in OpenAI's
 * chat-completions wire format, a HikariCP pool, the agent over both, concurrent sessions that ask and time each ask
 * (split into model time, statement time and the agent's own overhead from listener events), and the measures of
 * heap, threads and connections.
 */
final class LoadHarness {
    /** The {@code application_name} of every connection the benchmarks open, to find their backends. */
    static final String APP = "pgagent-load-bench";

    private LoadHarness() {}

    /**
     * A model on loopback speaking OpenAI's chat completions (no streaming): for a question holding {@code Q[read:N]}
     * it calls {@code execute_query} with a count over {@code load_items}; for {@code Q[transfer:TAG:AMOUNT]} an
     * UPDATE moving AMOUNT between accounts 1 and 2 and tagging it; after a tool result it answers. Each answer waits
     * the latency first. Its mode injects faults: HTTP 500/503, a stall past the client's read timeout, malformed
     * JSON.
     */
    static final class ScriptedModel implements AutoCloseable {
        enum Mode {
            OK,
            SERVER_ERROR,
            STALL,
            MALFORMED
        }

        private static final Pattern ROLE = Pattern.compile("\"role\"\\s*:\\s*\"(\\w+)\"");
        private static final Pattern QUESTION = Pattern.compile("Q\\[([a-z]+):([^\\]]*)\\]");
        private final HttpServer server;
        private final ExecutorService workers;
        private final long latencyMs;
        private final Object stallLock = new Object();
        private volatile Mode mode = Mode.OK;
        private final AtomicLong requests = new AtomicLong();
        private final AtomicLong faulted = new AtomicLong();
        private final AtomicLong ids = new AtomicLong();

        ScriptedModel(int threads, long latencyMs) throws IOException {
            this.latencyMs = latencyMs;
            AtomicInteger n = new AtomicInteger();
            this.workers = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "scripted-model-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            server.setExecutor(workers);
            server.createContext("/v1/chat/completions", this::handle);
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
        }

        void mode(Mode mode) {
            synchronized (stallLock) {
                this.mode = mode;
                stallLock.notifyAll();
            }
        }

        long requests() {
            return requests.get();
        }

        long faulted() {
            return faulted.get();
        }

        private void handle(HttpExchange ex) throws IOException {
            try {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                requests.incrementAndGet();
                Mode m = mode;
                if (m == Mode.SERVER_ERROR) {
                    faulted.incrementAndGet();
                    send(
                            ex,
                            ids.incrementAndGet() % 2 == 0 ? 500 : 503,
                            "{\"error\":{\"message\":\"scripted outage\"," + "\"type\":\"server_error\"}}");
                    return;
                }
                if (m == Mode.MALFORMED) {
                    faulted.incrementAndGet();
                    send(ex, 200, "{\"id\":\"chatcmpl-x\",\"choices\":[{\"message\":{\"role\":\"assistant\",\"content");
                    return;
                }
                if (m == Mode.STALL) {
                    faulted.incrementAndGet();
                    synchronized (stallLock) {
                        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                        while (mode == Mode.STALL && System.nanoTime() < end) {
                            stallLock.wait(200);
                        }
                    }
                }
                Thread.sleep(latencyMs);
                send(ex, 200, answer(body));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the client went away (read timeout, cancelled ask): nothing to answer
            } finally {
                ex.close();
            }
        }

        private String answer(String body) {
            String lastRole = "";
            for (Matcher r = ROLE.matcher(body); r.find(); ) {
                lastRole = r.group(1);
            }
            long id = ids.incrementAndGet();
            if (lastRole.equals("tool")) {
                return completion(id, "{\"role\":\"assistant\",\"content\":\"Done.\"}", "stop");
            }
            String kind = "read";
            String arg = "0";
            for (Matcher q = QUESTION.matcher(body); q.find(); ) {
                kind = q.group(1);
                arg = q.group(2);
            }
            String arguments = "{\"sql\":\"" + sql(kind, arg) + "\"}";
            return completion(
                    id,
                    "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_" + id
                            + "\",\"type\":\"function\",\"function\":{\"name\":\"execute_query\",\"arguments\":"
                            + jsonString(arguments) + "}}]}",
                    "tool_calls");
        }

        private static String sql(String kind, String arg) {
            if (kind.equals("transfer")) {
                String[] p = arg.split(":", 2);
                return "UPDATE load_accounts SET balance = balance + CASE WHEN id = 1 THEN -" + p[1] + " ELSE " + p[1]
                        + " END, last_tag = '" + p[0] + "' WHERE id IN (1, 2)";
            }
            return "SELECT count(*) FROM load_items WHERE region = " + arg;
        }

        private static String completion(long id, String message, String finish) {
            return "{\"id\":\"chatcmpl-" + id + "\",\"object\":\"chat.completion\",\"created\":1700000000,"
                    + "\"model\":\"scripted\",\"choices\":[{\"index\":0,\"message\":" + message
                    + ",\"finish_reason\":\"" + finish + "\"}],\"usage\":{\"prompt_tokens\":900,"
                    + "\"completion_tokens\":20,\"total_tokens\":920}}";
        }

        private static String jsonString(String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }

        private static void send(HttpExchange ex, int code, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(code, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }

        /** Stops the server and its threads. */
        @Override
        public void close() {
            mode(Mode.OK);
            server.stop(0);
            workers.shutdownNow();
            try {
                workers.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The OpenAI adapter, over HTTP, pointed at the scripted model, on a host OkHttp client whose connection pool
     * ({@code http}) keeps one idle connection a session; the caller empties it at the end
     * ({@link ConnectionPool#evictAll()}), so that OkHttp's housekeeping threads can end.
     */
    static LlmClient openAi(
            ScriptedModel model, ConnectionPool http, int concurrency, Duration readTimeout, int attempts) {
        return OpenAiLlmClient.builder()
                .httpClient(new OkHttpClient.Builder().connectionPool(http).build())
                .baseUrl(model.baseUrl())
                .apiKey("sk-load-bench")
                .model("scripted")
                .streaming(false)
                .maxConcurrentRequests(concurrency)
                .readTimeout(readTimeout)
                .callTimeout(readTimeout.multipliedBy(2))
                .maxAttempts(attempts)
                .initialBackoff(Duration.ofMillis(100))
                .build();
    }

    /** A HikariCP pool of {@code size} connections, each named {@link #APP} in {@code pg_stat_activity}. */
    static HikariDataSource pool(String jdbcUrl, String user, String password, int size, Duration connectionTimeout) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(jdbcUrl);
        c.setUsername(user);
        if (!password.isEmpty()) {
            c.setPassword(password);
        }
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(size);
        c.setConnectionTimeout(connectionTimeout.toMillis());
        c.setValidationTimeout(Math.min(1000, connectionTimeout.toMillis() / 2));
        c.setPoolName("load-bench-" + size);
        c.addDataSourceProperty("ApplicationName", APP);
        c.setInitializationFailTimeout(30_000);
        return new HikariDataSource(c);
    }

    /** The benchmark's tables: 10,000 items in 50 regions; two accounts and the log of tagged transfers. */
    static void createTables(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection();
                java.sql.Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS load_items, load_accounts, load_transfer_log CASCADE");
            st.execute("CREATE TABLE load_items AS SELECT g AS id, g % 50 AS region FROM generate_series(1, 10000) g");
            st.execute("CREATE TABLE load_accounts (id int PRIMARY KEY, balance bigint NOT NULL, last_tag text)");
            st.execute("INSERT INTO load_accounts VALUES (1, 1000000, NULL), (2, 1000000, NULL)");
            st.execute("CREATE TABLE load_transfer_log (tag text PRIMARY KEY)");
            st.execute("CREATE OR REPLACE FUNCTION load_log_transfer() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$BEGIN INSERT INTO load_transfer_log VALUES (NEW.last_tag); RETURN NEW; END$$");
            st.execute("CREATE TRIGGER load_log_transfer AFTER UPDATE ON load_accounts FOR EACH ROW"
                    + " WHEN (NEW.id = 1) EXECUTE FUNCTION load_log_transfer()");
            st.execute("ANALYZE load_items");
        }
    }

    /**
     * Times each ask's model calls and statements, from the listener's events, per session (a session runs one ask
     * at a time): model time is from each {@code ModelCallStarted} to its {@code ModelCallFinished}, statement time
     * from each {@code StatementStarted} to its {@code StatementFinished} (a confirmed write's dry run and
     * confirmation included).
     */
    static final class Timings implements AgentListener {
        private final Map<String, long[]> bySession = new ConcurrentHashMap<>();

        @Override
        public void onEvent(AgentEvent e) {
            long now = System.nanoTime();
            long[] t = bySession.computeIfAbsent(e.sessionId(), k -> new long[4]);
            synchronized (t) {
                if (e instanceof AgentEvent.AskStarted) {
                    Arrays.fill(t, 0);
                } else if (e instanceof AgentEvent.ModelCallStarted) {
                    t[2] = now;
                } else if (e instanceof AgentEvent.ModelCallFinished) {
                    t[0] += now - t[2];
                } else if (e instanceof AgentEvent.StatementStarted) {
                    t[3] = now;
                } else if (e instanceof AgentEvent.StatementFinished) {
                    t[1] += now - t[3];
                }
            }
        }

        /** Returns the model and statement nanoseconds of the session's last ask. */
        long[] of(String sessionId) {
            long[] t = bySession.getOrDefault(sessionId, new long[4]);
            synchronized (t) {
                return new long[] {t[0], t[1]};
            }
        }

        void clear() {
            bySession.clear();
        }
    }

    /**
     * One ask as the host saw it.
     *
     * @param kind read or transfer
     * @param status how it ended, or null when it threw
     * @param exception the exception's class name when it threw, else null
     * @param typed whether it ended with a status or an exception of {@code dev.pgagent.api}
     * @param statementsOk whether every statement it ran was EXECUTED (and it ran one)
     * @param startNanos when it started (System.nanoTime)
     * @param nanos how long it took
     * @param modelNanos time in model calls
     * @param statementNanos time in statements
     * @param detail why it did not complete cleanly (the error, the failed statement's message), or null
     */
    record Ask(
            String kind,
            AgentStatus status,
            String exception,
            boolean typed,
            boolean statementsOk,
            long startNanos,
            long nanos,
            long modelNanos,
            long statementNanos,
            String detail) {
        boolean clean() {
            return status == AgentStatus.COMPLETED && statementsOk;
        }

        long overheadNanos() {
            return nanos - modelNanos - statementNanos;
        }

        /** COMPLETED, COMPLETED/statement-failed, another status, or the exception's class. */
        String outcome() {
            if (status == null) {
                return "threw " + exception;
            }
            return status == AgentStatus.COMPLETED && !statementsOk ? "COMPLETED, statement failed" : status.name();
        }
    }

    /**
     * A round of asks.
     *
     * @param asks every ask that ended
     * @param hung how many asks were still running past the hang limit (their sessions were abandoned)
     * @param seconds wall time of the round
     */
    record Round(List<Ask> asks, int hung, double seconds) {
        double asksPerSecond() {
            return asks.size() / seconds;
        }
    }

    /** Which question session {@code s} asks as its {@code i}-th ask. */
    interface Questions {
        String question(int session, int index);
    }

    /**
     * Runs {@code sessions} sessions at once, one thread each; each asks at least {@code asks} questions and goes on
     * until {@code more} is false. An ask still running {@code hangAfter} after it started counts as hung: its
     * session is cancelled and abandoned.
     */
    static Round run(
            PostgresAgent agent,
            Timings timings,
            String prefix,
            int sessions,
            int asks,
            Questions questions,
            BooleanSupplier more,
            Duration hangAfter)
            throws InterruptedException {
        AtomicInteger n = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(sessions, r -> {
            Thread t = new Thread(r, "load-session-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ConcurrentLinkedQueue<Ask> done = new ConcurrentLinkedQueue<>();
        AtomicLongArray running = new AtomicLongArray(sessions);
        AgentSession[] open = new AgentSession[sessions];
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            int session = s;
            AgentSession as = agent.newSession(prefix + "-" + s);
            open[s] = as;
            futures.add(threads.submit(() -> {
                go.await();
                for (int i = 0; i < asks || more.getAsBoolean(); i++) {
                    String q = questions.question(session, i);
                    long t0 = System.nanoTime();
                    running.set(session, t0);
                    AgentStatus status = null;
                    String exception = null;
                    boolean typed;
                    boolean statementsOk = false;
                    String detail = null;
                    try {
                        AgentResponse r = as.ask(q);
                        status = r.status();
                        typed = true;
                        statementsOk = !r.statements().isEmpty()
                                && r.statements().stream()
                                        .allMatch(o -> o.status() == StatementOutcome.Status.EXECUTED);
                        detail = r.error()
                                .orElseGet(() -> r.statements().stream()
                                        .filter(o -> o.status() != StatementOutcome.Status.EXECUTED)
                                        .map(o -> o.status() + ": " + o.error())
                                        .findFirst()
                                        .orElse(null));
                    } catch (RuntimeException e) {
                        exception = e.getClass().getName();
                        typed = e instanceof PgAgentException;
                        detail = e.getMessage();
                    }
                    long took = System.nanoTime() - t0;
                    running.set(session, 0);
                    long[] t = timings.of(as.id());
                    done.add(new Ask(
                            q.contains("transfer") ? "transfer" : "read",
                            status,
                            exception,
                            typed,
                            statementsOk,
                            t0,
                            took,
                            t[0],
                            t[1],
                            detail));
                    if (Thread.currentThread().isInterrupted()) {
                        return null;
                    }
                }
                return null;
            }));
        }
        long t0 = System.nanoTime();
        go.countDown();
        boolean[] abandoned = new boolean[sessions];
        int hung = 0;
        while (true) {
            boolean all = true;
            long now = System.nanoTime();
            for (int s = 0; s < sessions; s++) {
                if (futures.get(s).isDone() || abandoned[s]) {
                    continue;
                }
                all = false;
                long started = running.get(s);
                if (started != 0 && now - started > hangAfter.toNanos()) {
                    abandoned[s] = true;
                    hung++;
                    open[s].cancel();
                    futures.get(s).cancel(true);
                }
            }
            if (all) {
                break;
            }
            Thread.sleep(50);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (int s = 0; s < sessions; s++) {
            if (!abandoned[s]) {
                try {
                    futures.get(s).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("session " + s + " failed in the harness", e.getCause());
                }
            }
        }
        threads.shutdownNow();
        if (hung == 0) {
            threads.awaitTermination(30, TimeUnit.SECONDS);
        }
        return new Round(new ArrayList<>(done), hung, seconds);
    }

    /**
     * Warms up: one session asks 3 questions alone first (the first statement in a JVM loads and compiles the SQL
     * parser, which 200 cold asks at once would wait for past the parser's deadline), then {@code sessions} sessions
     * ask {@code asks} each at once. Returns the concurrent round.
     */
    static Round warmUp(
            PostgresAgent agent, Timings timings, int sessions, int asks, Questions questions, Duration hangAfter)
            throws InterruptedException {
        run(agent, timings, "first", 1, 3, questions, () -> false, hangAfter);
        Round warm = run(agent, timings, "warm", sessions, asks, questions, () -> false, hangAfter);
        timings.clear();
        return warm;
    }

    /** Heap used after a full collection (three, to let finalizers and references clear). */
    static long heapAfterGc() throws InterruptedException {
        long used = 0;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
        return used;
    }

    /** The names of the live threads, by thread id. */
    static Map<Long, String> liveThreads() {
        Map<Long, String> out = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive()) {
                out.put(t.getId(), t.getName());
            }
        }
        return out;
    }

    /**
     * Threads alive now that were not alive in {@code before}, other than those {@code ignore} accepts; waits up to
     * {@code wait} for them to end (pools end idle threads on their own schedule).
     */
    static List<String> newThreads(Map<Long, String> before, Duration wait, java.util.function.Predicate<String> ignore)
            throws InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        while (true) {
            List<String> extra = new ArrayList<>();
            liveThreads().forEach((id, name) -> {
                if (!before.containsKey(id) && !ignore.test(name)) {
                    extra.add(name);
                }
            });
            if (extra.isEmpty() || System.nanoTime() > end) {
                return extra;
            }
            Thread.sleep(200);
        }
    }

    /** Backends in {@code pg_stat_activity} opened by the benchmark ({@link #APP}), counted from another session. */
    static int backends(DataSource admin) throws SQLException {
        try (Connection c = admin.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, APP);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Waits up to {@code wait} for the benchmark's backends to drop to {@code atMost}; returns the last count. */
    static int backendsAfter(DataSource admin, int atMost, Duration wait) throws SQLException, InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        int n;
        while ((n = backends(admin)) > atMost && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        return n;
    }

    /** The {@code p}-th percentile (nearest rank) of {@code values}, 0 for none. */
    static double pct(long[] values, double p) {
        if (values.length == 0) {
            return 0;
        }
        long[] s = values.clone();
        Arrays.sort(s);
        return s[Math.max(0, Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1))];
    }

    static double ms(double nanos) {
        return nanos / 1e6;
    }

    static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    /** Counts of each outcome, for the report. */
    static String outcomes(List<Ask> asks) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Ask a : asks) {
            counts.merge(a.outcome(), 1, Integer::sum);
        }
        return counts.toString();
    }

    /** One example of why, for each outcome other than a clean completion. */
    static String examples(List<Ask> asks) {
        Map<String, String> first = new TreeMap<>();
        for (Ask a : asks) {
            if (!a.clean()) {
                String d = String.valueOf(a.detail());
                first.putIfAbsent(a.outcome(), d.length() > 160 ? d.substring(0, 160) + "..." : d);
            }
        }
        StringBuilder sb = new StringBuilder();
        first.forEach((k, v) ->
                sb.append("    e.g. ").append(k).append(": ").append(v).append('\n'));
        return sb.toString();
    }

    /** The line "p50 .. p99 .. max .." of a series, in ms. */
    static String spread(long[] values) {
        return String.format(
                Locale.ROOT,
                "p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms",
                ms(pct(values, 50)),
                ms(pct(values, 99)),
                ms(pct(values, 100)));
    }
}
