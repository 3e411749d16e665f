package dev.pgagent.config.internal;

import static dev.pgagent.config.internal.KeyDef.key;

import dev.pgagent.api.llm.ToolChoice;
import dev.pgagent.api.safety.GuardedOperation;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.RedactionMode;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.UnparseableSqlMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The catalogue of every key of the configuration file: one source for the loader's checks, {@code config show},
 * the starter file and the README table. Policy defaults are read from {@link SafetyPolicy#READ_ONLY}, so they
 * follow the API's.
 */
public final class Keys {
    /** The model name used when none is configured. */
    public static final String DEFAULT_MODEL = "gpt-4o-mini";

    /** OpenAI's API base URL, the default. */
    public static final String OPENAI_BASE_URL = "https://api.openai.com/v1";

    /** The model name used with {@code provider: anthropic} when none is configured. */
    public static final String DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-4-5";

    /** Anthropic's API base URL, the default with {@code provider: anthropic}. */
    public static final String ANTHROPIC_BASE_URL = "https://api.anthropic.com";

    private static final SafetyPolicy D = SafetyPolicy.READ_ONLY;

    /** Top-level keys that are not sections. */
    public static final List<KeyDef> ROOT = List.of(
            key("version", ValueType.integer(1, 1))
                    .def(1)
                    .active()
                    .doc("The version of this file's format; 1.")
                    .build(),
            key("default", ValueType.profileName())
                    .defText("the first profile in databases")
                    .active()
                    .example("main")
                    .doc("The profile used when none is chosen with --profile or PGAGENT_PROFILE.")
                    .build());

    /** The model section. */
    public static final List<KeyDef> MODEL = List.of(
            key("model.provider", ValueType.choice("openai", "anthropic"))
                    .def("openai")
                    .env("PGAGENT_PROVIDER")
                    .active()
                    .doc("The model API: openai, which is OpenAI's and every compatible server's (Ollama, vLLM, "
                            + "LM Studio, OpenRouter, Azure OpenAI), or anthropic (Anthropic's Messages API).")
                    .build(),
            key("model.baseUrl", ValueType.httpUrl())
                    .defText("the provider's, " + OPENAI_BASE_URL + " or " + ANTHROPIC_BASE_URL)
                    .env("OPENAI_BASE_URL")
                    .example("http://localhost:11434/v1")
                    .doc("The API's base URL. From the environment: OPENAI_BASE_URL for openai, ANTHROPIC_BASE_URL "
                            + "for anthropic.")
                    .build(),
            key("model.model", ValueType.string())
                    .def(DEFAULT_MODEL)
                    .env("PGAGENT_MODEL")
                    .active()
                    .doc("The model name; with provider anthropic the default is " + DEFAULT_ANTHROPIC_MODEL + ".")
                    .build(),
            key("model.apiKey", ValueType.string())
                    .secret()
                    .example("${OPENAI_API_KEY}")
                    .doc("The API key, as ${VARIABLE} only: a key written here in clear text is refused.")
                    .build(),
            key("model.apiKeyEnv", ValueType.envName())
                    .example("OPENAI_API_KEY")
                    .defText("OPENAI_API_KEY (ANTHROPIC_API_KEY for anthropic), while baseUrl is the provider's or "
                            + "comes from the environment")
                    .doc("The environment variable that holds the API key.")
                    .build(),
            key("model.apiKeyFile", ValueType.path())
                    .example("/run/secrets/openai-api-key")
                    .doc("A file that holds the API key (a mounted secret); one trailing newline is dropped.")
                    .build(),
            key("model.organization", ValueType.string())
                    .example("org-...")
                    .doc("The OpenAI-Organization header.")
                    .build(),
            key("model.project", ValueType.string())
                    .example("proj_...")
                    .doc("The OpenAI-Project header.")
                    .build(),
            key("model.azureApiVersion", ValueType.string())
                    .example("2024-10-21")
                    .doc("Use Azure OpenAI conventions with this api-version (key in an api-key header).")
                    .build(),
            key("model.useMaxCompletionTokens", ValueType.bool())
                    .def(false)
                    .doc("Send the output cap as max_completion_tokens, as OpenAI's o-series models need.")
                    .build(),
            key("model.maxConcurrentRequests", ValueType.integer(1, Integer.MAX_VALUE))
                    .def(64)
                    .doc("The most model calls in flight at once.")
                    .build(),
            key("model.options.temperature", ValueType.decimal(0, 2, false))
                    .defText("the provider's")
                    .example("0")
                    .doc("The sampling temperature, 0 to 2.")
                    .build(),
            key("model.options.topP", ValueType.decimal(0, 1, true))
                    .defText("the provider's")
                    .example("1")
                    .doc("Nucleus sampling, above 0 and at most 1.")
                    .build(),
            key("model.options.maxTokens", ValueType.integer(1, Integer.MAX_VALUE))
                    .defText("the provider's")
                    .example("4096")
                    .doc("The most tokens the model may write in one turn.")
                    .build(),
            key("model.options.seed", ValueType.anyLong())
                    .defText("none")
                    .example("42")
                    .doc("The sampling seed, for repeatable answers where the provider supports it.")
                    .build(),
            key("model.options.parallelToolCalls", ValueType.bool())
                    .defText("the provider's")
                    .example("true")
                    .doc("Whether the model may ask for several tool calls in one turn.")
                    .build(),
            key("model.options.toolChoice", ValueType.choice(names(ToolChoice.values())))
                    .defText("auto")
                    .example("auto")
                    .doc("Whether the model may (auto), must (required) or must not (none) call tools.")
                    .build(),
            key("model.options.stop", ValueType.list(ValueType.string()))
                    .def(List.of())
                    .doc("Stop sequences.")
                    .build(),
            key("model.timeouts.connect", ValueType.duration(true))
                    .def(Duration.ofSeconds(10))
                    .doc("The connect timeout; 0 for none.")
                    .build(),
            key("model.timeouts.read", ValueType.duration(true))
                    .def(Duration.ofSeconds(120))
                    .doc("The longest silence while a response arrives; 0 for none.")
                    .build(),
            key("model.timeouts.call", ValueType.duration(true))
                    .def(Duration.ofSeconds(180))
                    .doc("The time limit of one HTTP attempt; 0 for none.")
                    .build(),
            key("model.retries.maxAttempts", ValueType.integer(1, 100))
                    .def(3)
                    .doc("Attempts in total for a retryable failure (429, 5xx, network); 1 for no retry.")
                    .build(),
            key("model.retries.initialBackoff", ValueType.duration(false))
                    .def(Duration.ofMillis(500))
                    .doc("The delay before the first retry.")
                    .build(),
            key("model.retries.backoffMultiplier", ValueType.decimal(1, Double.MAX_VALUE, false))
                    .def(2.0)
                    .doc("How much the delay grows from one retry to the next.")
                    .build(),
            key("model.retries.maxBackoff", ValueType.duration(false))
                    .def(Duration.ofSeconds(30))
                    .doc("The longest delay between attempts, also the cap on a provider's Retry-After.")
                    .build());

    /** The agent section. */
    public static final List<KeyDef> AGENT = List.of(
            key("agent.maxSteps", ValueType.integer(1, 1_000))
                    .def(8)
                    .env("PGAGENT_MAX_STEPS")
                    .doc("The most model turns in one question.")
                    .build(),
            key("agent.maxToolCallsPerStep", ValueType.integer(1, 1_000))
                    .def(8)
                    .doc("The most tool calls run in one turn.")
                    .build(),
            key("agent.timeout", ValueType.duration(false))
                    .def(Duration.ofSeconds(120))
                    .env("PGAGENT_TIMEOUT")
                    .doc("The time limit of one question, model calls and statements included "
                            + "(waiting for your confirmation excluded).")
                    .build(),
            key("agent.tokenBudget", ValueType.longInteger(1))
                    .def(200_000L)
                    .env("PGAGENT_TOKEN_BUDGET")
                    .doc("The most tokens (input and output) one question may use.")
                    .build(),
            key("agent.historyTokenBudget", ValueType.integer(0, Integer.MAX_VALUE))
                    .def(8_000)
                    .doc("The tokens of earlier turns a conversation sends with each question.")
                    .build(),
            key("agent.schemaContextTokens", ValueType.integer(0, Integer.MAX_VALUE))
                    .def(2_000)
                    .doc("The tokens of schema summary in the system prompt; 0 for none.")
                    .build(),
            key("agent.valueGrounding", ValueType.bool())
                    .def(true)
                    .doc("Show the model sample values of the text columns a question filters on (never of "
                            + "denied or personal columns).")
                    .build(),
            key("agent.instructions", ValueType.string())
                    .example("Amounts are in euro cents.")
                    .doc("Extra instructions appended to the system prompt.")
                    .build());

    /** The policy keys, relative to a {@code policy} section (top level or a profile's). */
    public static final List<KeyDef> POLICY = List.of(
            key("level", ValueType.choice(names(PolicyLevel.values())))
                    .def(name(D.level()))
                    .active()
                    .policy((b, v) -> b.level(PolicyLevel.valueOf(constant(v))))
                    .doc("read-only: reads only; balanced: also INSERT, UPDATE, DELETE, MERGE after a dry run and "
                            + "your confirmation; permissive: also DDL, after a typed confirmation.")
                    .build(),
            key("allowGuarded", ValueType.list(ValueType.choice(names(GuardedOperation.values()))))
                    .def(List.of())
                    .example("[truncate]")
                    .policy((b, v) -> b.allowGuarded(strings(v).stream()
                            .map(s -> GuardedOperation.valueOf(constant(s)))
                            .toArray(GuardedOperation[]::new)))
                    .doc("Operations denied at every level unless listed here; each still needs a typed "
                            + "confirmation.")
                    .build(),
            names(
                    "deniedFunctions",
                    "Functions denied besides the built-in list.",
                    "[dblink]",
                    (b, v) -> b.deniedFunctions(array(v))),
            names(
                    "allowedFunctions",
                    "Functions exempted from the built-in deny list.",
                    "[pg_sleep]",
                    (b, v) -> b.allowedFunctions(array(v))),
            names(
                    "allowedSchemas",
                    "The only schemas statements may touch; empty for every visible schema.",
                    "[public, sales]",
                    (b, v) -> b.allowedSchemas(array(v))),
            names(
                    "allowedTables",
                    "The only tables statements may touch; empty for every table.",
                    "[orders, customers]",
                    (b, v) -> b.allowedTables(array(v))),
            names(
                    "deniedTables",
                    "Tables statements must not touch.",
                    "[audit_log]",
                    (b, v) -> b.deniedTables(array(v))),
            names(
                    "deniedColumns",
                    "Columns statements must not touch, as table.column or schema.table.column.",
                    "[customers.ssn]",
                    (b, v) -> b.deniedColumns(array(v))),
            names(
                    "secondPartyTables",
                    "Tables whose writes need a second person's approval.",
                    "[payments]",
                    (b, v) -> b.secondPartyTables(array(v))),
            names(
                    "estimateOnlyDryRuns",
                    "Tables whose writes are dry-run by estimate only (EXPLAIN, nothing "
                            + "executed; applied only within maxWriteRows); * for every table.",
                    "[events]",
                    (b, v) -> b.estimateOnlyDryRuns(array(v))),
            key("maxWriteRows", ValueType.longInteger(1))
                    .def(D.maxWriteRows())
                    .policy((b, v) -> b.maxWriteRows((Long) v))
                    .doc("The most rows one write may change, checked on its dry run.")
                    .build(),
            key("statementTimeout", ValueType.duration(false))
                    .def(D.statementTimeout())
                    .policy((b, v) -> b.statementTimeout((Duration) v))
                    .doc("The time limit of one statement (statement_timeout).")
                    .build(),
            key("lockTimeout", ValueType.duration(false))
                    .def(D.lockTimeout())
                    .policy((b, v) -> b.lockTimeout((Duration) v))
                    .doc("How long one statement may wait for a lock (lock_timeout).")
                    .build(),
            key("maxRows", ValueType.integer(1, Integer.MAX_VALUE))
                    .def(D.maxRows())
                    .policy((b, v) -> b.maxRows((Integer) v))
                    .doc("The most rows kept from one result; at most askMaxRows.")
                    .build(),
            key("maxBytes", ValueType.size(1024))
                    .def(D.maxBytes())
                    .policy((b, v) -> b.maxBytes((Long) v))
                    .doc("The most bytes of values kept from one result; at most askMaxBytes.")
                    .build(),
            key("askMaxRows", ValueType.longInteger(1))
                    .def(D.askMaxRows())
                    .policy((b, v) -> b.askMaxRows((Long) v))
                    .doc("The most rows fetched over one question, all statements together.")
                    .build(),
            key("askMaxBytes", ValueType.size(1024))
                    .def(D.askMaxBytes())
                    .policy((b, v) -> b.askMaxBytes((Long) v))
                    .doc("The most bytes fetched over one question, all statements together.")
                    .build(),
            key("askMaxTime", ValueType.duration(false))
                    .def(D.askMaxTime())
                    .policy((b, v) -> b.askMaxTime((Duration) v))
                    .doc("The most time the statements of one question may spend in the database together; at "
                            + "least statementTimeout.")
                    .build(),
            key("unparseableSql", ValueType.choice(names(UnparseableSqlMode.values())))
                    .def(name(D.unparseableSql()))
                    .policy((b, v) -> b.unparseableSql(UnparseableSqlMode.valueOf(constant(v))))
                    .doc("SQL the parser cannot read: refuse it, or run it as a guarded read (read-only "
                            + "transaction, rolled back).")
                    .build(),
            key("role", ValueType.string())
                    .example("pgagent_reader")
                    .policy((b, v) -> b.role((String) v))
                    .doc("The role every model-issued statement runs as (SET LOCAL ROLE).")
                    .build(),
            key("redaction", ValueType.choice(names(RedactionMode.values())))
                    .def(name(D.redaction()))
                    .policy((b, v) -> b.redaction(RedactionMode.valueOf(constant(v))))
                    .doc("How personal data in results is hidden from the model: off, mask, hash or " + "drop-column.")
                    .build(),
            names(
                    "piiColumnHints",
                    "Column-name fragments that mark personal data, besides the built-in ones.",
                    "[tax_id]",
                    (b, v) -> b.piiColumnHints(array(v))),
            key("confirmationTimeout", ValueType.duration(false))
                    .def(D.confirmationTimeout())
                    .policy((b, v) -> b.confirmationTimeout((Duration) v))
                    .doc("How long a confirmation may wait for your answer.")
                    .build());

    /** The keys of one database profile, policy overrides ({@code policy.*}) aside. */
    public static final List<KeyDef> PROFILE = List.of(
            key("name", ValueType.profileName())
                    .active()
                    .example("main")
                    .doc("The profile's name (required): letters, digits, '_' and '-'.")
                    .build(),
            key("description", ValueType.string())
                    .example("The shop: orders, customers, products.")
                    .doc("What this database holds; the model reads it to choose a database.")
                    .build(),
            key("url", ValueType.databaseUrl())
                    .active()
                    .example("jdbc:postgresql://localhost:5432/postgres")
                    .doc("The database as a JDBC URL or a postgresql:// URI; instead of host, port and database.")
                    .build(),
            key("host", ValueType.string())
                    .defText("PGHOST, else localhost")
                    .example("localhost")
                    .doc("The server's host name.")
                    .build(),
            key("port", ValueType.integer(1, 65_535))
                    .defText("PGPORT, else 5432")
                    .example("5432")
                    .doc("The server's port.")
                    .build(),
            key("database", ValueType.string())
                    .defText("PGDATABASE, else the user name")
                    .example("shop")
                    .doc("The database name.")
                    .build(),
            key("user", ValueType.string())
                    .defText("the URL's, PGUSER, else the operating-system user")
                    .example("postgres")
                    .active()
                    .doc("The database user.")
                    .build(),
            key("sslMode", ValueType.choice("disable", "allow", "prefer", "require", "verify-ca", "verify-full"))
                    .defText("PGSSLMODE, else the driver's (prefer)")
                    .example("verify-full")
                    .doc("TLS: disable, allow, prefer, require, verify-ca or verify-full.")
                    .build(),
            key("password", ValueType.string())
                    .secret()
                    .example("${PGPASSWORD_MAIN}")
                    .doc("The password, as ${VARIABLE} only: a password written here in clear text is refused.")
                    .build(),
            key("passwordEnv", ValueType.envName())
                    .example("PGPASSWORD_MAIN")
                    .doc("The environment variable that holds the password.")
                    .build(),
            key("passwordFile", ValueType.path())
                    .example("/run/secrets/db-password")
                    .doc("A file that holds the password (a mounted secret); one trailing newline is dropped.")
                    .build(),
            key("pgpass", ValueType.bool())
                    .def(true)
                    .doc("Look the password up in the password file (PGPASSFILE, else ~/.pgpass) as libpq does, "
                            + "when no other source gives one.")
                    .build(),
            key("readReplicaUrl", ValueType.databaseUrl())
                    .example("jdbc:postgresql://replica:5432/shop")
                    .doc("A read replica (same user and password): reads go there while it is within "
                            + "maxReplicaLag; writes, dry runs and schema reads go to the primary.")
                    .build(),
            key("maxReplicaLag", ValueType.duration(false))
                    .def(Duration.ofSeconds(10))
                    .example("5s")
                    .doc("How far the read replica's replay may lag (at most 1h); beyond it, or when the replica "
                            + "cannot be reached, reads go to the primary.")
                    .build());

    /** The audit section. */
    public static final List<KeyDef> AUDIT = List.of(
            key("audit.jsonl", ValueType.path())
                    .example("~/.local/state/pgagent/audit.jsonl")
                    .doc("Append the audit trail to this file, one JSON object a line.")
                    .build(),
            key("audit.chained", ValueType.bool())
                    .def(false)
                    .doc("Write audit.jsonl as a hash chain (each line carries the hash of the one before), so that "
                            + "pg-agent audit verify finds an edited, removed or reordered line.")
                    .build(),
            key("audit.postgres.database", ValueType.profileName())
                    .example("app")
                    .doc("Also write the audit trail to a table in this profile's database (batched, hash-chained;"
                            + " nodes sharing the table each keep their own chain): the profile's name.")
                    .build(),
            key("audit.postgres.schema", ValueType.identifier())
                    .def("pgagent_audit")
                    .doc("The schema of that audit table (created with its versioned migration).")
                    .build(),
            key("audit.http.url", ValueType.httpUrl())
                    .example("https://collector.example.com/pgagent")
                    .doc("Also POST the audit trail, in batches of JSON arrays, to this collector (retried with"
                            + " backoff).")
                    .build(),
            key("audit.http.tokenEnv", ValueType.envName())
                    .example("PGAGENT_AUDIT_TOKEN")
                    .doc("The environment variable holding the collector's bearer token (sent as Authorization).")
                    .build(),
            key("audit.slf4j", ValueType.bool())
                    .def(false)
                    .doc("Also log each audit event at INFO on the logger dev.pgagent.audit.")
                    .build(),
            key("audit.failurePolicy", ValueType.choice("log-and-continue", "fail-closed"))
                    .def("log-and-continue")
                    .doc("When an audit sink fails: log-and-continue, or fail-closed (nothing runs without its "
                            + "audit record).")
                    .build());

    /** The logging section. */
    public static final List<KeyDef> LOGGING = List.of(
            key("logging.level", ValueType.choice("off", "error", "warn", "info", "debug", "trace"))
                    .def("warn")
                    .env("PGAGENT_LOG_LEVEL")
                    .doc("The log level of pgagent's own log.")
                    .build(),
            key("logging.file", ValueType.path())
                    .defText("standard error")
                    .env("PGAGENT_LOG_FILE")
                    .example("~/.local/state/pgagent/pgagent.log")
                    .doc("Where the log goes.")
                    .build());

    /** The pool section: the connection pools of the pg-agent client (a library host brings its own pool). */
    public static final List<KeyDef> POOL = List.of(key("pool.maxSize", ValueType.integer(1, 1000))
            .defText("10 for mcp, chat, tui, ask, eval and demo; 4 for the other commands")
            .env("PGAGENT_POOL_MAX_SIZE")
            .example("20")
            .doc("The most connections pg-agent keeps open to one database (one HikariCP pool per database, "
                    + "opened on first use, closed when the command ends).")
            .build());

    /** The sections in file order; {@code policy} and {@code databases} are separate. */
    public static final List<String> SECTIONS =
            List.of("model", "agent", "policy", "databases", "audit", "logging", "pool");

    private static final List<KeyDef> TOP =
            concat(ROOT, MODEL, AGENT, prefixed("policy.", POLICY), AUDIT, LOGGING, POOL);
    private static final List<KeyDef> PROFILE_ALL = concat(PROFILE, prefixed("policy.", POLICY));

    private Keys() {}

    @SafeVarargs
    private static List<KeyDef> concat(List<KeyDef>... parts) {
        List<KeyDef> all = new ArrayList<>();
        for (List<KeyDef> p : parts) {
            all.addAll(p);
        }
        return List.copyOf(all);
    }

    /** Returns every top-level key (sections and policy included, profiles excluded), in file order. */
    public static List<KeyDef> top() {
        return TOP;
    }

    /** Returns every profile key, its policy overrides included (their defaults are the top level's). */
    public static List<KeyDef> profile() {
        return PROFILE_ALL;
    }

    /** Returns the definition at {@code path} in {@code defs}. */
    public static Optional<KeyDef> find(List<KeyDef> defs, String path) {
        return defs.stream().filter(d -> d.path().equals(path)).findFirst();
    }

    private static List<KeyDef> prefixed(String prefix, List<KeyDef> defs) {
        List<KeyDef> out = new ArrayList<>();
        for (KeyDef d : defs) {
            KeyDef.Builder b =
                    key(prefix + d.path(), d.type()).def(d.defaultValue()).doc(d.doc());
            if (!d.defaultText()
                    .equals(
                            d.defaultValue() == null
                                    ? "none"
                                    : d.type().format(java.util.Objects.requireNonNull(d.defaultValue())))) {
                b.defText(d.defaultText());
            }
            if (d.starter() == KeyDef.Starter.ACTIVE) {
                b.active();
            }
            if (d.example() != null) {
                b.example(d.example());
            }
            if (d.policy() != null) {
                b.policy(d.policy());
            }
            out.add(b.build());
        }
        return out;
    }

    private static KeyDef names(
            String path, String doc, String example, java.util.function.BiConsumer<SafetyPolicy.Builder, Object> f) {
        return key(path, ValueType.list(ValueType.string()))
                .def(List.of())
                .doc(doc)
                .example(example)
                .policy(f)
                .build();
    }

    /** Returns the names people write for enum constants: {@code READ_ONLY} as {@code read-only}. */
    public static String[] names(Enum<?>[] values) {
        return Arrays.stream(values).map(Keys::name).toArray(String[]::new);
    }

    /** Returns the name people write for {@code value}. */
    public static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Returns the enum constant name of a written name: {@code read-only} as {@code READ_ONLY}. */
    public static String constant(Object written) {
        return written.toString().toUpperCase(Locale.ROOT).replace('-', '_');
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object v) {
        return (List<String>) v;
    }

    private static String[] array(Object v) {
        return strings(v).toArray(String[]::new);
    }
}
