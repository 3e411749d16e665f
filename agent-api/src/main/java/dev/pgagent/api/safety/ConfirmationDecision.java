package dev.pgagent.api.safety;

import java.io.Serializable;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A person's answer to a {@link ConfirmationRequest}.
 *
 * @param status approved, declined, or deferred (no answer yet: the ask ends waiting for confirmation)
 * @param typedText what the person typed, for a {@link ConfirmationKind#TYPED} confirmation; else null
 * @param decidedBy who decided, for the audit record (a user name, "terminal", "timeout", ...)
 * @param comment an optional note shown to the model when declined; empty when none
 */
public record ConfirmationDecision(Status status, @Nullable String typedText, String decidedBy, String comment)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The kind of answer. */
    public enum Status {
        /** Apply the statement. */
        APPROVED,
        /** Do not apply it; the model is told. */
        DECLINED,
        /** No answer yet: end the ask in a waiting state so the host can resume it later. */
        DEFERRED
    }

    /** Validates the components. */
    public ConfirmationDecision {
        Objects.requireNonNull(status, "status == null");
        Objects.requireNonNull(decidedBy, "decidedBy == null");
        Objects.requireNonNull(comment, "comment == null");
    }

    /** Returns an approval. */
    public static ConfirmationDecision approve(String decidedBy) {
        return new ConfirmationDecision(Status.APPROVED, null, decidedBy, "");
    }

    /** Returns an approval with the text the person typed (checked against the request's expected text). */
    public static ConfirmationDecision approveTyped(String typedText, String decidedBy) {
        return new ConfirmationDecision(Status.APPROVED, typedText, decidedBy, "");
    }

    /** Returns a refusal with a note for the model. */
    public static ConfirmationDecision decline(String decidedBy, String comment) {
        return new ConfirmationDecision(Status.DECLINED, null, decidedBy, comment);
    }

    /** Returns a deferral: the ask ends waiting for this confirmation. */
    public static ConfirmationDecision defer() {
        return new ConfirmationDecision(Status.DEFERRED, null, "deferred", "");
    }

    /** Returns whether the statement was approved. */
    public boolean isApproved() {
        return status == Status.APPROVED;
    }
}
