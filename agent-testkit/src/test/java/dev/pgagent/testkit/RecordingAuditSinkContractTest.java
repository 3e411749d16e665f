package dev.pgagent.testkit;

import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.testkit.contract.AuditSinkContract;
import java.util.List;

/** {@link RecordingAuditSink} keeps the contract of an audit sink; it writes to memory, which cannot fail. */
class RecordingAuditSinkContractTest extends AuditSinkContract {
    private RecordingAuditSink sink = new RecordingAuditSink();

    @Override
    protected AuditSink newSink() {
        sink = new RecordingAuditSink();
        return sink;
    }

    @Override
    protected List<String> written() {
        return sink.events().stream().map(AuditEvent::toString).toList();
    }
}
