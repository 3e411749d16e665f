package dev.pgagent.core.internal;

import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentListener;
import dev.pgagent.core.AuditFailurePolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends each event to every sink, applying the failure policy. Thread-safe. */
public final class AuditFanout {
    private static final Logger LOG = LoggerFactory.getLogger(AuditFanout.class);

    private final List<AuditSink> sinks;
    private final AuditFailurePolicy policy;
    private final @Nullable Function<String, String> userOfSession;

    private final AgentListener listener;

    /** Creates a fan-out over {@code sinks}. */
    public AuditFanout(List<AuditSink> sinks, AuditFailurePolicy policy) {
        this(sinks, policy, AgentListener.NONE, null);
    }

    /** Creates a fan-out over {@code sinks} that tells {@code listener} of each failing sink. */
    public AuditFanout(List<AuditSink> sinks, AuditFailurePolicy policy, AgentListener listener) {
        this(sinks, policy, listener, null);
    }

    /**
     * Creates a fan-out over {@code sinks} that tells {@code listener} of each failing sink and adds, when given, the
     * {@code user} of the event's session.
     */
    public AuditFanout(
            List<AuditSink> sinks,
            AuditFailurePolicy policy,
            AgentListener listener,
            @Nullable Function<String, String> userOfSession) {
        this.sinks = List.copyOf(sinks);
        this.policy = policy;
        this.listener = listener;
        this.userOfSession = userOfSession;
    }

    private AuditEvent withUser(AuditEvent event) {
        String session = event.sessionId();
        if (userOfSession == null || session == null || event.attributes().containsKey("user")) {
            return event;
        }
        String user;
        try {
            user = userOfSession.apply(session);
        } catch (RuntimeException e) {
            LOG.warn("The principal function failed for session {}: {}", session, e.toString());
            return event;
        }
        if (user == null) {
            return event;
        }
        Map<String, String> attributes = new HashMap<>(event.attributes());
        attributes.put("user", user);
        return new AuditEvent(
                event.timestamp(),
                event.type(),
                session,
                event.askId(),
                event.sql(),
                event.verdict(),
                event.outcome(),
                attributes);
    }

    /** Returns whether the policy is fail-closed. */
    public boolean failClosed() {
        return policy == AuditFailurePolicy.FAIL_CLOSED;
    }

    /**
     * Records {@code event} in every sink.
     *
     * @throws AuditWriteException under {@link AuditFailurePolicy#FAIL_CLOSED} when a sink failed (after trying all)
     */
    public void record(AuditEvent original) {
        AuditEvent event = withUser(original);
        RuntimeException first = null;
        for (AuditSink sink : sinks) {
            try {
                sink.record(event);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
                LOG.warn("Audit sink {} failed to record {} event: {}", sink, event.type(), e.toString());
                tell(event, e);
            }
        }
        if (first != null && policy == AuditFailurePolicy.FAIL_CLOSED) {
            throw new AuditWriteException(
                    "the audit record (" + event.type() + ") could not be written: " + first.getMessage(), first);
        }
    }

    private void tell(AuditEvent event, RuntimeException failure) {
        try {
            listener.onEvent(new AgentEvent.AuditFailed(
                    event.sessionId() == null ? "" : event.sessionId(),
                    event.askId() == null ? "" : event.askId(),
                    event.type(),
                    String.valueOf(failure.getMessage())));
        } catch (RuntimeException e) {
            LOG.warn("Agent listener failed on AuditFailed; ignored", e);
        }
    }
}
