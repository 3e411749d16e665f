package dev.pgagent.cli;

import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The options that shape the agent: the safety policy and the step limit; a picocli mixin. */
final class AgentOptions {
    @Option(
            names = "--policy",
            paramLabel = "LEVEL",
            converter = PolicyConverter.class,
            description = "read-only, balanced or permissive. Default: read-only. balanced and permissive allow "
                    + "writes after a dry run and your confirmation.")
    @Nullable PolicyLevel policy;

    @Option(
            names = "--max-steps",
            paramLabel = "N",
            description = "The most model turns for one question. Default: 8.")
    @Nullable Integer maxSteps;

    @Option(
            names = "--audit",
            paramLabel = "FILE",
            description = "Append the audit trail (statements run and refused, confirmations, model calls) to FILE,"
                    + " one JSON object a line. Default: none.")
    java.nio.file.@Nullable Path audit;

    /** Returns the safety policy of the level chosen. */
    SafetyPolicy policy() {
        PolicyLevel level = policy == null ? PolicyLevel.READ_ONLY : policy;
        return level == PolicyLevel.READ_ONLY ? SafetyPolicy.READ_ONLY : SafetyPolicy.builder().level(level).build();
    }

    /** Returns the step limit. */
    int maxSteps() {
        int n = maxSteps == null ? 8 : maxSteps;
        if (n < 1) {
            throw new UserException("--max-steps must be >= 1 but was " + n);
        }
        return n;
    }

    /** Returns the name a user types for {@code level}. */
    static String name(PolicyLevel level) {
        return level.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@code read-only}, {@code balanced} and {@code permissive}. */
    static final class PolicyConverter implements ITypeConverter<PolicyLevel> {
        @Override
        public PolicyLevel convert(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT).replace('_', '-');
            for (PolicyLevel level : PolicyLevel.values()) {
                if (name(level).equals(v) || (level == PolicyLevel.READ_ONLY && v.equals("readonly"))) {
                    return level;
                }
            }
            throw new picocli.CommandLine.TypeConversionException(
                    "--policy must be read-only, balanced or permissive but was '" + value + "'");
        }
    }
}
