package dev.pgagent.benchmarks;

import static dev.pgagent.benchmarks.LoadHarness.mb;
import static dev.pgagent.benchmarks.LoadHarness.spread;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.pgagent.benchmarks.LoadHarness.Ask;
import dev.pgagent.benchmarks.LoadHarness.Round;
import dev.pgagent.benchmarks.LoadHarness.ScriptedModel;
import dev.pgagent.benchmarks.LoadHarness.Timings;
import dev.pgagent.core.PostgresAgent;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import okhttp3.ConnectionPool;

/**
 * Many concurrent sessions against a scripted model on loopback and a real database through a pool of 10
 * connections. Each ask is one model turn calling {@code execute_query} (a guarded count over a 10,000-row table)
 * and a final answer turn; the model answers in OpenAI's chat-completions format after its latency, through the
 * real OpenAI adapter over HTTP; the database is reached through HikariCP (10 connections).
 *
 * <p>Prints asks per second; p50/p99/max of the ask's time and of the agent's own overhead (the ask's time minus
 * the time in model calls minus the time in statements, both taken from the listener's start and finish events);
 * the heap after a full collection after warm-up, after half the asks and at the end; the pool and the backends at
 * the end; the threads. Exits 1 when a promise breaks: an ask did not complete (or hung), the heap grew more than
 * {@value #HEAP_BOUND_MB} MB, a connection leaked (pool active > 0, more backends than the pool's size, any left
 * after the pool closed), a thread leaked (one the run started still alive after everything closed).
 *
 * <p>Run: {@code benchmarks/run LoadBenchmark [sessions [asks [modelLatencyMs]]]} (default 200, 20, 20).
 */
public final class LoadBenchmark {
    static final int POOL_SIZE = 10;
    static final int HEAP_BOUND_MB = 16;
    private static final String DB = "load_bench";

    private LoadBenchmark() {}

    public static void main(String[] args) throws Exception {
        quietLogs();
        System.exit(run(args, System.out));
    }

    /**
     * Runs the benchmark and returns its exit code: 0 when every promise held, 1 when one broke. The system property
     * {@code load.threadWaitSeconds} (default 90) bounds the wait for threads to end after everything closed; below
     * OkHttp's 60 s keep-alive the adapter's idle HTTP threads are left out of the thread check.
     */
    static int run(String[] args, PrintStream out) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int asks = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        long latencyMs = args.length > 2 ? Long.parseLong(args[2]) : 20;
        int threadWait = Integer.getInteger("load.threadWaitSeconds", 90);
        ContextBenchmark.Server server = ContextBenchmark.server();
        // After finding the server: an embedded one (the tests' fallback) has threads of its own, not the run's.
        Map<Long, String> threadsAtStart = LoadHarness.liveThreads();
        try (Connection admin = server.connect(server.adminDb());
                Statement st = admin.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DB + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE DATABASE " + DB);
                }
            }
        }
        DataSource admin = server.dataSource(DB);
        LoadHarness.createTables(admin);
        out.printf(
                Locale.ROOT,
                "Load: %d concurrent sessions x %d asks (1 query turn + 1 answer turn each), scripted model latency"
                        + " %d ms over loopback HTTP (OpenAI adapter), HikariCP pool of %d; %s; %d cores, load"
                        + " average %.2f%n",
                sessions,
                asks,
                latencyMs,
                POOL_SIZE,
                server.describe(),
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());
        List<String> broken = new ArrayList<>();
        Duration hang = Duration.ofSeconds(120);
        LoadHarness.Questions reads =
                (s, i) -> "How many items are in region " + (s + i) % 50 + "? Q[read:" + (s + i) % 50 + "]";
        HikariDataSource pool =
                LoadHarness.pool(server.url(DB), server.user(), server.password(), POOL_SIZE, Duration.ofSeconds(30));
        ScriptedModel model = new ScriptedModel(sessions + 8, latencyMs);
        ConnectionPool http = new ConnectionPool(sessions, 30, TimeUnit.SECONDS);
        Timings timings = new Timings();
        long heapBefore;
        long heapMiddle;
        long heapAfter;
        int threadsWarm;
        int threadsEnd;
        try (PostgresAgent agent = PostgresAgent.builder()
                .llm(LoadHarness.openAi(model, http, sessions, Duration.ofSeconds(10), 1))
                .dataSource(pool)
                .valueGrounding(false)
                .schemaContextTokens(0)
                .listener(timings)
                .build()) {
            check(broken, "warm-up", LoadHarness.warmUp(agent, timings, sessions, Math.max(2, asks / 4), reads, hang));
            heapBefore = LoadHarness.heapAfterGc();
            threadsWarm = LoadHarness.liveThreads().size();
            long cpu0 = cpuNanos();
            Round first = LoadHarness.run(agent, timings, "a", sessions, asks / 2, reads, () -> false, hang);
            long cpu1 = cpuNanos();
            timings.clear();
            heapMiddle = LoadHarness.heapAfterGc();
            long cpu2 = cpuNanos();
            Round second = LoadHarness.run(agent, timings, "b", sessions, asks - asks / 2, reads, () -> false, hang);
            long cpuPerAsk = (cpu1 - cpu0 + cpuNanos() - cpu2)
                    / Math.max(1, first.asks().size() + second.asks().size());
            timings.clear();
            check(broken, "load", first);
            check(broken, "load", second);
            heapAfter = LoadHarness.heapAfterGc();
            threadsEnd = LoadHarness.liveThreads().size();
            List<Ask> all = new ArrayList<>(first.asks());
            all.addAll(second.asks());
            double seconds = first.seconds() + second.seconds();
            long[] total = all.stream().mapToLong(Ask::nanos).toArray();
            long[] overhead = all.stream().mapToLong(Ask::overheadNanos).toArray();
            long[] modelCall = all.stream()
                    .mapToLong(a -> a.modelNanos() / 2 - latencyMs * 1_000_000)
                    .toArray();
            long[] statement = all.stream().mapToLong(Ask::statementNanos).toArray();
            out.printf(Locale.ROOT, "asks: %d in %.1f s = %.0f asks/s%n", all.size(), seconds, all.size() / seconds);
            out.println("ask time                 " + spread(total));
            out.println("pgagent's own overhead   " + spread(overhead)
                    + "   (ask time - model-call time - statement time, per ask, from listener events)");
            out.println("model call - latency     " + spread(modelCall)
                    + "   (per call: OpenAI adapter, loopback HTTP, scripted server)");
            out.println("statement time           " + spread(statement)
                    + "   (guarded read incl. waiting for one of the pool's connections)");
            out.printf(
                    Locale.ROOT,
                    "CPU of this JVM per ask      %8.2f ms   (agent, adapter, pgjdbc, HikariCP and the scripted server;"
                            + " a figure the machine's load does not inflate)%n",
                    LoadHarness.ms(cpuPerAsk));
            out.printf(
                    Locale.ROOT,
                    "heap after full GC: %.1f MB after warm-up, %.1f MB after half, %.1f MB at the end"
                            + " (growth %+.1f MB; bound %d MB)%n",
                    mb(heapBefore),
                    mb(heapMiddle),
                    mb(heapAfter),
                    mb(heapAfter - heapBefore),
                    HEAP_BOUND_MB);
            if (heapAfter - heapBefore > HEAP_BOUND_MB * 1024L * 1024L) {
                broken.add(String.format(Locale.ROOT, "heap grew %.1f MB", mb(heapAfter - heapBefore)));
            }
            connectionsAtEnd(pool, POOL_SIZE, admin, out, broken);
        } finally {
            model.close();
            http.evictAll();
            pool.close();
        }
        backendsAfterClose(admin, out, broken);
        out.printf(
                Locale.ROOT,
                "live threads: %d at start, %d after warm-up, %d at the end of the load%n",
                threadsAtStart.size(),
                threadsWarm,
                threadsEnd);
        threads(threadsAtStart, threadWait, out, broken);
        return verdict(out, broken);
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Keeps the pool's and the agent's warnings (expected by the thousand under faults) off the report. */
    static void quietLogs() {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        }
    }

    /** Checks that no backend of the benchmark is left once its pools closed (waits up to 10 s for them to go). */
    static void backendsAfterClose(DataSource admin, PrintStream out, List<String> broken)
            throws SQLException, InterruptedException {
        int left = LoadHarness.backendsAfter(admin, 0, Duration.ofSeconds(10));
        out.printf(Locale.ROOT, "backends after the pool closed: %d%n", left);
        if (left > 0) {
            broken.add(left + " backends left after the pool closed");
        }
    }

    static void check(List<String> broken, String phase, Round round) {
        long bad = round.asks().stream().filter(a -> !a.clean()).count();
        if (bad > 0) {
            broken.add(phase + ": " + bad + " asks did not complete: " + LoadHarness.outcomes(round.asks()) + "\n"
                    + LoadHarness.examples(round.asks()));
        }
        if (round.hung() > 0) {
            broken.add(phase + ": " + round.hung() + " asks hung");
        }
    }

    /** Prints the pool and backends with the pool still open; a connection still borrowed is a leak. */
    static void connectionsAtEnd(
            HikariDataSource pool, int maxBackends, DataSource admin, PrintStream out, List<String> broken)
            throws SQLException, InterruptedException {
        HikariPoolMXBean mx = pool.getHikariPoolMXBean();
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (mx.getActiveConnections() > 0 && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        int backends = LoadHarness.backends(admin);
        out.printf(
                Locale.ROOT,
                "pool at the end: active %d, idle %d, total %d; backends (application_name %s): %d%n",
                mx.getActiveConnections(),
                mx.getIdleConnections(),
                mx.getTotalConnections(),
                LoadHarness.APP,
                backends);
        if (mx.getActiveConnections() > 0) {
            broken.add(mx.getActiveConnections() + " connections still borrowed from the pool");
        }
        if (backends > maxBackends) {
            broken.add(backends + " backends, more than the pools' " + maxBackends + " connections");
        }
    }

    /**
     * Threads of JVM-wide pools that end on their own once idle (60 s at most): the OpenAI adapter's HTTP threads and
     * OkHttp's task runner and Okio's watchdog, the SQL parser pool of agent-safety, pgjdbc's cleaner, the JDK's process reaper.
     */
    static boolean idleExpiring(String name) {
        return name.startsWith("pgagent-openai-")
                || name.startsWith("OkHttp ")
                || name.equals("Okio Watchdog")
                || name.startsWith("pgagent-sql-parser-")
                || name.equals("PostgreSQL-JDBC-Cleaner")
                || name.equals("process reaper");
    }

    /**
     * Checks that every thread the run started has ended once everything is closed (the agent, the pool, the
     * scripted server). Pools shared by the whole JVM end their idle threads on their own within 60 s (see
     * {@link #idleExpiring}); a wait of 61 s or more waits for them too, a shorter one leaves them out of the check
     * and says how many there were.
     */
    static void threads(Map<Long, String> atStart, int waitSeconds, PrintStream out, List<String> broken)
            throws InterruptedException {
        boolean full = waitSeconds >= 61;
        List<String> left = LoadHarness.newThreads(
                atStart, Duration.ofSeconds(waitSeconds), full ? name -> false : LoadBenchmark::idleExpiring);
        long idle = full
                ? 0
                : LoadHarness.newThreads(atStart, Duration.ZERO, name -> false).stream()
                        .filter(LoadBenchmark::idleExpiring)
                        .count();
        out.printf(
                Locale.ROOT,
                "threads left after closing everything: %d%s%n",
                left.size(),
                full
                        ? " (waited up to " + waitSeconds + " s for idle pool threads to expire)"
                        : " (not counting " + idle + " idle threads of JVM-wide pools, which end within 60 s)");
        if (!left.isEmpty()) {
            broken.add(left.size() + " threads leaked: " + left.subList(0, Math.min(10, left.size())));
        }
    }

    static int verdict(PrintStream out, List<String> broken) {
        if (broken.isEmpty()) {
            out.println("RESULT: every promise held");
            return 0;
        }
        broken.forEach(b -> out.println("BROKEN: " + b));
        return 1;
    }
}
