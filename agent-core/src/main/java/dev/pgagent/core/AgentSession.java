package dev.pgagent.core;

import dev.pgagent.api.Experimental;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ResponseSchema;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.core.internal.OutputSpec;
import dev.pgagent.core.internal.SessionEngine;
import java.util.List;
import java.util.Map;

/**
 * One user's conversation with a {@link PostgresAgent}: it keeps the history of past turns (bounded by the
 * agent's history token budget, whole turns only) so follow-up questions work. A session answers one question at a
 * time; {@link #cancel()} may be called from any thread. Thread-safe.
 *
 * <pre>{@code
 * AgentSession session = agent.newSession("user-42");
 * AgentResponse first = session.ask("How many orders were placed in March?");
 * AgentResponse second = session.ask("And in April?");
 * }</pre>
 *
 * <p>Non-blocking confirmations: when the {@link dev.pgagent.api.safety.ConfirmationHandler} defers, the ask ends
 * with {@link AgentStatus#WAITING_FOR_CONFIRMATION}. The pending requests ({@link #pendingConfirmations()}) are
 * {@link java.io.Serializable} and may be stored or sent to a person; {@link #resume(Map)} on this session then
 * applies or declines them, tells the model the outcome, and continues the ask. To resume in another request, JVM
 * or node, store {@link #snapshot()} (for example {@link SessionSnapshot#toBytes()}) and later call
 * {@link PostgresAgent#restoreSession(SessionSnapshot)} and {@link #resume(Map)} on the restored session.
 */
public final class AgentSession {
    private final SessionEngine engine;

    AgentSession(SessionEngine engine) {
        this.engine = engine;
    }

    /** Returns the session's identifier, as found in audit records. */
    public String id() {
        return engine.id();
    }

    /**
     * Asks a question and blocks until the ask ends: with an answer, a limit, a cancellation, a failure, or waiting
     * for confirmations. Failures of the model, the tools or the database are reported in the response, not thrown.
     *
     * @throws IllegalStateException if an ask is already running in this session, or confirmations are pending
     */
    public AgentResponse ask(String question) {
        return engine.ask(question);
    }

    /**
     * Asks a question and wants a value of a record type back: the schema is derived from the record (every
     * component required; a JSpecify {@code @Nullable} component may be null), asked of the provider its way (its
     * structured output, else the schema in the prompt), and the model's final answer is checked against it; an
     * answer that does not match is shown its problems and repaired once, else the ask fails with a
     * {@link dev.pgagent.api.llm.StructuredOutputException} as its error. The model may still call tools first.
     *
     * @throws IllegalArgumentException if {@code type} is not a record or has a component type structured output
     *     does not support (see {@link StructuredOutput#schemaOf(Class)}), or the question is too long
     * @throws IllegalStateException if an ask is already running in this session, or confirmations are pending
     */
    @Experimental
    public <T> TypedResponse<T> ask(String question, Class<T> type) {
        SessionEngine.Answer a = engine.ask(question, OutputSpec.of(type));
        return TypedResponse.of(a.response(), type.cast(a.value()));
    }

    /**
     * Asks a question and wants a JSON value matching {@code schema} back, as {@link #ask(String, Class)} does; the
     * value is the answer's JSON text.
     *
     * @throws IllegalArgumentException if the schema is not a JSON object
     * @throws IllegalStateException if an ask is already running in this session, or confirmations are pending
     */
    @Experimental
    public TypedResponse<String> ask(String question, ResponseSchema schema) {
        SessionEngine.Answer a = engine.ask(question, OutputSpec.of(schema));
        return TypedResponse.of(a.response(), (String) a.value());
    }

    /**
     * Continues an ask that ended {@link AgentStatus#WAITING_FOR_CONFIRMATION}: applies each approved statement
     * (checking a typed confirmation's text and the policy's write cap; a count different from the dry run's rolls
     * it back), declines the others, gives the outcomes to the model as the results of its pending tool calls, and
     * runs the loop on. Requests left out of {@code decisions} or deferred again stay pending, and the response
     * says so.
     *
     * @param decisions the decisions keyed by {@link ConfirmationRequest#id()}
     * @throws IllegalStateException if nothing is pending or an ask is running
     * @throws IllegalArgumentException if a key is not the id of a pending request
     */
    public AgentResponse resume(Map<String, ConfirmationDecision> decisions) {
        return engine.resume(decisions);
    }

    /**
     * Cancels the running ask, if any: the database statement is cancelled on the server, the model call is
     * abandoned, and {@link #ask(String)} returns {@link AgentStatus#CANCELLED} promptly. Returns at once.
     */
    public void cancel() {
        engine.cancel();
    }

    /** Returns the confirmations this session waits for; empty when none. */
    public List<ConfirmationRequest> pendingConfirmations() {
        return engine.pendingConfirmations();
    }

    /**
     * Returns the session's state (history and, when waiting for confirmations, the waiting ask), to be stored and
     * given later to {@link PostgresAgent#restoreSession(SessionSnapshot)}. The session itself is unchanged.
     *
     * @throws IllegalStateException if an ask is running
     */
    @Experimental
    public SessionSnapshot snapshot() {
        return new SessionSnapshot(engine.snapshot());
    }

    /** Returns the past turns' messages kept for the next ask, oldest first. */
    public List<ChatMessage> history() {
        return engine.history();
    }

    @Override
    public String toString() {
        return "AgentSession[" + engine.id() + "]";
    }
}
