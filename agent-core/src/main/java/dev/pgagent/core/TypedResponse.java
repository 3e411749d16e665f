package dev.pgagent.core;

import dev.pgagent.api.Experimental;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of an ask that wanted a typed value back ({@link AgentSession#ask(String, Class)}): the
 * {@link AgentResponse}, and the value read from the model's final answer, checked against the schema. The value is
 * there when the ask completed; the answer's text is then the value's JSON. Immutable and thread-safe when the value
 * is.
 *
 * <pre>{@code
 * record TopCustomer(String name, BigDecimal spent) {}
 * record Top(List<TopCustomer> customers) {}
 *
 * Top top = session.ask("Who were the five best customers last year?", Top.class).orThrow();
 * }</pre>
 *
 * @param <T> the type of the value
 */
@Experimental
public final class TypedResponse<T> {
    private final AgentResponse response;
    private final @Nullable T value;

    private TypedResponse(AgentResponse response, @Nullable T value) {
        this.response = Objects.requireNonNull(response, "response == null");
        this.value = value;
    }

    /**
     * Returns a typed response; the agent makes them, hosts may for their own tests.
     *
     * @param value the value, or null when the ask did not complete with one
     */
    public static <T> TypedResponse<T> of(AgentResponse response, @Nullable T value) {
        return new TypedResponse<>(response, value);
    }

    /** Returns the ask's response: status, answer (the value's JSON), statements, tables, steps, usage. */
    public AgentResponse response() {
        return response;
    }

    /** Returns how the ask ended. */
    public AgentStatus status() {
        return response.status();
    }

    /** Returns the value, when the ask completed with one. */
    public Optional<T> value() {
        return Optional.ofNullable(value);
    }

    /**
     * Returns the value, or throws what {@link AgentResponse#orThrow()} throws when the ask did not complete.
     *
     * @throws IllegalStateException if the ask waits for confirmations (there is no value yet)
     */
    public T orThrow() {
        response.orThrow();
        if (value == null) {
            throw new IllegalStateException(
                    "the ask must have completed with a value but its status is " + response.status());
        }
        return value;
    }

    @Override
    public String toString() {
        return "TypedResponse{" + response + (value == null ? "" : ", value=" + value) + '}';
    }
}
