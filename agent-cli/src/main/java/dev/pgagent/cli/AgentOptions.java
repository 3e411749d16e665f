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
    @Nullable
    PolicyLevel policy;

    @Option(names = "--max-steps", paramLabel = "N", description = "The most model turns for one question. Default: 8.")
    @Nullable
    Integer maxSteps;

    @Option(
            names = "--audit",
            paramLabel = "FILE",
            description = "Append the audit trail (statements run and refused, confirmations, model calls) to FILE,"
                    + " one JSON object a line. Default: none.")
    java.nio.file.@Nullable Path audit;

    @Option(
            names = "--audit-chained",
            description = "Write the --audit file as a hash chain: each line carries the hash of the line before, so"
                    + " that 'pg-agent audit verify FILE' finds an edited, removed or reordered line. The file must"
                    + " be new or chained already. Default: off (configuration: audit.chained).")
    boolean auditChained;

    /** The configuration, once {@link Configs#apply} found a file; null otherwise. */
    dev.pgagent.config.@Nullable AgentConfig config;

    /**
     * Returns the safety policy: the selected profile's when a configuration file is in use (with {@code --policy}
     * applied over it), else the level chosen.
     */
    SafetyPolicy policy() {
        if (config != null) {
            return config.database().policy();
        }
        PolicyLevel level = policy == null ? PolicyLevel.READ_ONLY : policy;
        return level == PolicyLevel.READ_ONLY
                ? SafetyPolicy.READ_ONLY
                : SafetyPolicy.builder().level(level).build();
    }

    /**
     * Returns the policy that decides whether confirmations are asked at all: with a configuration file, the least
     * strict of its profiles' (the agent serves them all), else {@link #policy()}.
     */
    SafetyPolicy confirmationPolicy() {
        if (config == null) {
            return policy();
        }
        SafetyPolicy loosest = config.database().policy();
        for (dev.pgagent.config.DatabaseProfile p : config.databases()) {
            if (p.policy().level().compareTo(loosest.level()) > 0) {
                loosest = p.policy();
            }
        }
        return loosest;
    }

    /** Returns the step limit. */
    int maxSteps() {
        if (config != null) {
            return config.agent().maxSteps();
        }
        int n = maxSteps == null ? 8 : maxSteps;
        if (n < 1) {
            throw new UserException("--max-steps must be >= 1 but was " + n);
        }
        return n;
    }

    /**
     * Checks the settings before anything runs: the step limit, and that the audit file can be opened for
     * appending (it is created if missing), so that no ask runs without the trail asked for.
     *
     * @throws UserException if a setting is wrong (exit status 2)
     */
    void checkSettings() {
        maxSteps();
        java.nio.file.Path file = config != null ? config.audit().jsonl().orElse(null) : audit;
        if (file == null) {
            return;
        }
        if (chainedAudit()) {
            checkChainable(file);
        }
        if (java.nio.file.Files.isDirectory(file)) {
            throw new UserException("--audit " + file + " cannot be written: it is a directory");
        }
        try {
            // opened for append (and created when missing): the sink will be able to write
            java.nio.file.Files.newOutputStream(
                            file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)
                    .close();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserException("--audit " + file + " cannot be written: its directory does not exist");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new UserException("--audit " + file + " cannot be written: permission denied");
        } catch (java.io.IOException | SecurityException e) {
            String reason = e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null
                    ? fs.getReason()
                    : String.valueOf(e.getMessage());
            throw new UserException("--audit " + file + " cannot be written: " + reason);
        }
    }

    /** Returns whether the audit file is written as a hash chain (the configuration's, else the flag's). */
    boolean chainedAudit() {
        return config != null ? config.audit().chained() : auditChained;
    }

    /** Refuses a file whose last line is not a chained record: the chain could not continue from it. */
    private static void checkChainable(java.nio.file.Path file) {
        if (!java.nio.file.Files.isRegularFile(file)) {
            return;
        }
        String last = null;
        try (java.io.BufferedReader in = java.nio.file.Files.newBufferedReader(file)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    last = line;
                }
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new UserException("--audit " + file + " cannot be read: " + e.getMessage());
        }
        if (last != null && !(last.contains("\"prevHash\"") && last.contains("\"hash\""))) {
            throw new UserException("--audit " + file + " holds lines without hashes, so a chain cannot continue it:"
                    + " give the chained trail a file of its own");
        }
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
