package dev.pgagent.api.safety;

import dev.pgagent.api.ConfigurationException;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What the model may do to the database: a {@link PolicyLevel}, host rules on top of it, and the runtime limits of
 * every statement. A policy is data: build it in code, or load it from {@link Properties} with
 * {@link #fromProperties(Properties)}; {@link #toString()} prints it in a form a reviewer can read, and
 * {@link #toProperties()} writes it back. Immutable and thread-safe.
 *
 * <pre>{@code
 * SafetyPolicy policy = SafetyPolicy.builder()
 *     .level(PolicyLevel.BALANCED)
 *     .deniedColumns("customers.ssn")
 *     .maxWriteRows(100)
 *     .build();
 * }</pre>
 *
 * <p>Table and column names are matched case-insensitively, unqualified or schema-qualified: a rule for
 * {@code orders} matches {@code orders} in any schema, a rule for {@code sales.orders} only that table.
 */
public final class SafetyPolicy {
    /** The read-only policy with every default. */
    public static final SafetyPolicy READ_ONLY = builder().build();

    private static final String PREFIX = "pgagent.policy.";

    private final PolicyLevel level;
    private final Set<GuardedOperation> allowedGuarded;
    private final Set<String> deniedFunctions;
    private final Set<String> allowedFunctions;
    private final Set<String> allowedSchemas;
    private final Set<String> allowedTables;
    private final Set<String> deniedTables;
    private final Set<String> deniedColumns;
    private final Set<String> secondPartyTables;
    private final Set<String> estimateOnlyTables;
    private final long maxWriteRows;
    private final Duration statementTimeout;
    private final Duration lockTimeout;
    private final int maxRows;
    private final long maxBytes;
    private final long askMaxRows;
    private final long askMaxBytes;
    private final Duration askMaxTime;
    private final UnparseableSqlMode unparseableSql;
    private final @Nullable String role;
    private final RedactionMode redaction;
    private final Set<String> piiColumnHints;
    private final Duration confirmationTimeout;

    private SafetyPolicy(Builder b) {
        this.level = b.level;
        this.allowedGuarded = b.allowedGuarded.isEmpty()
                ? Set.of()
                : java.util.Collections.unmodifiableSet(EnumSet.copyOf(b.allowedGuarded));
        this.deniedFunctions = sorted(b.deniedFunctions);
        this.allowedFunctions = sorted(b.allowedFunctions);
        this.allowedSchemas = sorted(b.allowedSchemas);
        this.allowedTables = sorted(b.allowedTables);
        this.deniedTables = sorted(b.deniedTables);
        this.deniedColumns = sorted(b.deniedColumns);
        this.secondPartyTables = sorted(b.secondPartyTables);
        this.estimateOnlyTables = sorted(b.estimateOnlyTables);
        this.maxWriteRows = b.maxWriteRows;
        this.statementTimeout = b.statementTimeout;
        this.lockTimeout = b.lockTimeout;
        this.maxRows = b.maxRows;
        this.maxBytes = b.maxBytes;
        this.askMaxRows = b.askMaxRows;
        this.askMaxBytes = b.askMaxBytes;
        this.askMaxTime = b.askMaxTime;
        this.unparseableSql = b.unparseableSql;
        this.role = b.role;
        this.redaction = b.redaction;
        this.piiColumnHints = sorted(b.piiColumnHints);
        this.confirmationTimeout = b.confirmationTimeout;
    }

    private static Set<String> sorted(Set<String> names) {
        return java.util.Collections.unmodifiableSortedSet(new TreeSet<>(names));
    }

    /** Returns a builder with every default: read-only, no host rules. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the read-only policy with every default. */
    public static SafetyPolicy readOnly() {
        return READ_ONLY;
    }

    /** Returns a builder initialised with this policy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.level = level;
        b.allowedGuarded.addAll(allowedGuarded);
        b.deniedFunctions.addAll(deniedFunctions);
        b.allowedFunctions.addAll(allowedFunctions);
        b.allowedSchemas.addAll(allowedSchemas);
        b.allowedTables.addAll(allowedTables);
        b.deniedTables.addAll(deniedTables);
        b.deniedColumns.addAll(deniedColumns);
        b.secondPartyTables.addAll(secondPartyTables);
        b.estimateOnlyTables.addAll(estimateOnlyTables);
        b.maxWriteRows = maxWriteRows;
        b.statementTimeout = statementTimeout;
        b.lockTimeout = lockTimeout;
        b.maxRows = maxRows;
        b.maxBytes = maxBytes;
        b.askMaxRows = askMaxRows;
        b.askMaxBytes = askMaxBytes;
        b.askMaxTime = askMaxTime;
        b.unparseableSql = unparseableSql;
        b.role = role;
        b.redaction = redaction;
        b.piiColumnHints.addAll(piiColumnHints);
        b.confirmationTimeout = confirmationTimeout;
        return b;
    }

    /** Returns the level. Default: {@link PolicyLevel#READ_ONLY}. */
    public PolicyLevel level() {
        return level;
    }

    /** Returns the guarded operations the host opted in to. Default: none. */
    public Set<GuardedOperation> allowedGuarded() {
        return allowedGuarded;
    }

    /** Returns functions denied in addition to the validator's built-in list, lower-case. Default: none. */
    public Set<String> deniedFunctions() {
        return deniedFunctions;
    }

    /** Returns functions exempted from the validator's built-in deny list, lower-case. Default: none. */
    public Set<String> allowedFunctions() {
        return allowedFunctions;
    }

    /** Returns the schemas statements may touch; empty means every visible schema. Default: empty. */
    public Set<String> allowedSchemas() {
        return allowedSchemas;
    }

    /** Returns the tables statements may touch; empty means every table. Default: empty. */
    public Set<String> allowedTables() {
        return allowedTables;
    }

    /** Returns the tables statements must not touch. Default: none. */
    public Set<String> deniedTables() {
        return deniedTables;
    }

    /** Returns the columns statements must not touch, as {@code table.column} or {@code schema.table.column}. */
    public Set<String> deniedColumns() {
        return deniedColumns;
    }

    /** Returns the tables whose writes need a second party's approval. Default: none. */
    public Set<String> secondPartyTables() {
        return secondPartyTables;
    }

    /**
     * Returns the tables whose writes are dry-run by estimate only ({@code EXPLAIN}: nothing is executed, so no
     * sequence advances and no trigger fires), or {@code *} for every table. Default: none (writes are dry-run by
     * executing them in a transaction that is rolled back).
     */
    public Set<String> estimateOnlyTables() {
        return estimateOnlyTables;
    }

    /** Returns whether a write to {@code tables} is dry-run by estimate only; see {@link #estimateOnlyTables()}. */
    public boolean estimateOnly(Set<String> tables) {
        if (estimateOnlyTables.contains("*")) {
            return true;
        }
        for (String t : tables) {
            String lower = t.toLowerCase(Locale.ROOT);
            String bare = lower.contains(".") ? lower.substring(lower.lastIndexOf('.') + 1) : lower;
            if (estimateOnlyTables.contains(lower) || estimateOnlyTables.contains(bare)) {
                return true;
            }
        }
        return false;
    }

    /** Returns the most rows one write may change, checked on its dry run. Default: 1,000. */
    public long maxWriteRows() {
        return maxWriteRows;
    }

    /** Returns the server-side time limit of one statement ({@code statement_timeout}). Default: 30 s. */
    public Duration statementTimeout() {
        return statementTimeout;
    }

    /** Returns how long one statement may wait for a lock ({@code lock_timeout}). Default: 5 s. */
    public Duration lockTimeout() {
        return lockTimeout;
    }

    /** Returns the most rows kept from one result. Default: 1,000. */
    public int maxRows() {
        return maxRows;
    }

    /** Returns the most bytes of values kept from one result. Default: 1 MiB. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Returns the most rows fetched over one ask, all statements together. Default: 20,000. */
    public long askMaxRows() {
        return askMaxRows;
    }

    /** Returns the most bytes fetched over one ask, all statements together. Default: 16 MiB. */
    public long askMaxBytes() {
        return askMaxBytes;
    }

    /**
     * Returns the most time the statements of one ask may spend in the database together: each statement's
     * {@code statement_timeout} is cut to what is left, and none starts once it is used up. Default: 2 minutes.
     */
    public Duration askMaxTime() {
        return askMaxTime;
    }

    /** Returns what to do with SQL the parser cannot read. Default: {@link UnparseableSqlMode#REFUSE}. */
    public UnparseableSqlMode unparseableSql() {
        return unparseableSql;
    }

    /** Returns the role every model-issued statement runs as ({@code SET LOCAL ROLE}), if set. Default: unset. */
    public Optional<String> role() {
        return Optional.ofNullable(role);
    }

    /** Returns how personal data in results is hidden from the model. Default: {@link RedactionMode#MASK}. */
    public RedactionMode redaction() {
        return redaction;
    }

    /** Returns extra column-name fragments that mark a column as personal data. Default: none. */
    public Set<String> piiColumnHints() {
        return piiColumnHints;
    }

    /** Returns how long a blocking confirmation may wait for an answer. Default: 5 minutes. */
    public Duration confirmationTimeout() {
        return confirmationTimeout;
    }

    /** Returns whether the host opted in to {@code op}. */
    public boolean allows(GuardedOperation op) {
        return allowedGuarded.contains(op);
    }

    /**
     * Returns this policy as properties under the {@code pgagent.policy.} prefix; {@link #fromProperties} reads
     * them back to an equal policy.
     */
    public Properties toProperties() {
        Properties p = new Properties();
        entries().forEach((k, v) -> p.setProperty(PREFIX + k, v));
        return p;
    }

    private Map<String, String> entries() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("level", level.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        m.put(
                "allowed-guarded",
                allowedGuarded.stream().map(Enum::name).sorted().collect(Collectors.joining(",")));
        m.put("denied-functions", String.join(",", deniedFunctions));
        m.put("allowed-functions", String.join(",", allowedFunctions));
        m.put("allowed-schemas", String.join(",", allowedSchemas));
        m.put("allowed-tables", String.join(",", allowedTables));
        m.put("denied-tables", String.join(",", deniedTables));
        m.put("denied-columns", String.join(",", deniedColumns));
        m.put("second-party-tables", String.join(",", secondPartyTables));
        m.put("estimate-only-dry-runs", String.join(",", estimateOnlyTables));
        m.put("max-write-rows", Long.toString(maxWriteRows));
        m.put("statement-timeout", statementTimeout.toString());
        m.put("lock-timeout", lockTimeout.toString());
        m.put("max-rows", Integer.toString(maxRows));
        m.put("max-bytes", Long.toString(maxBytes));
        m.put("ask-max-rows", Long.toString(askMaxRows));
        m.put("ask-max-bytes", Long.toString(askMaxBytes));
        m.put("ask-max-time", askMaxTime.toString());
        m.put("unparseable-sql", unparseableSql.name());
        m.put("role", role == null ? "" : role);
        m.put("redaction", redaction.name());
        m.put("pii-column-hints", String.join(",", piiColumnHints));
        m.put("confirmation-timeout", confirmationTimeout.toString());
        return m;
    }

    /**
     * Reads a policy from properties under the {@code pgagent.policy.} prefix (as {@link #toProperties()} writes
     * them). Missing keys keep their defaults; lists are comma-separated; durations are ISO-8601
     * ({@code PT30S}) or a number of milliseconds.
     *
     * @throws ConfigurationException if a key is unknown or a value is invalid; the message names the key
     */
    public static SafetyPolicy fromProperties(Properties properties) {
        Objects.requireNonNull(properties, "properties == null");
        Builder b = builder();
        for (String name : new TreeSet<>(properties.stringPropertyNames())) {
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            String key = name.substring(PREFIX.length());
            String value = properties.getProperty(name).strip();
            try {
                apply(b, key, value);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("invalid policy property " + name + ": " + e.getMessage(), e);
            }
        }
        return b.build();
    }

    private static void apply(Builder b, String key, String value) {
        switch (key) {
            case "level" ->
                b.level(PolicyLevel.valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_')));
            case "allowed-guarded" ->
                b.allowGuarded(list(
                                value,
                                s -> GuardedOperation.valueOf(
                                        s.toUpperCase(Locale.ROOT).replace('-', '_')))
                        .toArray(GuardedOperation[]::new));
            case "denied-functions" -> b.deniedFunctions(list(value, s -> s).toArray(String[]::new));
            case "allowed-functions" -> b.allowedFunctions(list(value, s -> s).toArray(String[]::new));
            case "allowed-schemas" -> b.allowedSchemas(list(value, s -> s).toArray(String[]::new));
            case "allowed-tables" -> b.allowedTables(list(value, s -> s).toArray(String[]::new));
            case "denied-tables" -> b.deniedTables(list(value, s -> s).toArray(String[]::new));
            case "denied-columns" -> b.deniedColumns(list(value, s -> s).toArray(String[]::new));
            case "second-party-tables" ->
                b.secondPartyTables(list(value, s -> s).toArray(String[]::new));
            case "estimate-only-dry-runs" ->
                b.estimateOnlyDryRuns(list(value, s -> s).toArray(String[]::new));
            case "max-write-rows" -> b.maxWriteRows(Long.parseLong(value));
            case "statement-timeout" -> b.statementTimeout(duration(value));
            case "lock-timeout" -> b.lockTimeout(duration(value));
            case "max-rows" -> b.maxRows(Integer.parseInt(value));
            case "max-bytes" -> b.maxBytes(Long.parseLong(value));
            case "ask-max-rows" -> b.askMaxRows(Long.parseLong(value));
            case "ask-max-bytes" -> b.askMaxBytes(Long.parseLong(value));
            case "ask-max-time" -> b.askMaxTime(duration(value));
            case "unparseable-sql" ->
                b.unparseableSql(UnparseableSqlMode.valueOf(
                        value.toUpperCase(Locale.ROOT).replace('-', '_')));
            case "role" -> b.role(value.isEmpty() ? null : value);
            case "redaction" ->
                b.redaction(RedactionMode.valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_')));
            case "pii-column-hints" -> b.piiColumnHints(list(value, s -> s).toArray(String[]::new));
            case "confirmation-timeout" -> b.confirmationTimeout(duration(value));
            default -> throw new IllegalArgumentException("unknown key");
        }
    }

    private static <T> List<T> list(String value, Function<String, T> f) {
        return Arrays.stream(value.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .map(f)
                .toList();
    }

    private static Duration duration(String value) {
        if (value.chars().allMatch(Character::isDigit) && !value.isEmpty()) {
            return Duration.ofMillis(Long.parseLong(value));
        }
        try {
            return Duration.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("must be an ISO-8601 duration or milliseconds but was " + value, e);
        }
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof SafetyPolicy other && entries().equals(other.entries());
    }

    @Override
    public int hashCode() {
        return entries().hashCode();
    }

    /** Returns the policy as one {@code key = value} line a setting, for a reviewer. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SafetyPolicy\n");
        entries()
                .forEach((k, v) -> sb.append("  ")
                        .append(k)
                        .append(" = ")
                        .append(v.isEmpty() ? "(none)" : v)
                        .append('\n'));
        return sb.toString();
    }

    /** Builds a {@link SafetyPolicy}. Not thread-safe. */
    public static final class Builder {
        private PolicyLevel level = PolicyLevel.READ_ONLY;
        private final Set<GuardedOperation> allowedGuarded = EnumSet.noneOf(GuardedOperation.class);
        private final Set<String> deniedFunctions = new TreeSet<>();
        private final Set<String> allowedFunctions = new TreeSet<>();
        private final Set<String> allowedSchemas = new TreeSet<>();
        private final Set<String> allowedTables = new TreeSet<>();
        private final Set<String> deniedTables = new TreeSet<>();
        private final Set<String> deniedColumns = new TreeSet<>();
        private final Set<String> secondPartyTables = new TreeSet<>();
        private final Set<String> estimateOnlyTables = new TreeSet<>();
        private long maxWriteRows = 1_000;
        private Duration statementTimeout = Duration.ofSeconds(30);
        private Duration lockTimeout = Duration.ofSeconds(5);
        private int maxRows = 1_000;
        private long maxBytes = 1L << 20;
        private long askMaxRows = 20_000;
        private long askMaxBytes = 16L << 20;
        private Duration askMaxTime = Duration.ofMinutes(2);
        private UnparseableSqlMode unparseableSql = UnparseableSqlMode.REFUSE;
        private @Nullable String role;
        private RedactionMode redaction = RedactionMode.MASK;
        private final Set<String> piiColumnHints = new TreeSet<>();
        private Duration confirmationTimeout = Duration.ofMinutes(5);

        private Builder() {}

        /** Sets the level. Default: {@link PolicyLevel#READ_ONLY}. */
        public Builder level(PolicyLevel level) {
            this.level = Objects.requireNonNull(level, "level == null");
            return this;
        }

        /** Opts in to guarded operations; they still need a typed confirmation. Default: none. */
        public Builder allowGuarded(GuardedOperation... ops) {
            for (GuardedOperation op : ops) {
                allowedGuarded.add(Objects.requireNonNull(op, "op == null"));
            }
            return this;
        }

        /** Denies functions in addition to the built-in list (names optionally schema-qualified). Default: none. */
        public Builder deniedFunctions(String... names) {
            return addNames(deniedFunctions, "deniedFunctions", names);
        }

        /** Exempts functions from the built-in deny list. Default: none. */
        public Builder allowedFunctions(String... names) {
            return addNames(allowedFunctions, "allowedFunctions", names);
        }

        /** Restricts statements to these schemas. Default: none (every visible schema). */
        public Builder allowedSchemas(String... names) {
            return addNames(allowedSchemas, "allowedSchemas", names);
        }

        /** Restricts statements to these tables. Default: none (every table). */
        public Builder allowedTables(String... names) {
            return addNames(allowedTables, "allowedTables", names);
        }

        /** Denies statements that touch these tables. Default: none. */
        public Builder deniedTables(String... names) {
            return addNames(deniedTables, "deniedTables", names);
        }

        /**
         * Denies statements that touch these columns, however aliased or wrapped, given as {@code table.column} or
         * {@code schema.table.column}. Default: none.
         */
        public Builder deniedColumns(String... names) {
            for (String n : names) {
                if (n == null || n.split("\\.").length < 2) {
                    throw new IllegalArgumentException(
                            "deniedColumns must be table.column or schema.table.column but was " + n);
                }
            }
            return addNames(deniedColumns, "deniedColumns", names);
        }

        /** Requires a second party's approval for writes to these tables. Default: none. */
        public Builder secondPartyTables(String... names) {
            return addNames(secondPartyTables, "secondPartyTables", names);
        }

        /**
         * Dry-runs writes to these tables by estimate only: {@code EXPLAIN} gives the planner's row estimate and
         * nothing is executed, so the dry run leaves nothing behind (an executed dry run is rolled back, but sequences
         * it advanced stay advanced and non-transactional effects of triggers or functions stay done). {@code *}
         * means every table. An estimated write is applied only if it changes at most {@link #maxWriteRows} rows.
         * Default: none.
         */
        public Builder estimateOnlyDryRuns(String... tables) {
            return addNames(estimateOnlyTables, "estimateOnlyDryRuns", tables);
        }

        private Builder addNames(Set<String> target, String what, String... names) {
            for (String n : names) {
                if (n == null || n.isBlank()) {
                    throw new IllegalArgumentException(what + " must not hold blank names but was " + n);
                }
                target.add(n.strip().toLowerCase(Locale.ROOT));
            }
            return this;
        }

        /** Sets the most rows one write may change; at least 1. Default: 1,000. */
        public Builder maxWriteRows(long maxWriteRows) {
            if (maxWriteRows < 1) {
                throw new IllegalArgumentException("maxWriteRows must be >= 1 but was " + maxWriteRows);
            }
            this.maxWriteRows = maxWriteRows;
            return this;
        }

        /** Sets {@code statement_timeout} for each statement; positive. Default: 30 s. */
        public Builder statementTimeout(Duration timeout) {
            this.statementTimeout = positive(timeout, "statementTimeout");
            return this;
        }

        /** Sets {@code lock_timeout} for each statement; positive. Default: 5 s. */
        public Builder lockTimeout(Duration timeout) {
            this.lockTimeout = positive(timeout, "lockTimeout");
            return this;
        }

        /** Sets the row cap of one result; at least 1. Default: 1,000. */
        public Builder maxRows(int maxRows) {
            if (maxRows < 1) {
                throw new IllegalArgumentException("maxRows must be >= 1 but was " + maxRows);
            }
            this.maxRows = maxRows;
            return this;
        }

        /** Sets the byte cap of one result; at least 1,024. Default: 1 MiB. */
        public Builder maxBytes(long maxBytes) {
            if (maxBytes < 1024) {
                throw new IllegalArgumentException("maxBytes must be >= 1024 but was " + maxBytes);
            }
            this.maxBytes = maxBytes;
            return this;
        }

        /** Sets the row cap of one ask, all statements together; at least 1. Default: 20,000. */
        public Builder askMaxRows(long askMaxRows) {
            if (askMaxRows < 1) {
                throw new IllegalArgumentException("askMaxRows must be >= 1 but was " + askMaxRows);
            }
            this.askMaxRows = askMaxRows;
            return this;
        }

        /** Sets the byte cap of one ask; at least 1,024. Default: 16 MiB. */
        public Builder askMaxBytes(long askMaxBytes) {
            if (askMaxBytes < 1024) {
                throw new IllegalArgumentException("askMaxBytes must be >= 1024 but was " + askMaxBytes);
            }
            this.askMaxBytes = askMaxBytes;
            return this;
        }

        /**
         * Sets the most time the statements of one ask may spend in the database together; positive, at least the
         * statement timeout. Default: 2 minutes.
         */
        public Builder askMaxTime(Duration askMaxTime) {
            this.askMaxTime = positive(askMaxTime, "askMaxTime");
            return this;
        }

        /** Sets what to do with SQL the parser cannot read. Default: {@link UnparseableSqlMode#REFUSE}. */
        public Builder unparseableSql(UnparseableSqlMode mode) {
            this.unparseableSql = Objects.requireNonNull(mode, "mode == null");
            return this;
        }

        /** Sets the role model-issued statements run as; null for none. Default: none. */
        public Builder role(@Nullable String role) {
            if (role != null && !role.matches("[A-Za-z_][A-Za-z0-9_$]{0,62}")) {
                throw new IllegalArgumentException("role must be a plain PostgreSQL identifier but was " + role);
            }
            this.role = role;
            return this;
        }

        /** Sets how personal data is hidden from the model. Default: {@link RedactionMode#MASK}. */
        public Builder redaction(RedactionMode redaction) {
            this.redaction = Objects.requireNonNull(redaction, "redaction == null");
            return this;
        }

        /** Adds column-name fragments that mark personal data, besides the built-in ones. Default: none. */
        public Builder piiColumnHints(String... hints) {
            return addNames(piiColumnHints, "piiColumnHints", hints);
        }

        /** Sets how long a blocking confirmation may wait; positive. Default: 5 minutes. */
        public Builder confirmationTimeout(Duration timeout) {
            this.confirmationTimeout = positive(timeout, "confirmationTimeout");
            return this;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name + " == null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive but was " + d);
            }
            return d;
        }

        /**
         * Returns the policy.
         *
         * @throws IllegalStateException if a per-statement cap exceeds its per-ask cap
         */
        public SafetyPolicy build() {
            if (maxRows > askMaxRows) {
                throw new IllegalStateException(
                        "maxRows must be <= askMaxRows but was " + maxRows + " > " + askMaxRows);
            }
            if (maxBytes > askMaxBytes) {
                throw new IllegalStateException(
                        "maxBytes must be <= askMaxBytes but was " + maxBytes + " > " + askMaxBytes);
            }
            if (statementTimeout.compareTo(askMaxTime) > 0) {
                throw new IllegalStateException(
                        "statementTimeout must be <= askMaxTime but was " + statementTimeout + " > " + askMaxTime);
            }
            return new SafetyPolicy(this);
        }
    }
}
