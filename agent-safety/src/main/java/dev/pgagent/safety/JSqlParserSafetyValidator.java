package dev.pgagent.safety;

import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.SafetyValidator;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.safety.internal.FunctionRules;
import dev.pgagent.safety.internal.PolicyEngine;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates SQL against a {@link SafetyPolicy} with JSqlParser and a PostgreSQL-faithful scanner. Immutable and
 * thread-safe; build one per policy and share it.
 *
 * <pre>{@code
 * SafetyValidator validator = JSqlParserSafetyValidator.builder()
 *     .policy(SafetyPolicy.builder().level(PolicyLevel.BALANCED).deniedColumns("customers.ssn").build())
 *     .build();
 * Verdict v = validator.validate("SELECT id, name FROM customers");   // ALLOW, kind READ, tables [customers]
 * }</pre>
 *
 * <h2>What it checks</h2>
 * <ul>
 *   <li>The text is scanned with PostgreSQL's lexical rules (standard-conforming strings, nested comments, dollar
 *       quotes). Several statements in one text are denied at every level; empty statements (a trailing semicolon)
 *       are ignored.
 *   <li>Transaction control, SET/RESET/DISCARD, LISTEN/NOTIFY, DO, CALL, COPY, VACUUM, ANALYZE, LOCK, PREPARE,
 *       EXECUTE and similar are denied at every level: the agent runs each statement in its own transaction.
 *   <li>Every function call anywhere in the text (found lexically, so no parser gap hides one) is checked against
 *       {@link #defaultDeniedFunctions()}, plus the policy's {@link SafetyPolicy#deniedFunctions()}, minus its
 *       {@link SafetyPolicy#allowedFunctions()}. Quoted names keep their case, unquoted ones are folded to lower case,
 *       as PostgreSQL does. Functions the host or a user defined are allowed in reads: their bodies cannot be seen,
 *       and the READ ONLY transaction the agent runs reads in is the backstop for what they might do.
 *   <li>The statement is parsed (comments removed and string constants rewritten first, so JSqlParser cannot read a
 *       different statement from the one PostgreSQL would run) and the whole tree is walked: data-modifying
 *       statements at any depth, SELECT INTO, FOR UPDATE/SHARE, tables, columns, {@code *} and whole-row references.
 *   <li>Schema changes (PERMISSIVE only) in the common PostgreSQL forms JSqlParser misses or misreads (CREATE INDEX
 *       without a name or CONCURRENTLY, partial and covering indexes, PARTITION OF, {@code (LIKE t)}, views and
 *       materialized views with options, ALTER TYPE ... ADD VALUE, COMMENT ON any object, DROP of several objects,
 *       ...) are read structurally: the relations and objects each form names are checked against the host's rules,
 *       a denied column named in a schema change of its table is refused, renaming or moving a table with denied
 *       columns is refused, and the query of a view or CREATE TABLE AS must be an allowed read. Schema changes that
 *       can be read neither way are denied with kind {@code DDL}.
 *   <li>READ_ONLY allows provable reads only. BALANCED also allows INSERT/UPDATE/DELETE/MERGE (and data-modifying
 *       WITH, FOR UPDATE) after a {@code SIMPLE} confirmation, or {@code SECOND_PARTY} for the policy's second-party
 *       tables. PERMISSIVE also allows DDL after a {@code TYPED} confirmation.
 *   <li>{@link dev.pgagent.api.safety.GuardedOperation Guarded operations} are denied unless the host opts in; then
 *       they need a typed confirmation, at BALANCED (unfiltered UPDATE/DELETE, file access functions) or PERMISSIVE
 *       (everything else).
 *   <li>EXPLAIN is allowed when what it explains is an allowed read, with or without ANALYZE; EXPLAIN of anything
 *       else is denied, even without ANALYZE (simpler and safer).
 *   <li>The host's table rules: {@code allowedTables} and {@code deniedTables} match unqualified or schema-qualified
 *       names case-insensitively; under {@code allowedSchemas} an unqualified table is taken as schema
 *       {@code public}. Denied columns are refused however referenced; {@code *}, {@code t.*}, whole-row references
 *       and column aliases on a table with denied columns are refused too.
 *   <li>Text JSqlParser cannot parse is denied, unless the policy's unparseable mode is {@code GUARDED_READ}: then a
 *       statement that starts as a read and names no write key word is allowed with kind {@code UNPARSEABLE}, to run
 *       under the runtime guards only.
 * </ul>
 *
 * <p>The validator never throws: an unexpected failure is a denial whose reason says so.
 */
public final class JSqlParserSafetyValidator implements SafetyValidator {
    private static final Logger LOG = LoggerFactory.getLogger(JSqlParserSafetyValidator.class);
    private static final JSqlParserSafetyValidator READ_ONLY = builder().build();

    private final SafetyPolicy policy;
    private final Duration parseTimeout;
    private final PolicyEngine engine;

    private JSqlParserSafetyValidator(Builder b) {
        this.policy = b.policy;
        this.parseTimeout = b.parseTimeout;
        this.engine = new PolicyEngine(policy, parseTimeout);
    }

    /** Returns a validator for {@link SafetyPolicy#READ_ONLY}. */
    public static JSqlParserSafetyValidator readOnly() {
        return READ_ONLY;
    }

    /** Returns a validator for {@code policy}. */
    public static JSqlParserSafetyValidator of(SafetyPolicy policy) {
        return builder().policy(policy).build();
    }

    /** Returns a builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder initialised with this validator's settings. */
    public Builder toBuilder() {
        return new Builder().policy(policy).parseTimeout(parseTimeout);
    }

    /** Returns the policy this validator enforces. */
    public SafetyPolicy policy() {
        return policy;
    }

    /** Returns the longest time one statement may take to parse before it is denied. */
    public Duration parseTimeout() {
        return parseTimeout;
    }

    /**
     * Returns the built-in deny list: lower-case function names where {@code *} matches any run of characters. It
     * covers configuration changes ({@code set_config}, {@code pg_reload_conf}), sleeping and advisory locks,
     * signalling other sessions, backup, WAL and replication control, sequences ({@code nextval}, {@code setval}),
     * transaction ids and snapshots, notifications, large objects, other databases ({@code dblink*},
     * {@code postgres_fdw_*}), functions that run SQL given as text ({@code query_to_xml*}, {@code table_to_xml*},
     * {@code cursor_to_xml*}, {@code database_to_xml*}, {@code schema_to_xml*}, {@code ts_stat},
     * {@code ts_rewrite}, tablefunc's {@code crosstab*} and {@code connectby}, Citus's {@code run_command_on_*},
     * {@code *replicate_ddl_command}, {@code xslt_process}), hypothetical indexes ({@code hypopg_*}), writers of catalogs and statistics ({@code pg_stat_reset*},
     * {@code pg_import_system_collations}, ...), {@code setseed}, common extensions that run SQL later or
     * elsewhere or send data out ({@code cron.schedule*}, {@code pg_background_*}, {@code http_*},
     * {@code net.http_*}, {@code aws_s3.query_export_to_s3}), and server-side file access ({@code pg_read_file},
     * {@code pg_read_binary_file}, {@code pg_ls_*}, {@code pg_stat_file}, {@code pg_file_*}, {@code lo_import},
     * {@code lo_export}; guarded by {@code GuardedOperation.FILE_ACCESS}).
     */
    public static Set<String> defaultDeniedFunctions() {
        return FunctionRules.defaults();
    }

    @Override
    public Verdict validate(@Nullable String sql) {
        if (sql == null) {
            return Verdict.deny(StatementKind.UNPARSEABLE, "No SQL was given.");
        }
        try {
            return engine.validate(sql);
        } catch (RuntimeException | StackOverflowError e) {
            LOG.warn("safety validation failed unexpectedly; the statement is denied", e);
            return Verdict.deny(
                    StatementKind.UNPARSEABLE,
                    "Internal error while checking the statement ("
                            + e.getClass().getSimpleName() + "); it is denied.");
        }
    }

    @Override
    public String toString() {
        return "JSqlParserSafetyValidator{level=" + policy.level() + ", parseTimeout=" + parseTimeout + "}";
    }

    /** Builds a {@link JSqlParserSafetyValidator}. Not thread-safe. */
    public static final class Builder {
        private SafetyPolicy policy = SafetyPolicy.READ_ONLY;
        private Duration parseTimeout = Duration.ofSeconds(2);

        private Builder() {}

        /** Sets the policy to enforce. Default: {@link SafetyPolicy#READ_ONLY}. */
        public Builder policy(SafetyPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy == null");
            return this;
        }

        /** Sets how long one statement may take to parse before it is denied; positive. Default: 2 s. */
        public Builder parseTimeout(Duration parseTimeout) {
            Objects.requireNonNull(parseTimeout, "parseTimeout == null");
            if (parseTimeout.isNegative() || parseTimeout.isZero()) {
                throw new IllegalArgumentException("parseTimeout must be positive but was " + parseTimeout);
            }
            this.parseTimeout = parseTimeout;
            return this;
        }

        /** Returns the validator. */
        public JSqlParserSafetyValidator build() {
            return new JSqlParserSafetyValidator(this);
        }
    }
}
