package dev.pgagent.core.internal;

import dev.pgagent.api.llm.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * Runs the tool calls of one step concurrently on worker threads (at most the configured number; the rest are
 * skipped with a message) and returns their records in call order; on cancellation or time-out the running calls
 * are stopped.
 */
final class ToolFanout {
    private final AgentEngine engine;

    ToolFanout(AgentEngine engine) {
        this.engine = engine;
    }

    List<CallRecord> run(AskRun run, List<ToolCall> calls) {
        int max = engine.config().maxToolCallsPerStep();
        List<Future<CallRecord>> futures = new ArrayList<>(calls.size());
        try {
            for (int i = 0; i < calls.size(); i++) {
                ToolCall call = calls.get(i);
                if (i >= max) {
                    futures.add(CompletableFuture.completedFuture(engine.calls().skipped(run, call, max)));
                    continue;
                }
                run.throwIfCancelled();
                Future<CallRecord> f =
                        engine.executor().submit(() -> engine.calls().run(run, call));
                run.inflight.add(f);
                futures.add(f);
            }
            List<CallRecord> records = new ArrayList<>(calls.size());
            for (Future<CallRecord> f : futures) {
                records.add(Waiter.await(run, f));
            }
            return records;
        } catch (RuntimeException | Error e) {
            run.stopWork();
            throw e;
        } finally {
            futures.forEach(run.inflight::remove);
        }
    }
}
