package dev.pgagent.core.internal;

import dev.pgagent.api.audit.AuditEvent;

/** Writes an ask's audit records; under fail-closed a failure is remembered on the ask and rethrown. Thread-safe. */
final class AuditRecorder {
    private final AuditFanout fanout;

    AuditRecorder(AuditFanout fanout) {
        this.fanout = fanout;
    }

    void record(AskRun run, AuditEvent.Builder event) {
        try {
            fanout.record(event.sessionId(run.sessionId).askId(run.askId).build());
        } catch (AuditWriteException e) {
            run.auditFailure = e;
            throw e;
        }
    }

    AuditFanout fanout() {
        return fanout;
    }
}
