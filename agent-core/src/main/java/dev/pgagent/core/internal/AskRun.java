package dev.pgagent.core.internal;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.AgentStep;
import dev.pgagent.db.postgres.QueryCancellation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The state of one ask, which may span several segments (the first {@code ask}, then each {@code resume}). Fields
 * marked volatile or concurrent are touched by tool threads and by {@link #cancel()} from another thread; the rest
 * only by the asking thread.
 */
final class AskRun {
    final String askId;
    final String sessionId;
    final String question;
    String systemPrompt = "";
    final List<ChatMessage> turn = new ArrayList<>();
    final List<AgentStep> steps = new ArrayList<>();
    final List<StatementOutcome> statements = new ArrayList<>();
    List<QueryResult> lastTables = List.of();
    TokenUsage usage = TokenUsage.ZERO;

    @Nullable
    PendingStep pending;

    private final Object budgetLock = new Object();
    private long databaseNanos; // guarded by budgetLock
    private long rowsLeft;
    private long bytesLeft;

    private volatile QueryCancellation cancellation = new QueryCancellation();
    private volatile boolean cancelled;
    private volatile long deadlineNanos;
    private volatile long segmentStartNanos;
    final AtomicInteger humanWaits = new AtomicInteger();
    final Set<Future<?>> inflight = ConcurrentHashMap.newKeySet();
    volatile @Nullable AuditWriteException auditFailure;
    /** Ids of pending confirmations already decided (on resume). */
    final Set<String> resolved = new java.util.HashSet<>();
    /** A cap on each statement's timeout below the policy's (value sampling), or null for none. */
    volatile @Nullable Duration statementTimeoutCap;
    /** The structured output the ask wants back, or null for free text. */
    @Nullable
    OutputSpec output;
    /** The structured value read from the final answer, or null. */
    volatile @Nullable Object value;
    /** Whether the asking thread was interrupted; the interrupt is restored when the ask returns. */
    boolean interrupted;

    /** A step whose tool calls wait for confirmations. */
    record PendingStep(
            int index, AssistantMessage message, List<CallRecord> records, TokenUsage usage, Duration elapsed) {}

    AskRun(String askId, String sessionId, String question, long askMaxRows, long askMaxBytes) {
        this.askId = askId;
        this.sessionId = sessionId;
        this.question = question;
        this.rowsLeft = askMaxRows;
        this.bytesLeft = askMaxBytes;
    }

    /** Returns the rows left of the ask's budget. */
    long rowsLeft() {
        synchronized (budgetLock) {
            return rowsLeft;
        }
    }

    /** Returns the bytes left of the ask's budget. */
    long bytesLeft() {
        synchronized (budgetLock) {
            return bytesLeft;
        }
    }

    /** Starts a segment: a fresh cancellation and deadline. */
    void startSegment(Duration timeout) {
        cancellation = new QueryCancellation();
        cancelled = false;
        segmentStartNanos = System.nanoTime();
        deadlineNanos = segmentStartNanos + timeout.toNanos();
    }

    Duration segmentElapsed() {
        return Duration.ofNanos(System.nanoTime() - segmentStartNanos);
    }

    QueryCancellation cancellation() {
        return cancellation;
    }

    boolean isCancelled() {
        return cancelled;
    }

    /** Cancels the running statement, the model wait and the tool calls; safe from any thread. */
    void cancel() {
        cancelled = true;
        stopWork();
    }

    /** Stops running work (statements, model wait, tools) without marking the ask cancelled: a time limit. */
    void stopWork() {
        cancellation.cancel();
        for (Future<?> f : inflight) {
            f.cancel(true);
        }
    }

    void throwIfCancelled() {
        if (cancelled) {
            throw new CancelledException("the ask was cancelled");
        }
    }

    long nanosLeft() {
        return deadlineNanos - System.nanoTime();
    }

    /** Returns whether time is up; never while a person is being asked for a confirmation. */
    boolean timeIsUp() {
        return humanWaits.get() == 0 && nanosLeft() <= 0;
    }

    /** Moves the deadline by the time spent waiting for a person, which does not count against the ask. */
    synchronized void extendDeadline(long nanos) {
        deadlineNanos += nanos;
    }

    /** A reservation of rows and bytes from the ask's budget. */
    record Reservation(int rows, long bytes) {}

    /**
     * Reserves the caps of one statement from what is left of the ask's budget.
     *
     * @return the reservation, or null when the budget is used up
     */
    @Nullable
    Reservation reserve(int maxRows, long maxBytes) {
        synchronized (budgetLock) {
            if (rowsLeft <= 0 || bytesLeft <= 0) {
                return null;
            }
            int rows = (int) Math.min(maxRows, rowsLeft);
            long bytes = Math.min(maxBytes, bytesLeft);
            rowsLeft -= rows;
            bytesLeft -= bytes;
            return new Reservation(rows, bytes);
        }
    }

    /** Returns the database time left of {@code max} for this ask's statements, or null when it is used up. */
    @Nullable
    Duration databaseTimeLeft(Duration max) {
        synchronized (budgetLock) {
            long left = max.toNanos() - databaseNanos;
            return left <= 0 ? null : Duration.ofNanos(left);
        }
    }

    /** Counts time a statement of this ask spent in the database. */
    void addDatabaseTime(long nanos) {
        synchronized (budgetLock) {
            databaseNanos += Math.max(0, nanos);
        }
    }

    /** Returns what a statement did not use of its reservation. */
    void release(Reservation r, long usedRows, long usedBytes) {
        synchronized (budgetLock) {
            rowsLeft += Math.max(0, r.rows() - usedRows);
            bytesLeft += Math.max(0, r.bytes() - usedBytes);
        }
    }
}
