package dev.pgagent.api.safety;

/**
 * Decides, for one SQL text, whether it may run: allowed, allowed after a person's confirmation, or denied, with
 * the statement's classification and the reason. A validator enforces the {@link SafetyPolicy} it was built with.
 * Implementations must be safe for concurrent use and must never throw for bad SQL: what cannot be understood is
 * denied. {@code dev.pgagent.testkit.contract.SafetyValidatorContract} (agent-testkit) checks an implementation.
 */
@FunctionalInterface
public interface SafetyValidator {
    /** Returns the verdict for {@code sql}, which may hold any text, including several statements. */
    Verdict validate(String sql);
}
