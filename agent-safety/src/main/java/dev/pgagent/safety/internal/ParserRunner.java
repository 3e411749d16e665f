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
 * answer within the deadline even if the parser does not stop; a parse that overruns is told to stop (JSqlParser's
 * {@code interrupted} flag) and its thread is interrupted. Simple parsing is tried first and complex parsing only when
 * simple parsing fails, as {@link CCJSqlParserUtil} does.
 */
public final class ParserRunner {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ThreadFactory FACTORY = r -> {
        Thread t = new Thread(r, "pgagent-sql-parser-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    };
    private static final ExecutorService POOL = Executors.newCachedThreadPool(FACTORY);

    private ParserRunner() {}

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
        Future<Statements> future = POOL.submit(() -> {
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
            return new Outcome(future.get(timeout.toNanos(), TimeUnit.NANOSECONDS), null, false);
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
}
