package dev.pgagent.benchmarks;

import static dev.pgagent.benchmarks.LoadHarness.ms;

import com.zaxxer.hikari.HikariDataSource;
import dev.pgagent.api.audit.AuditChain;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.benchmarks.LoadHarness.Ask;
import dev.pgagent.benchmarks.LoadHarness.Round;
import dev.pgagent.benchmarks.LoadHarness.ScriptedModel;
import dev.pgagent.benchmarks.LoadHarness.Timings;
import dev.pgagent.core.AuditFailurePolicy;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresAuditSink;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import okhttp3.ConnectionPool;

/**
 * The load of {@link LoadBenchmark}, smaller, while things break: against a PostgreSQL cluster the benchmark owns
 * (see {@link OwnedCluster}), six phases each inject one fault under load and clear it, and a recovery phase with no
 * fault follows each: (a) the database is stopped and started again; (b) the model answers HTTP 500/503; (c) the
 * model stalls past the client's read timeout; (d) the model sends malformed JSON; (e) the pool is exhausted (all 10
 * connections held outside the agent; the pool's connection timeout, 1 s, is shorter than the ask's limit); (f) the
 * audit sink fails (a {@link PostgresAuditSink} whose table refuses inserts through a trigger, under
 * {@link AuditFailurePolicy#FAIL_CLOSED}). Every fifth ask is a confirmed write (auto-approved): a transfer between two
 * accounts in one UPDATE, tagged, which a trigger logs.
 *
 * <p>Promises checked (exit 1 when one breaks): every ask ends (one still running {@value #HANG_MARGIN_S} s past its
 * limit is a hang); every ask that did not complete cleanly ended with a status or an exception of
 * {@code dev.pgagent.api}; no ask took longer than its limit plus {@value #LIMIT_MARGIN_S} s; the two accounts still
 * hold their total and every applied transfer hit both; every applied transfer has its approved confirmation in the
 * audit table (under fail-closed a write whose record failed must not apply) and the audit hash chain holds; every
 * ask of each recovery phase completed with its statement run; no connection is left borrowed or open after the
 * pool closed.
 *
 * <p>Run: {@code benchmarks/run FaultBenchmark [sessions [asks [faultMs]]]} (default 50, 20, 3000): each session
 * asks at least {@code asks} questions per phase and goes on while the fault lasts.
 */
public final class FaultBenchmark {
    static final int HANG_MARGIN_S = 10;
    static final int LIMIT_MARGIN_S = 2;
    private static final Duration ASK_LIMIT = Duration.ofSeconds(10);
    private static final Duration READ_TIMEOUT = Duration.ofMillis(1500);
    private static final long TOTAL = 2_000_000;
    private static final int AUDIT_POOL_SIZE = 3;

    private FaultBenchmark() {}

    public static void main(String[] args) throws Exception {
        LoadBenchmark.quietLogs();
        System.exit(run(args, System.out));
    }

    /** A fault: what starts it and what clears it. */
    private interface Action {
        void run() throws Exception;
    }

    /**
     * A fault, held at least {@code minMs}.
     *
     * @param minMs the shortest time the fault is held (a stall must outlast every attempt's read timeout to fail an
     *     ask rather than be retried away)
     */
    private record Fault(String name, Action start, Action stop, long minMs) {
        Fault(String name, Action start, Action stop) {
            this(name, start, stop, 0);
        }
    }

    private record Row(String fault, Round during, Round recovery) {}

    /** Runs the benchmark; returns 0 when every promise held, 1 when one broke. */
    static int run(String[] args, PrintStream out) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int asks = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        long faultMs = args.length > 2 ? Long.parseLong(args[2]) : 3000;
        Map<Long, String> threadsAtStart = LoadHarness.liveThreads();
        List<String> broken = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        try (OwnedCluster cluster = OwnedCluster.start()) {
            DataSource admin = cluster.dataSource("postgres");
            LoadHarness.createTables(admin);
            try (Connection c = admin.getConnection();
                    Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS load_audit CASCADE");
                st.execute("DROP TABLE IF EXISTS load_faults");
                st.execute("CREATE TABLE load_faults AS SELECT false AS audit_fails");
            }
            out.printf(
                    Locale.ROOT,
                    "Faults: %d concurrent sessions, at least %d asks each per phase (every fifth a confirmed"
                            + " write), faults held %d ms; ask limit %d s, model read timeout %d ms (2 attempts),"
                            + " pool of %d (connection timeout 1 s), audit to PostgreSQL under FAIL_CLOSED; %s;"
                            + " %d cores, load average %.2f%n",
                    sessions,
                    asks,
                    faultMs,
                    ASK_LIMIT.toSeconds(),
                    READ_TIMEOUT.toMillis(),
                    LoadBenchmark.POOL_SIZE,
                    cluster.describe(),
                    Runtime.getRuntime().availableProcessors(),
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                            .getSystemLoadAverage());
            HikariDataSource pool = LoadHarness.pool(
                    cluster.jdbcUrl("postgres"), "postgres", "", LoadBenchmark.POOL_SIZE, Duration.ofSeconds(1));
            HikariDataSource auditPool = LoadHarness.pool(
                    cluster.jdbcUrl("postgres"), "postgres", "", AUDIT_POOL_SIZE, Duration.ofSeconds(1));
            ScriptedModel model = new ScriptedModel(sessions + 8, 20);
            ConnectionPool http = new ConnectionPool(sessions, 30, TimeUnit.SECONDS);
            PostgresAuditSink sink = PostgresAuditSink.builder()
                    .dataSource(auditPool)
                    .schema("load_audit")
                    .chain("fault-bench")
                    .timeout(Duration.ofSeconds(2))
                    .build();
            try (Connection c = admin.getConnection();
                    Statement st = c.createStatement()) {
                st.execute("CREATE FUNCTION load_audit.refuse() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN IF"
                        + " (SELECT audit_fails FROM public.load_faults) THEN RAISE EXCEPTION 'scripted audit"
                        + " failure'; END IF; RETURN NEW; END$$");
                st.execute("CREATE TRIGGER refuse BEFORE INSERT ON load_audit.audit_events FOR EACH ROW EXECUTE"
                        + " FUNCTION load_audit.refuse()");
            }
            Timings timings = new Timings();
            AtomicLong tags = new AtomicLong();
            LoadHarness.Questions questions = (s, i) -> i % 5 == 4
                    ? "Move " + (1 + i % 7) + " from account 1 to account 2. Q[transfer:t" + tags.incrementAndGet()
                            + ":" + (1 + i % 7) + "]"
                    : "How many items are in region " + (s + i) % 50 + "? Q[read:" + (s + i) % 50 + "]";
            Duration hang = ASK_LIMIT.plusSeconds(HANG_MARGIN_S);
            try (PostgresAgent agent = PostgresAgent.builder()
                    .llm(LoadHarness.openAi(model, http, sessions, READ_TIMEOUT, 2))
                    .dataSource(pool)
                    .policy(SafetyPolicy.builder()
                            .level(PolicyLevel.BALANCED)
                            .statementTimeout(Duration.ofSeconds(3))
                            .build())
                    .confirmationHandler(request -> ConfirmationDecision.approve("fault-bench"))
                    .addAuditSink(sink)
                    .auditFailurePolicy(AuditFailurePolicy.FAIL_CLOSED)
                    .timeout(ASK_LIMIT)
                    .valueGrounding(false)
                    .schemaContextTokens(0)
                    .listener(timings)
                    .build()) {
                LoadBenchmark.check(
                        broken, "warm-up", LoadHarness.warmUp(agent, timings, sessions, 2, questions, hang));
                List<Connection> held = new ArrayList<>();
                List<Fault> faults = List.of(
                        new Fault("database restart", cluster::stop, cluster::startAgain),
                        new Fault(
                                "model HTTP 500/503",
                                () -> model.mode(ScriptedModel.Mode.SERVER_ERROR),
                                () -> model.mode(ScriptedModel.Mode.OK)),
                        new Fault(
                                "model stalls > read timeout",
                                () -> model.mode(ScriptedModel.Mode.STALL),
                                () -> model.mode(ScriptedModel.Mode.OK),
                                READ_TIMEOUT.multipliedBy(2).plusSeconds(1).toMillis()),
                        new Fault(
                                "model malformed JSON",
                                () -> model.mode(ScriptedModel.Mode.MALFORMED),
                                () -> model.mode(ScriptedModel.Mode.OK)),
                        new Fault("pool exhausted", () -> exhaust(pool, held), () -> release(held)),
                        new Fault("audit sink fails", () -> auditFails(admin, true), () -> auditFails(admin, false)));
                for (Fault f : faults) {
                    rows.add(phase(agent, timings, f, sessions, asks, faultMs, questions, hang));
                }
            } finally {
                model.close();
                http.evictAll();
                sink.close();
            }
            table(out, rows, broken);
            invariants(admin, out, broken);
            LoadBenchmark.connectionsAtEnd(pool, LoadBenchmark.POOL_SIZE + AUDIT_POOL_SIZE, admin, out, broken);
            pool.close();
            auditPool.close();
            LoadBenchmark.backendsAfterClose(admin, out, broken);
        }
        LoadBenchmark.threads(threadsAtStart, Integer.getInteger("load.threadWaitSeconds", 90), out, broken);
        return LoadBenchmark.verdict(out, broken);
    }

    /** Runs the load, injects the fault after a lead, clears it, lets the load settle, then runs a recovery round. */
    private static Row phase(
            PostgresAgent agent,
            Timings timings,
            Fault fault,
            int sessions,
            int asks,
            long faultMs,
            LoadHarness.Questions questions,
            Duration hang)
            throws Exception {
        AtomicBoolean on = new AtomicBoolean(true);
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Round> load =
                    runner.submit(() -> LoadHarness.run(agent, timings, "f", sessions, asks, questions, on::get, hang));
            Thread.sleep(500);
            fault.start().run();
            Thread.sleep(Math.max(faultMs, fault.minMs()));
            fault.stop().run();
            Thread.sleep(1000); // the load goes on a moment: connections broken by the fault are found and replaced
            on.set(false);
            Round during = load.get(30, TimeUnit.MINUTES);
            Round recovery = LoadHarness.run(agent, timings, "r", sessions, 2, questions, () -> false, hang);
            return new Row(fault.name(), during, recovery);
        } finally {
            runner.shutdownNow();
        }
    }

    private static void exhaust(HikariDataSource pool, List<Connection> held) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (held.size() < pool.getMaximumPoolSize() && System.nanoTime() < end) {
            try {
                held.add(pool.getConnection());
            } catch (SQLException e) {
                Thread.sleep(10); // the agent holds them all for now: try again
            }
        }
    }

    private static void release(List<Connection> held) throws SQLException {
        for (Connection c : held) {
            c.close();
        }
        held.clear();
    }

    private static void auditFails(DataSource admin, boolean fails) throws SQLException {
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE load_faults SET audit_fails = " + fails);
        }
    }

    /** Prints the table and checks each ask's promises. */
    private static void table(PrintStream out, List<Row> rows, List<String> broken) {
        out.printf(
                Locale.ROOT,
                "%-28s %6s %9s %10s %9s  %s%n",
                "fault",
                "asks",
                "affected",
                "max ms",
                "recovered",
                "statuses (during the fault phase)");
        long limitNanos = ASK_LIMIT.plusSeconds(LIMIT_MARGIN_S).toNanos();
        for (Row r : rows) {
            List<Ask> asks = r.during().asks();
            long affected = asks.stream().filter(a -> !a.clean()).count();
            long max = asks.stream().mapToLong(Ask::nanos).max().orElse(0);
            boolean recovered =
                    r.recovery().hung() == 0 && r.recovery().asks().stream().allMatch(Ask::clean);
            out.printf(
                    Locale.ROOT,
                    "%-28s %6d %9d %10.0f %9s  %s%n",
                    r.fault(),
                    asks.size(),
                    affected,
                    ms(max),
                    recovered ? "yes" : "NO",
                    LoadHarness.outcomes(asks));
            out.print(LoadHarness.examples(asks));
            if (affected == 0) {
                out.println("  (no ask was affected: the fault window may be too short for the load)");
            }
            if (r.during().hung() > 0) {
                broken.add(r.fault() + ": " + r.during().hung() + " asks hung");
            }
            long untyped = asks.stream().filter(a -> !a.typed()).count();
            if (untyped > 0) {
                broken.add(r.fault() + ": " + untyped + " asks ended with an untyped exception: "
                        + LoadHarness.outcomes(asks));
            }
            long late = asks.stream().filter(a -> a.nanos() > limitNanos).count();
            if (late > 0) {
                broken.add(r.fault() + ": " + late + " asks took longer than their limit + " + LIMIT_MARGIN_S
                        + " s (max " + Math.round(ms(max)) + " ms)");
            }
            if (!recovered) {
                broken.add(r.fault() + ": after the fault cleared, not every ask completed: "
                        + LoadHarness.outcomes(r.recovery().asks()) + ", hung "
                        + r.recovery().hung());
            }
        }
    }

    /** The accounts' total, whole transfers, and an approved confirmation in the audit for every applied transfer. */
    private static void invariants(DataSource admin, PrintStream out, List<String> broken) throws SQLException {
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            long sum;
            try (ResultSet rs = st.executeQuery("SELECT sum(balance) FROM load_accounts")) {
                rs.next();
                sum = rs.getLong(1);
            }
            long applied;
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM load_transfer_log")) {
                rs.next();
                applied = rs.getLong(1);
            }
            long unaudited;
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM load_transfer_log l WHERE NOT EXISTS (SELECT 1"
                    + " FROM load_audit.audit_events e WHERE e.type = 'CONFIRMATION_ANSWERED' AND e.outcome ="
                    + " 'approved' AND e.sql LIKE '%''' || l.tag || '''%')")) {
                rs.next();
                unaudited = rs.getLong(1);
            }
            long executedRecords;
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM load_audit.audit_events WHERE type ="
                    + " 'QUERY_EXECUTED' AND sql LIKE 'UPDATE load_accounts%'")) {
                rs.next();
                executedRecords = rs.getLong(1);
            }
            AuditChain.Verification chain = PostgresAuditSink.verify(admin, "load_audit");
            out.printf(
                    Locale.ROOT,
                    "accounts: total %,d (expected %,d); transfers applied %d, of them without an approved"
                            + " confirmation record %d; QUERY_EXECUTED records of transfers %d; audit chain: %d"
                            + " records, %s%n",
                    sum,
                    TOTAL,
                    applied,
                    unaudited,
                    executedRecords,
                    chain.records(),
                    chain.intact() ? "intact" : "BROKEN at " + chain.brokenAt() + ": " + chain.reason());
            if (sum != TOTAL) {
                broken.add("the accounts hold " + sum + ", not " + TOTAL + ": a transfer was half-applied");
            }
            if (unaudited > 0) {
                broken.add(unaudited + " applied transfers have no approved confirmation in the audit (lost audit"
                        + " record)");
            }
            if (!chain.intact()) {
                broken.add("the audit chain is broken at " + chain.brokenAt() + ": " + chain.reason());
            }
        }
    }
}
