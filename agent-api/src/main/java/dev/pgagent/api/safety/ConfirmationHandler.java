package dev.pgagent.api.safety;

/**
 * Answers a request to approve a statement. A blocking handler asks a person and waits (the agent bounds the wait
 * with {@link SafetyPolicy#confirmationTimeout()}); a non-blocking host returns {@link ConfirmationDecision#defer()},
 * the ask ends waiting for confirmation, and the host resumes the session later with the person's decisions.
 * Implementations must be safe for concurrent use.
 */
@FunctionalInterface
public interface ConfirmationHandler {
    /** Declines everything; the default, so nothing needing confirmation ever runs unless a host says yes. */
    ConfirmationHandler DECLINE_ALL =
            request -> ConfirmationDecision.decline("no-handler", "no confirmation handler is configured");

    /** Defers everything, so each ask that needs a confirmation ends waiting for one. */
    ConfirmationHandler DEFER_ALL = request -> ConfirmationDecision.defer();

    /** Returns the decision for {@code request}; may block. */
    ConfirmationDecision confirm(ConfirmationRequest request);
}
