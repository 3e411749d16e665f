package dev.pgagent.benchmarks;

import dev.pgagent.api.history.AskRecord;
import dev.pgagent.api.history.HistoryStore;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentSession;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresHistoryStore;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The PostgreSQL history store under 8 concurrent sessions: asks recorded per second and what recording adds to an
 * ask. Each ask is a scripted model turn calling {@code execute_query} (a real guarded read) and a final answer; the
 * same asks run with and without a {@link PostgresHistoryStore}, alternating, 8 sessions on 8 threads at once. Also
 * the store alone ({@code record} from 8 threads). Run: {@code benchmarks/run HistoryBenchmark [asksPerSession
 * [rounds]]} (default 200 and 3).
 */
public final class HistoryBenchmark {
    private static final PrintStream OUT = System.out;
    private static final int SESSIONS = 8;
    private static final String DB = "pgagent_history_bench";

    private HistoryBenchmark() {}

    public static void main(String[] args) throws Exception {
        int asks = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        ContextBenchmark.Server server = ContextBenchmark.server();
        try (Connection admin = server.connect(server.adminDb());
                Statement st = admin.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DB + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE DATABASE " + DB);
                }
            }
        }
        try (Connection c = server.connect(DB);
                Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS history_bench CASCADE");
            st.execute("CREATE TABLE IF NOT EXISTS orders AS SELECT g AS id, g % 50 AS region FROM"
                    + " generate_series(1, 10000) g");
        }
        BenchmarkPool pool = new BenchmarkPool(server.dataSource(DB));
        PostgresHistoryStore store = PostgresHistoryStore.builder()
                .dataSource(pool)
                .schema("history_bench")
                .build();
        store.migrate();
        Timed timed = new Timed(store);
        OUT.printf(
                Locale.ROOT,
                "History store under %d concurrent sessions, %d asks each, %d rounds; %s; %d cores%n",
                SESSIONS,
                asks,
                rounds,
                server.describe(),
                Runtime.getRuntime().availableProcessors());
        try (PostgresAgent plain = agent(pool, null);
                PostgresAgent recorded = agent(pool, timed)) {
            run(plain, 20);
            run(recorded, 20); // warm up
            timed.latencies.clear();
            long[] plainMs = new long[0];
            long[] recordedMs = new long[0];
            double plainRate = 0;
            double recordedRate = 0;
            for (int r = 0; r < rounds; r++) {
                Result a = run(plain, asks);
                Result b = run(recorded, asks);
                plainMs = concat(plainMs, a.latencies);
                recordedMs = concat(recordedMs, b.latencies);
                plainRate += a.asksPerSecond / rounds;
                recordedRate += b.asksPerSecond / rounds;
            }
            long[] record = timed.latencies.stream().mapToLong(Long::longValue).toArray();
            OUT.printf(Locale.ROOT, "%-34s %12s %12s %12s%n", "", "asks/s", "ask p50", "ask p95");
            OUT.printf(
                    Locale.ROOT,
                    "%-34s %12.0f %9.2f ms %9.2f ms%n",
                    "without history",
                    plainRate,
                    pct(plainMs, 50) / 1e6,
                    pct(plainMs, 95) / 1e6);
            OUT.printf(
                    Locale.ROOT,
                    "%-34s %12.0f %9.2f ms %9.2f ms%n",
                    "with PostgresHistoryStore",
                    recordedRate,
                    pct(recordedMs, 50) / 1e6,
                    pct(recordedMs, 95) / 1e6);
            OUT.printf(
                    Locale.ROOT,
                    "added latency per ask: p50 %+.2f ms, p95 %+.2f ms; record() itself p50 %.2f ms,"
                            + " p95 %.2f ms, p99 %.2f ms (%d records)%n",
                    (pct(recordedMs, 50) - pct(plainMs, 50)) / 1e6,
                    (pct(recordedMs, 95) - pct(plainMs, 95)) / 1e6,
                    pct(record, 50) / 1e6,
                    pct(record, 95) / 1e6,
                    pct(record, 99) / 1e6,
                    record.length);
        }
        storeAlone(store, asks * 4);
        try (Connection c = server.connect(DB);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*), (SELECT count(*) FROM history_bench.statements)"
                        + " FROM history_bench.asks")) {
            rs.next();
            OUT.printf(Locale.ROOT, "rows in the store: %,d asks, %,d statements%n", rs.getLong(1), rs.getLong(2));
        }
        pool.close();
    }

    /** Times every record() call. */
    private static final class Timed implements HistoryStore {
        final HistoryStore store;
        final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();

        Timed(HistoryStore store) {
            this.store = store;
        }

        @Override
        public void record(AskRecord ask) {
            long t0 = System.nanoTime();
            store.record(ask);
            latencies.add(System.nanoTime() - t0);
        }
    }

    private record Result(double asksPerSecond, long[] latencies) {}

    private static PostgresAgent agent(javax.sql.DataSource ds, HistoryStore store) {
        PostgresAgent.Builder b = PostgresAgent.builder()
                .llm(scriptedModel())
                .dataSource(ds)
                .valueGrounding(false)
                .schemaContextTokens(0);
        if (store != null) {
            b.historyStore(store).queryMemory(false);
        }
        return b.build();
    }

    /** A model that queries once, then answers: no network, so the ask's own cost is the agent's and the store's. */
    private static LlmClient scriptedModel() {
        AtomicLong ids = new AtomicLong();
        return request -> {
            List<ChatMessage> m = request.messages();
            if (m.get(m.size() - 1) instanceof ToolResultMessage) {
                return new ChatResponse(
                        AssistantMessage.of("There are 200 orders in that region."),
                        FinishReason.STOP,
                        new TokenUsage(900, 20),
                        "scripted");
            }
            ToolCall call = new ToolCall(
                    "call-" + ids.incrementAndGet(),
                    "execute_query",
                    "{\"sql\":\"SELECT count(*) FROM orders WHERE region = " + (ids.get() % 50) + "\"}");
            return new ChatResponse(
                    AssistantMessage.ofToolCalls(List.of(call)),
                    FinishReason.TOOL_CALLS,
                    new TokenUsage(800, 30),
                    "scripted");
        };
    }

    private static Result run(PostgresAgent agent, int asksPerSession) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> runs = new ArrayList<>();
        for (int s = 0; s < SESSIONS; s++) {
            runs.add(pool.submit(() -> {
                AgentSession session = agent.newSession();
                start.await();
                for (int i = 0; i < asksPerSession; i++) {
                    long t0 = System.nanoTime();
                    AgentResponse r = session.ask("How many orders are in region " + i + "?");
                    latencies.add(System.nanoTime() - t0);
                    if (r.status() != AgentStatus.COMPLETED) {
                        throw new IllegalStateException("ask ended " + r.status() + ": " + r.error());
                    }
                }
                return null;
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Future<?> f : runs) {
            f.get(30, TimeUnit.MINUTES);
        }
        long took = System.nanoTime() - t0;
        pool.shutdown();
        return new Result(
                SESSIONS * asksPerSession / (took / 1e9),
                latencies.stream().mapToLong(Long::longValue).toArray());
    }

    private static void storeAlone(PostgresHistoryStore store, int perThread) throws Exception {
        AskRecord template = AskRecord.builder()
                .id("x")
                .sessionId("s")
                .question("How many orders in region 7?")
                .answer("200.")
                .status("COMPLETED")
                .startedAt(java.time.Instant.now())
                .steps(2)
                .tokens(1700, 50)
                .addStatement(new dev.pgagent.api.history.StatementRecord(
                        "default",
                        "SELECT count(*) FROM orders WHERE region = 7",
                        dev.pgagent.api.safety.Decision.ALLOW,
                        dev.pgagent.api.safety.StatementKind.READ,
                        "a read",
                        dev.pgagent.api.sql.StatementOutcome.Status.EXECUTED,
                        1,
                        -1,
                        null,
                        null,
                        java.time.Duration.ofMillis(1)))
                .build();
        ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
        List<Future<?>> runs = new ArrayList<>();
        AtomicLong n = new AtomicLong();
        long t0 = System.nanoTime();
        for (int s = 0; s < SESSIONS; s++) {
            int session = s;
            runs.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    store.record(template.toBuilder()
                            .id("alone-" + session + "-" + i + "-" + n.incrementAndGet())
                            .sessionId("alone-" + session)
                            .build());
                }
                return null;
            }));
        }
        for (Future<?> f : runs) {
            f.get(30, TimeUnit.MINUTES);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        OUT.printf(
                Locale.ROOT,
                "the store alone, %d threads: %,.0f records/s (%,d records)%n",
                SESSIONS,
                n.get() / seconds,
                n.get());
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Returns the {@code p}th percentile (nearest rank) of {@code values}, 0 when there are none. */
    static double pct(long[] values, int p) {
        if (values.length == 0) {
            return 0;
        }
        long[] s = values.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }
}
