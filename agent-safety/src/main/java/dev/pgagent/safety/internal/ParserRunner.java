package dev.pgagent.safety.internal;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statements;
import org.jspecify.annotations.Nullable;

/**
 * Runs JSqlParser with a deadline. Parsing happens on a shared pool of daemon threads so that the caller gets an
 * answer even if the parser does not stop; a parse that overruns is told to stop (JSqlParser's {@code interrupted}
 * flag) and its thread is interrupted. The deadline counts the CPU time the parse used (where the JVM measures thread
 * CPU time), so that a busy machine, which delays the parser thread without the statement being hard to parse, does
 * not deny ordinary statements; the wall-clock time is still bounded, by {@value #WALL_FACTOR} times the deadline.
 * Simple parsing is tried first and complex parsing only when simple parsing fails, as {@link CCJSqlParserUtil} does.
 */
public final class ParserRunner {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ThreadFactory FACTORY = r -> {
        Thread t = new Thread(r, "pgagent-sql-parser-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    };
    private static final ExecutorService POOL = Executors.newCachedThreadPool(FACTORY);

    /** How many times the deadline a parse may take in wall-clock time while it has not used the deadline in CPU. */
    static final int WALL_FACTOR = 10;

    private static final java.lang.management.ThreadMXBean THREADS_MX =
            java.lang.management.ManagementFactory.getThreadMXBean();
    private static final boolean CPU_TIME = cpuTimeMeasured();

    private ParserRunner() {}

    private static boolean cpuTimeMeasured() {
        try {
            return THREADS_MX.isThreadCpuTimeSupported() && THREADS_MX.isThreadCpuTimeEnabled();
        } catch (UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /**
     * The outcome of one parse.
     *
     * @param statements the statements, or null when parsing failed
     * @param error the parser's message when it failed, or null
     * @param timedOut whether the deadline passed
     */
    public record Outcome(
            @Nullable Statements statements, @Nullable String error, boolean timedOut) {}

    /** Parses {@code sql} within {@code timeout}. Never throws for bad SQL. */
    public static Outcome parse(String sql, Duration timeout) {
        AtomicReference<@Nullable CCJSqlParser> current = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong workerId = new java.util.concurrent.atomic.AtomicLong(-1);
        java.util.concurrent.atomic.AtomicLong cpuAtStart = new java.util.concurrent.atomic.AtomicLong();
        long start = System.nanoTime();
        Future<Statements> future = POOL.submit(() -> {
            if (CPU_TIME) {
                cpuAtStart.set(THREADS_MX.getCurrentThreadCpuTime());
                workerId.set(Thread.currentThread().getId());
            }
            CCJSqlParser simple = CCJSqlParserUtil.newParser(sql).withAllowComplexParsing(false);
            current.set(simple);
            try {
                return simple.Statements();
            } catch (Exception e) {
                if (CCJSqlParserUtil.getNestingDepth(sql) > CCJSqlParserUtil.ALLOWED_NESTING_DEPTH) {
                    throw e;
                }
                CCJSqlParser complex = CCJSqlParserUtil.newParser(sql).withAllowComplexParsing(true);
                current.set(complex);
                return complex.Statements();
            }
        });
        try {
            return new Outcome(awaitWithin(future, timeout, start, workerId, cpuAtStart), null, false);
        } catch (TimeoutException e) {
            CCJSqlParser p = current.get();
            if (p != null) {
                p.interrupted = true;
            }
            future.cancel(true);
            return new Outcome(null, "parsing took longer than " + timeout.toMillis() + " ms", true);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String msg = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            return new Outcome(null, msg, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            return new Outcome(null, "interrupted while parsing", false);
        }
    }

    /**
     * Waits for the parse until it used {@code timeout} of CPU time (or, where CPU time is not measured, of wall-clock
     * time), or {@value #WALL_FACTOR} times that in wall-clock time.
     */
    private static Statements awaitWithin(
            Future<Statements> future,
            Duration timeout,
            long start,
            java.util.concurrent.atomic.AtomicLong workerId,
            java.util.concurrent.atomic.AtomicLong cpuAtStart)
            throws InterruptedException, ExecutionException, TimeoutException {
        long limit = timeout.toNanos();
        long wallLimit = limit > Long.MAX_VALUE / WALL_FACTOR ? Long.MAX_VALUE : limit * WALL_FACTOR;
        long wait = limit;
        while (true) {
            try {
                return future.get(wait, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                long wall = System.nanoTime() - start;
                if (!CPU_TIME || wall >= wallLimit) {
                    throw e;
                }
                long id = workerId.get();
                long cpu = id < 0 ? 0 : THREADS_MX.getThreadCpuTime(id) - cpuAtStart.get();
                if (cpu >= limit) {
                    throw e;
                }
                // wait at least the CPU time still allowed (it cannot be used sooner), within the wall-clock bound
                wait = Math.max(1_000_000L, Math.min(limit - Math.max(cpu, 0), wallLimit - wall));
            }
        }
    }
}
