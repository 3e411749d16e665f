package dev.pgagent.core.internal;

/** Thrown inside an ask when its time limit is reached; turned into {@code LIMIT_REACHED} at the top. */
final class TimeUp extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TimeUp() {
        super("time is up", null, false, false);
    }
}
