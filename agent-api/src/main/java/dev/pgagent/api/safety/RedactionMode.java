package dev.pgagent.api.safety;

/** How personal data found in results is hidden from the model. */
public enum RedactionMode {
    /** Results reach the model unchanged. */
    OFF,
    /** Detected values are replaced by a mask that keeps their kind, for example {@code [EMAIL]}. The default. */
    MASK,
    /** Detected values are replaced by a stable hash, so equal values stay equal for the model. */
    HASH,
    /** Columns holding personal data are removed from what the model sees. */
    DROP_COLUMN
}
