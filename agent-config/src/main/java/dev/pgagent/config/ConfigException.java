package dev.pgagent.config;

import dev.pgagent.api.ConfigurationException;
import dev.pgagent.api.Experimental;
import java.util.List;
import java.util.Objects;

/**
 * Reports every problem found in a configuration at once, each with where it is: a file position
 * ({@code pgagent.yaml:12:5: unknown key 'maxStep' in agent; did you mean 'maxSteps'?}), an environment variable or
 * an override. Thrown before anything connects. The message lists the problems one a line; it never contains a
 * password or an API key.
 */
@Experimental
public final class ConfigException extends ConfigurationException {
    private static final long serialVersionUID = 1L;

    /** The problems; a record is serializable because its components are. */
    private final List<Problem> problems;

    /**
     * One problem and where it is.
     *
     * @param origin where the offending setting is
     * @param message what is wrong and, where it helps, how to fix it
     */
    public record Problem(Origin origin, String message) implements java.io.Serializable {
        /** Checks the components. */
        public Problem {
            Objects.requireNonNull(origin, "origin == null");
            Objects.requireNonNull(message, "message == null");
        }

        /** Returns {@code origin: message}, for example {@code pgagent.yaml:3:5: maxSteps must be >= 1 but was 0}. */
        @Override
        public String toString() {
            return origin + ": " + message;
        }
    }

    /**
     * Creates the exception.
     *
     * @param problems the problems, at least one, in the order found
     */
    public ConfigException(List<Problem> problems) {
        super(render(problems));
        this.problems = List.copyOf(problems);
    }

    private static String render(List<Problem> problems) {
        Objects.requireNonNull(problems, "problems == null");
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("problems must not be empty but was empty");
        }
        if (problems.size() == 1) {
            return problems.get(0).toString();
        }
        StringBuilder sb = new StringBuilder().append(problems.size()).append(" problems in the configuration:");
        for (Problem p : problems) {
            sb.append("\n  ").append(p);
        }
        return sb.toString();
    }

    /** Returns the problems, at least one, in the order found. */
    public List<Problem> problems() {
        return problems;
    }
}
