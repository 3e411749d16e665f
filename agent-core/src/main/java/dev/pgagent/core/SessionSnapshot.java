package dev.pgagent.core;

import dev.pgagent.api.Experimental;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.core.internal.SessionState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The state of an {@link AgentSession} at a moment it was not running an ask, taken with
 * {@link AgentSession#snapshot()}, so that a host can store it and later continue the conversation in another
 * request, JVM or node with {@link PostgresAgent#restoreSession(SessionSnapshot)}. Immutable and
 * {@link Serializable}; {@link #toBytes()} and {@link #fromBytes(byte[])} give a compact byte form for a database
 * column.
 *
 * <p>It holds the session id, the kept history turns and, when the session waits for confirmations
 * ({@link AgentStatus#WAITING_FOR_CONFIRMATION}), the waiting ask: its id, question, messages so far, steps and token
 * usage, the row and byte budget left, the assistant message whose tool calls wait, the results of that step's other
 * tool calls, and the pending {@link ConfirmationRequest}s.
 *
 * <pre>{@code
 * // request 1: the ask ends waiting for a person
 * AgentResponse r = session.ask("Raise the price of product 7 by 10%");
 * if (r.status() == AgentStatus.WAITING_FOR_CONFIRMATION) {
 *     store(conversationId, session.snapshot().toBytes());   // show r.pendingConfirmations() to the user
 * }
 * // request 2, maybe on another node: the user decided
 * AgentSession again = agent.restoreSession(SessionSnapshot.fromBytes(load(conversationId)));
 * AgentResponse done = again.resume(Map.of(requestId, ConfirmationDecision.approve("alice")));
 * }</pre>
 *
 * <p>What it does not hold: no configuration and no secret (the model client, its key, the data source, the policy
 * all come from the agent that restores it); no result rows (result tables and dry-run samples carry real values, so
 * a resumed response's {@link AgentResponse#tables()} and {@link AgentResponse#statements()} have rows only for what
 * ran after the restore; the model's messages, which hold what it was shown, are kept); not the system prompt, which
 * the restoring agent builds again for its policy and tools. Approved statements are validated again by the
 * restoring agent's validator and refused when they no longer pass; the dry-run count and the write cap are checked
 * as in the original session.
 *
 * <p>A snapshot does not know whether it was already resumed: the host must consume each stored snapshot once
 * (delete or mark it when resuming). Every applied statement is audited with its confirmation request id.
 */
@Experimental
public final class SessionSnapshot implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private static final long MAX_BYTES = 64L * 1024 * 1024;

    private final transient SessionState state;

    SessionSnapshot(SessionState state) {
        this.state = Objects.requireNonNull(state, "state == null");
    }

    SessionState state() {
        return state;
    }

    /** Returns the session's identifier. */
    public String sessionId() {
        return state.sessionId();
    }

    /** Returns the kept history messages, oldest first (without the waiting ask's messages). */
    public List<ChatMessage> history() {
        return state.historyMessages();
    }

    /** Returns whether the session was waiting for confirmations. */
    public boolean isWaitingForConfirmation() {
        return state.waiting() != null;
    }

    /** Returns the id of the ask waiting for confirmations, if any. */
    public Optional<String> askId() {
        SessionState.Waiting w = state.waiting();
        return w == null ? Optional.empty() : Optional.of(w.askId());
    }

    /** Returns the confirmations the session waits for; empty when none. */
    public List<ConfirmationRequest> pendingConfirmations() {
        SessionState.Waiting w = state.waiting();
        return w == null ? List.of() : w.pendingRequests();
    }

    /**
     * Returns the compact byte form: Java serialization of this snapshot's serial proxy, whose content is a versioned
     * binary encoding of strings and numbers. Read it back with {@link #fromBytes(byte[])}.
     */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a snapshot written by {@link #toBytes()} (or by any {@link ObjectOutputStream} writing a snapshot). The
     * stream is read under an allow-list {@link ObjectInputFilter}: only the snapshot's serial proxy and a byte array
     * may appear (and the snapshot it resolves to); any other class is rejected before it is instantiated.
     *
     * @throws IllegalArgumentException if {@code bytes} does not hold exactly a snapshot, holds another class, or
     *     is malformed
     */
    public static SessionSnapshot fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes == null");
        AtomicReference<String> rejected = new AtomicReference<>();
        ObjectInputFilter filter = info -> {
            Class<?> type = info.serialClass();
            if (info.depth() > 2
                    || info.references() > 16
                    || info.streamBytes() > MAX_BYTES
                    || info.arrayLength() > MAX_BYTES) {
                return ObjectInputFilter.Status.REJECTED;
            }
            if (type == null) {
                return ObjectInputFilter.Status.UNDECIDED;
            }
            // the proxy, its byte array, and the snapshot the proxy resolves to (checked again after readResolve;
            // a snapshot written without its proxy is refused by its readObject)
            if (type == Proxy.class || type == byte[].class || type == SessionSnapshot.class) {
                return ObjectInputFilter.Status.ALLOWED;
            }
            rejected.compareAndSet(null, type.getName());
            return ObjectInputFilter.Status.REJECTED;
        };
        Object read;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(filter);
            read = in.readObject();
        } catch (InvalidClassException e) {
            String name = rejected.get();
            throw new IllegalArgumentException(
                    "bytes must hold a SessionSnapshot but held "
                            + (name != null
                                    ? "the class " + name + ", which is not allowed"
                                    : "a rejected stream: " + e.getMessage()),
                    e);
        } catch (InvalidObjectException e) {
            throw new IllegalArgumentException(
                    "bytes must hold a valid SessionSnapshot but did not: " + e.getMessage(), e);
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalArgumentException("bytes must hold a SessionSnapshot but could not be read: " + e, e);
        }
        if (read instanceof SessionSnapshot snapshot) {
            return snapshot;
        }
        throw new IllegalArgumentException("bytes must hold a SessionSnapshot but held "
                + (read == null ? "null" : read.getClass().getName()));
    }

    @Serial
    private Object writeReplace() {
        return new Proxy(state.encode());
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a SessionSnapshot must be read through its serial proxy");
    }

    @Override
    public String toString() {
        return "SessionSnapshot[session=" + state.sessionId() + ", historyTurns="
                + state.historyTurns().size() + ", pendingConfirmations="
                + pendingConfirmations().size() + "]";
    }

    /** The serial form: the snapshot's binary encoding. */
    private static final class Proxy implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        /** The binary encoding of the session state. */
        private final byte[] data;

        Proxy(byte[] data) {
            this.data = data;
        }

        @Serial
        private Object readResolve() throws ObjectStreamException {
            try {
                return new SessionSnapshot(SessionState.decode(data));
            } catch (IllegalArgumentException e) {
                throw new InvalidObjectException(e.getMessage());
            }
        }
    }
}
