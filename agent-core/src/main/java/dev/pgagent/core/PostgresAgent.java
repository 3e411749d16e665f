package dev.pgagent.core;

import dev.pgagent.api.Experimental;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.api.history.AskRecord;
import dev.pgagent.api.history.HistoryQuery;
import dev.pgagent.api.history.HistorySearch;
import dev.pgagent.api.history.HistoryStore;
import dev.pgagent.api.history.QueryMemory;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.ModelOptions;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.SafetyValidator;
import dev.pgagent.api.session.SessionConflictException;
import dev.pgagent.api.session.SessionStore;
import dev.pgagent.api.session.StoredSession;
import dev.pgagent.api.tool.Tool;
import dev.pgagent.context.SchemaContextBuilder;
import dev.pgagent.context.SchemaSearchTool;
import dev.pgagent.core.internal.AgentEngine;
import dev.pgagent.core.internal.AuditFanout;
import dev.pgagent.core.internal.Conversations;
import dev.pgagent.core.internal.DatabaseBinding;
import dev.pgagent.core.internal.DatabaseOps;
import dev.pgagent.core.internal.Defaults;
import dev.pgagent.core.internal.EngineConfig;
import dev.pgagent.core.internal.HistoryRecorder;
import dev.pgagent.core.internal.QueryMemoryPrompt;
import dev.pgagent.core.internal.ResultRedactor;
import dev.pgagent.core.internal.SchemaSummarizer;
import dev.pgagent.core.internal.TextTokenCounter;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.db.postgres.PostgresTools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Answers questions about a PostgreSQL database in natural language: a language model plans, calls tools (run a
 * query, read the schema, explain a plan, and the host's own tools) in a loop, and the agent stands between the model
 * and the database so that nothing the model writes does what the {@link SafetyPolicy} does not allow. Built once,
 * immutable and thread-safe: one agent serves many users, each in an {@link AgentSession}.
 *
 * <pre>{@code
 * PostgresAgent agent = PostgresAgent.builder()
 *     .llm(OpenAiLlmClient.builder().apiKey(System.getenv("OPENAI_API_KEY")).model("gpt-4o-mini").build())
 *     .dataSource(dataSource)
 *     .addAuditSink(AuditSinks.jsonLines(Path.of("audit.jsonl")))
 *     .build();
 * AgentResponse r = agent.newSession().ask("How many customers signed up last week?");
 * String answer = r.answer();      // the model's final answer; r.status(), r.statements() tell how it got there
 * }</pre>
 *
 * <p>Each ask: the system prompt states the role, the PostgreSQL dialect, the safety rules of the policy in force,
 * the tools, and a compact schema summary for the question (within {@link Builder#schemaContextTokens(int)}); the
 * model's tool calls run (several per step run concurrently; results go back in call order); every SQL statement
 * goes through the {@link SafetyValidator}, runs under the runtime guards (read-only transaction, timeouts, row and
 * byte caps per statement and per ask), is redacted for the model, and is audited. Bad tool arguments, unknown tools,
 * SQL errors and refusals go back to the model as error results so it can correct itself. Limits (steps, time,
 * tokens) end the ask with {@link AgentStatus#LIMIT_REACHED}.
 */
public final class PostgresAgent implements AutoCloseable {
    private final AgentEngine engine;
    private final PostgresDatabase database;
    private final SafetyPolicy policy;
    private final SafetyValidator validator;
    private final Builder settings;
    private final java.util.Map<String, PostgresDatabase> databases;

    private PostgresAgent(
            Builder b,
            AgentEngine engine,
            java.util.Map<String, PostgresDatabase> databases,
            SafetyValidator validator) {
        this.engine = engine;
        this.databases = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(databases));
        this.database = databases.values().iterator().next();
        this.policy = b.policy;
        this.validator = validator;
        this.settings = b.copy();
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns an agent built from a loaded configuration (see {@code dev.pgagent.config.ConfigLoader}) and a model:
     * every database profile becomes a named database, the selected one first; see
     * {@link Builder#configuration(dev.pgagent.config.AgentConfig)}.
     *
     * @throws IllegalArgumentException if a profile's name is not a valid database name
     */
    public static PostgresAgent fromConfiguration(dev.pgagent.config.AgentConfig config, LlmClient llm) {
        return builder().configuration(config).llm(llm).build();
    }

    /** Returns a builder initialised with this agent's settings. */
    public Builder toBuilder() {
        return settings.copy();
    }

    /** Returns a new session with a random identifier. */
    public AgentSession newSession() {
        return newSession(UUID.randomUUID().toString());
    }

    /**
     * Returns a new session with the given identifier (for example the host's user or conversation id).
     *
     * @throws IllegalArgumentException if {@code id} is blank
     */
    public AgentSession newSession(String id) {
        Objects.requireNonNull(id, "id == null");
        if (id.isBlank()) {
            throw new IllegalArgumentException("id must not be blank but was '" + id + "'");
        }
        return new AgentSession(engine.newSession(id));
    }

    /**
     * Returns a new session in the state of {@code snapshot}, with its id: the same history and, when the snapshot
     * was taken waiting for confirmations, the same pending requests, so that {@link AgentSession#resume(java.util.Map)}
     * continues the ask as the original session would. The snapshot may come from another agent, JVM or node; this
     * agent's model, database, policy and tools are used from now on, and approved statements are validated again
     * under this agent's validator and policy (refused if they no longer pass). The host must resume each stored
     * snapshot once.
     */
    @Experimental
    public AgentSession restoreSession(SessionSnapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot == null");
        return new AgentSession(engine.restoreSession(snapshot.state()));
    }

    /**
     * Returns a session continuing the conversation {@code sessionId} from the history store: with the same id (so
     * that its new asks are recorded in the same conversation) and, as its history, the recorded asks of that session
     * that have an answer, each as the question, the statement the answer rests on (without its rows, which the
     * history does not keep) and the answer; the agent's history token budget keeps the newest turns. A conversation
     * with no recorded ask starts empty. For an ask waiting for confirmations, restore its
     * {@link SessionSnapshot} instead.
     *
     * @throws IllegalStateException if the agent has no history store, or one that cannot be searched
     *     ({@link HistorySearch})
     * @throws IllegalArgumentException if {@code sessionId} is blank
     */
    @Experimental
    public AgentSession continueSession(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId == null");
        if (sessionId.isBlank()) {
            throw new IllegalArgumentException("sessionId must not be blank but was '" + sessionId + "'");
        }
        HistoryStore store = settings.historyStore;
        if (!(store instanceof HistorySearch search)) {
            throw new IllegalStateException("historyStore must be set to a store that can be searched (HistorySearch)"
                    + " to continue a conversation but was " + store);
        }
        List<AskRecord> asks = search.search(HistoryQuery.session(sessionId));
        return new AgentSession(engine.restoreSession(Conversations.state(sessionId, asks, databases.size() > 1)));
    }

    /**
     * Asks {@code question} in the stored session {@code sessionId} (a new one if none is stored) and saves the
     * session after the ask, also when it ends waiting for confirmation, so that any node can go on with it. The
     * session is claimed before the ask runs (marked busy by a compare-and-set on its version), so that of two nodes
     * asking in one session at once, one runs and the other gets {@link SessionConflictException} before anything
     * runs. If the ask throws, the session is put back as it was. The claim is a lease: it lasts the ask's
     * {@link Builder#timeout(Duration) time limit} plus {@value #LEASE_GRACE_SECONDS} seconds (for clock skew between
     * nodes and the save after the ask), so a session whose node died during an ask is taken over by the next node
     * that asks in it once the lease ran out; should the dead node come back, its save fails with
     * {@link SessionConflictException}.
     *
     * @throws IllegalStateException if no session store was set, or the stored session waits for confirmations
     *     (resume it with {@link #resumeSession(String, Map)})
     * @throws SessionConflictException if another node saved the session since it was loaded, or is running it
     */
    @Experimental
    public AgentResponse askInSession(String sessionId, String question) {
        Objects.requireNonNull(question, "question == null");
        SessionStore store = requireSessionStore();
        Objects.requireNonNull(sessionId, "sessionId == null");
        java.util.Optional<StoredSession> stored = store.load(sessionId);
        AgentSession session;
        byte[] before;
        long version;
        if (stored.isPresent()) {
            before = unclaimed(stored.get());
            session = restoreSession(SessionSnapshot.fromBytes(before));
            if (!session.pendingConfirmations().isEmpty()) {
                throw new IllegalStateException("session " + sessionId + " must not wait for confirmations to be"
                        + " asked in but waits for "
                        + session.pendingConfirmations().size()
                        + "; resume it with resumeSession");
            }
            version = stored.get().version();
        } else {
            session = newSession(sessionId);
            before = session.snapshot().toBytes();
            version = store.save(sessionId, 0, before);
        }
        long claimed = store.save(sessionId, version, claim(before, settings.timeout));
        return runClaimed(store, sessionId, claimed, before, session, () -> session.ask(question));
    }

    /**
     * Resumes the ask of the stored session {@code sessionId} that waits for confirmations, with {@code decisions}
     * (as {@link AgentSession#resume(Map)}), and saves the session after. The session is claimed first (marked busy
     * by a compare-and-set on its version): of two nodes resuming the same ask at once exactly one resumes it, the
     * other gets {@link SessionConflictException} and nothing of its decisions is applied. If the resume throws, the
     * session is put back as it was.
     *
     * @throws IllegalStateException if no session store was set, or no session {@code sessionId} is stored, or it
     *     waits for no confirmation
     * @throws SessionConflictException if another node saved the session since it was loaded, or is running it
     */
    @Experimental
    public AgentResponse resumeSession(String sessionId, Map<String, ConfirmationDecision> decisions) {
        Objects.requireNonNull(decisions, "decisions == null");
        SessionStore store = requireSessionStore();
        Objects.requireNonNull(sessionId, "sessionId == null");
        StoredSession stored = store.load(sessionId)
                .orElseThrow(() -> new IllegalStateException(
                        "session " + sessionId + " must be stored to be resumed but was not (expired or never saved)"));
        byte[] before = unclaimed(stored);
        AgentSession session = restoreSession(SessionSnapshot.fromBytes(before));
        if (session.pendingConfirmations().isEmpty()) {
            throw new IllegalStateException(
                    "session " + sessionId + " must wait for confirmations to be resumed but" + " waits for none");
        }
        long claimed = store.save(sessionId, stored.version(), claim(before, settings.timeout));
        return runClaimed(store, sessionId, claimed, before, session, () -> session.resume(decisions));
    }

    /** A claim without a lease (written by earlier versions): busy until deleted or expired. */
    private static final byte[] BUSY = {'P', 'G', 'A', 'B'};

    /** A claim with a lease: the marker, then the lease's end in epoch milliseconds (8 bytes), then the state. */
    private static final byte[] LEASED = {'P', 'G', 'A', 'L'};

    /** Seconds a session's lease lasts beyond the ask's time limit. */
    static final long LEASE_GRACE_SECONDS = 60;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PostgresAgent.class);

    private static byte[] claim(byte[] state, Duration askTimeout) {
        long until = System.currentTimeMillis() + askTimeout.toMillis() + LEASE_GRACE_SECONDS * 1000;
        return java.nio.ByteBuffer.allocate(LEASED.length + Long.BYTES + state.length)
                .put(LEASED)
                .putLong(until)
                .put(state)
                .array();
    }

    private static boolean startsWith(byte[] s, byte[] marker) {
        return s.length >= marker.length && java.util.Arrays.equals(s, 0, marker.length, marker, 0, marker.length);
    }

    private static byte[] unclaimed(StoredSession stored) {
        byte[] s = stored.state();
        int head = LEASED.length + Long.BYTES;
        if (startsWith(s, LEASED) && s.length >= head) {
            java.time.Instant until = java.time.Instant.ofEpochMilli(
                    java.nio.ByteBuffer.wrap(s, LEASED.length, Long.BYTES).getLong());
            if (java.time.Instant.now().isBefore(until)) {
                throw new SessionConflictException(
                        stored.sessionId(),
                        stored.version(),
                        "session " + stored.sessionId() + " is being run by another node (version " + stored.version()
                                + ", claimed until " + until + "); try again when it is done");
            }
            LOG.warn(
                    "Session {} was claimed by a node that did not finish by {}; taking it over as it was before that"
                            + " ask",
                    stored.sessionId(),
                    until);
            return java.util.Arrays.copyOfRange(s, head, s.length);
        }
        if (startsWith(s, BUSY)) {
            throw new SessionConflictException(
                    stored.sessionId(),
                    stored.version(),
                    "session " + stored.sessionId() + " is being run by another node (version " + stored.version()
                            + "); try again when it is done");
        }
        return s;
    }

    private static AgentResponse runClaimed(
            SessionStore store,
            String sessionId,
            long claimed,
            byte[] before,
            AgentSession session,
            java.util.function.Supplier<AgentResponse> run) {
        AgentResponse response;
        try {
            response = run.get();
        } catch (RuntimeException e) {
            try {
                store.save(sessionId, claimed, before);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        store.save(sessionId, claimed, session.snapshot().toBytes());
        return response;
    }

    private SessionStore requireSessionStore() {
        SessionStore store = settings.sessionStore;
        if (store == null) {
            throw new IllegalStateException(
                    "sessionStore must be set to ask in or resume a stored session but was" + " null");
        }
        return store;
    }

    /** Returns the history store the agent records asks to, if one was set. */
    @Experimental
    public java.util.Optional<HistoryStore> historyStore() {
        return java.util.Optional.ofNullable(settings.historyStore);
    }

    /** Asks one question in a new session and returns the response; see {@link AgentSession#ask(String)}. */
    public AgentResponse ask(String question) {
        return newSession().ask(question);
    }

    /** Returns the default database (the first). */
    public PostgresDatabase database() {
        return database;
    }

    /** Returns the names of the agent's databases, the default first; one database is named {@code default}. */
    public List<String> databaseNames() {
        return List.copyOf(databases.keySet());
    }

    /**
     * Returns the database named {@code name}.
     *
     * @throws IllegalArgumentException if the agent has no database of that name
     */
    public PostgresDatabase database(String name) {
        PostgresDatabase db = databases.get(Objects.requireNonNull(name, "name == null"));
        if (db == null) {
            throw new IllegalArgumentException("name must be one of " + databases.keySet() + " but was '" + name + "'");
        }
        return db;
    }

    /**
     * Returns the guarded path for calls made as {@code caller} (a user, a job, an MCP client): tool calls and single
     * statements through the same validation, plan check, runtime guards, confirmation, redaction and audit as the
     * model's, without a model.
     *
     * @throws IllegalArgumentException if {@code caller} is blank
     */
    public GuardedPath guardedPath(String caller) {
        return new GuardedPath(engine.hostCalls(caller), engine.specs());
    }

    /**
     * Stops the agent's worker threads; running asks are interrupted and new ones fail; closes (flushing them) the
     * audit sinks the configuration created ({@link Builder#configuration(dev.pgagent.config.AgentConfig)}). The
     * databases (the host's data sources) are not closed. Idempotent.
     */
    @Override
    public void close() {
        engine.shutdown();
        for (Runnable close : settings.ownedSinks) {
            try {
                close.run();
            } catch (RuntimeException e) {
                LOG.warn("Closing an audit sink failed", e);
            }
        }
    }

    /** Returns the policy in force. */
    public SafetyPolicy policy() {
        return policy;
    }

    /** Returns the validator enforcing the policy. */
    public SafetyValidator validator() {
        return validator;
    }

    /** Returns the tools offered to the model, built-in ones first. */
    public List<ToolSpec> tools() {
        return engine.specs();
    }

    @Override
    public String toString() {
        return "PostgresAgent{policy=" + policy.level() + ", tools="
                + engine.specs().size() + ", databases=" + databases.keySet() + '}';
    }

    /**
     * Returns a builder of the schema context an agent under {@code policy} puts in its system prompt, over the
     * database's current schema, with value grounding (see {@link Builder#valueGrounding(boolean)}): what
     * {@code pg-agent context} shows. Reuse it across questions; it caches sampled values.
     */
    public static SchemaContextBuilder schemaContextBuilder(PostgresDatabase database, SafetyPolicy policy) {
        Objects.requireNonNull(database, "database == null");
        Objects.requireNonNull(policy, "policy == null");
        return Defaults.contextBuilder(database, database.schema(), policy);
    }

    /** Builds a {@link PostgresAgent}. Not thread-safe. */
    public static final class Builder {
        private @Nullable LlmClient llm;
        private @Nullable DataSource dataSource;
        private @Nullable PostgresDatabase database;
        private SafetyPolicy policy = SafetyPolicy.READ_ONLY;
        private @Nullable SafetyValidator safetyValidator;
        private final List<Tool> tools = new ArrayList<>();
        private final List<AuditSink> auditSinks = new ArrayList<>();
        private final List<Runnable> ownedSinks = new ArrayList<>();
        private AuditFailurePolicy auditFailurePolicy = AuditFailurePolicy.LOG_AND_CONTINUE;
        private ConfirmationHandler confirmationHandler = ConfirmationHandler.DECLINE_ALL;
        private int maxSteps = 8;
        private int maxToolCallsPerStep = 8;
        private Duration timeout = Duration.ofSeconds(120);
        private long tokenBudget = 200_000;
        private int historyTokenBudget = 8_000;
        private int schemaContextTokens = 2_000;
        private boolean valueGrounding = true;
        private ModelOptions modelOptions = ModelOptions.DEFAULTS;
        private AgentListener listener = AgentListener.NONE;
        private @Nullable String instructions;
        private final List<AgentDatabase> extraDatabases = new ArrayList<>();
        private int maxQuestionChars = 20_000;
        private @Nullable HistoryStore historyStore;
        private @Nullable SessionStore sessionStore;
        private Function<String, String> historyPrincipal = Function.identity();
        private @Nullable Function<String, String> auditUser;
        private @Nullable QueryMemory queryMemory;
        private boolean queryMemoryEnabled = true;
        private int contributionTokens = 500;
        private final List<PromptContributor> promptContributors = new ArrayList<>();
        private String defaultDatabaseName = "default";

        private Builder() {}

        private Builder copy() {
            Builder b = new Builder();
            b.llm = llm;
            b.dataSource = dataSource;
            b.database = database;
            b.policy = policy;
            b.safetyValidator = safetyValidator;
            b.tools.addAll(tools);
            b.auditSinks.addAll(auditSinks);
            b.ownedSinks.addAll(ownedSinks);
            b.auditFailurePolicy = auditFailurePolicy;
            b.confirmationHandler = confirmationHandler;
            b.maxSteps = maxSteps;
            b.maxToolCallsPerStep = maxToolCallsPerStep;
            b.timeout = timeout;
            b.tokenBudget = tokenBudget;
            b.historyTokenBudget = historyTokenBudget;
            b.schemaContextTokens = schemaContextTokens;
            b.valueGrounding = valueGrounding;
            b.modelOptions = modelOptions;
            b.listener = listener;
            b.instructions = instructions;
            b.extraDatabases.addAll(extraDatabases);
            b.maxQuestionChars = maxQuestionChars;
            b.historyStore = historyStore;
            b.sessionStore = sessionStore;
            b.historyPrincipal = historyPrincipal;
            b.auditUser = auditUser;
            b.queryMemory = queryMemory;
            b.queryMemoryEnabled = queryMemoryEnabled;
            b.contributionTokens = contributionTokens;
            b.promptContributors.addAll(promptContributors);
            b.defaultDatabaseName = defaultDatabaseName;
            return b;
        }

        /** Sets the language model. Required. */
        public Builder llm(LlmClient llm) {
            this.llm = Objects.requireNonNull(llm, "llm == null");
            return this;
        }

        /** Sets the database by its data source (the host's pool). Required unless {@link #database} is set. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource == null");
            return this;
        }

        /** Sets the database. Required unless {@link #dataSource} is set. */
        public Builder database(PostgresDatabase database) {
            this.database = Objects.requireNonNull(database, "database == null");
            return this;
        }

        /**
         * Adds a named database. With more than one database, the built-in tools take a {@code database} argument,
         * a {@code list_databases} tool lists them with their descriptions, and the system prompt names them; each
         * database keeps its own connection, schema cache, policy and validator. The database set with
         * {@link #dataSource} or {@link #database(PostgresDatabase)}, if any, comes first, named {@code default};
         * otherwise the first one added is the default. Default: none.
         */
        public Builder addDatabase(AgentDatabase database) {
            extraDatabases.add(Objects.requireNonNull(database, "database == null"));
            return this;
        }

        /**
         * Applies a loaded configuration: the policy, the agent's limits and value grounding, the model options, the
         * audit sinks and failure policy, and every database profile as a named database (the selected profile
         * first, with its description and its policy; reads go to its {@code readReplicaUrl}, if any, while the
         * replica lags less than its {@code maxReplicaLag}). The audit sinks it creates for {@code audit.postgres} (a
         * {@code PostgresAuditSink} on that profile's data source, waiting for each commit under {@code fail-closed})
         * and {@code audit.http} (an {@link HttpAuditSink}, likewise) belong to the agent built from this builder and
         * are flushed and closed by its {@link PostgresAgent#close()}. The model is not part of it (core depends on no LLM
         * adapter): set it with {@link #llm}. Settings applied later on this builder win.
         *
         * @throws IllegalArgumentException if a profile's name is not a valid database name
         */
        public Builder configuration(dev.pgagent.config.AgentConfig config) {
            return configuration(config, Builder::profileDatabase);
        }

        /**
         * Returns the database of a profile: its URL, and its read replica (same user and password) with its
         * {@code maxReplicaLag} when it names one.
         */
        private static PostgresDatabase profileDatabase(dev.pgagent.config.DatabaseProfile p) {
            String password =
                    p.password().map(dev.pgagent.config.Secret::reveal).orElse(null);
            PostgresDatabase.Builder db = PostgresDatabase.builder()
                    .dataSource(dev.pgagent.db.postgres.PgDataSources.fromUrl(p.jdbcUrl(), p.user(), password));
            p.readReplicaUrl()
                    .ifPresent(url -> db.readReplica(
                                    dev.pgagent.db.postgres.PgDataSources.fromUrl(url, p.user(), password))
                            .maxReplicaLag(p.maxReplicaLag()));
            return db.build();
        }

        /**
         * Applies a loaded configuration as {@link #configuration(dev.pgagent.config.AgentConfig)} does, taking
         * each profile's database from {@code databases} (a client that has already connected to the selected
         * profile passes its own, with the connect timeout and pool it chose).
         *
         * @throws IllegalArgumentException if a profile's name is not a valid database name
         */
        public Builder configuration(
                dev.pgagent.config.AgentConfig config,
                java.util.function.Function<dev.pgagent.config.DatabaseProfile, PostgresDatabase> databases) {
            Objects.requireNonNull(config, "config == null");
            Objects.requireNonNull(databases, "databases == null");
            dev.pgagent.config.AgentSettings a = config.agent();
            policy(config.policy());
            maxSteps(a.maxSteps());
            maxToolCallsPerStep(a.maxToolCallsPerStep());
            timeout(a.timeout());
            tokenBudget(a.tokenBudget());
            historyTokenBudget(a.historyTokenBudget());
            schemaContextTokens(a.schemaContextTokens());
            valueGrounding(a.valueGrounding());
            instructions(a.instructions().orElse(null));
            modelOptions(config.model().options());
            dev.pgagent.config.AuditConfig audit = config.audit();
            audit.jsonl()
                    .ifPresent(path -> addAuditSink(
                            audit.chained() ? AuditSinks.chainedJsonLines(path) : AuditSinks.jsonLines(path)));
            if (audit.slf4j()) {
                addAuditSink(AuditSinks.slf4j());
            }
            auditFailurePolicy(AuditFailurePolicy.valueOf(audit.failurePolicy().name()));
            List<dev.pgagent.config.DatabaseProfile> profiles = new ArrayList<>();
            profiles.add(config.database());
            config.databases().stream()
                    .filter(p -> !p.name().equals(config.database().name()))
                    .forEach(profiles::add);
            boolean failClosed = audit.failurePolicy() == dev.pgagent.config.AuditConfig.FailurePolicy.FAIL_CLOSED;
            for (dev.pgagent.config.DatabaseProfile p : profiles) {
                PostgresDatabase db = Objects.requireNonNull(databases.apply(p), "databases returned null");
                addDatabase(AgentDatabase.builder(p.name())
                        .description(p.description().orElse(""))
                        .database(db)
                        .policy(p.policy())
                        .build());
                if (audit.postgresDatabase().filter(p.name()::equals).isPresent()) {
                    dev.pgagent.db.postgres.PostgresAuditSink sink = dev.pgagent.db.postgres.PostgresAuditSink.builder()
                            .dataSource(db.dataSource())
                            .schema(audit.postgresSchema())
                            .awaitCommit(failClosed)
                            .build();
                    own(sink, sink::close);
                }
            }
            audit.httpUrl().ifPresent(url -> {
                HttpAuditSink.Builder http =
                        HttpAuditSink.builder().endpoint(url).awaitDelivery(failClosed);
                audit.httpToken().ifPresent(t -> http.header("Authorization", "Bearer " + t.reveal()));
                HttpAuditSink sink = http.build();
                own(sink, sink::close);
            });
            return this;
        }

        private void own(AuditSink sink, Runnable close) {
            addAuditSink(sink);
            ownedSinks.add(close);
        }

        /**
         * Sets the longest question {@link AgentSession#ask(String)} accepts, in characters; a longer one is refused
         * with {@link IllegalArgumentException} before any model call. At least 1. Default: 20,000.
         */
        public Builder maxQuestionChars(int maxQuestionChars) {
            if (maxQuestionChars < 1) {
                throw new IllegalArgumentException("maxQuestionChars must be >= 1 but was " + maxQuestionChars);
            }
            this.maxQuestionChars = maxQuestionChars;
            return this;
        }

        /** Sets the safety policy. Default: {@link SafetyPolicy#READ_ONLY}. */
        public Builder policy(SafetyPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy == null");
            return this;
        }

        /**
         * Sets the validator. Default: {@code JSqlParserSafetyValidator.of(policy)}. A validator given here should
         * enforce the same policy as {@link #policy}, which still sets the runtime limits, redaction and
         * confirmation timeout.
         */
        public Builder safetyValidator(SafetyValidator safetyValidator) {
            this.safetyValidator = Objects.requireNonNull(safetyValidator, "safetyValidator == null");
            return this;
        }

        /**
         * Adds a tool offered to the model besides the built-in ones ({@code execute_query}, {@code list_tables},
         * {@code describe_table}, {@code get_schema}, {@code explain_query}, {@code search_schema}). Its database
         * access through {@link dev.pgagent.api.tool.ToolContext#sql()} takes the same safety path as theirs.
         * Default: none.
         */
        public Builder addTool(Tool tool) {
            tools.add(Objects.requireNonNull(tool, "tool == null"));
            return this;
        }

        /** Adds an audit sink; several may be added. Default: none. */
        public Builder addAuditSink(AuditSink sink) {
            auditSinks.add(Objects.requireNonNull(sink, "sink == null"));
            return this;
        }

        /** Sets what happens when an audit sink throws. Default: {@link AuditFailurePolicy#LOG_AND_CONTINUE}. */
        public Builder auditFailurePolicy(AuditFailurePolicy auditFailurePolicy) {
            this.auditFailurePolicy = Objects.requireNonNull(auditFailurePolicy, "auditFailurePolicy == null");
            return this;
        }

        /**
         * Sets who approves statements that need confirmation. A blocking handler is given at most the policy's
         * {@link SafetyPolicy#confirmationTimeout()} (then the statement is declined, decided by "timeout").
         * Default: {@link ConfirmationHandler#DECLINE_ALL}.
         */
        public Builder confirmationHandler(ConfirmationHandler confirmationHandler) {
            this.confirmationHandler = Objects.requireNonNull(confirmationHandler, "confirmationHandler == null");
            return this;
        }

        /** Sets the most model turns in one ask; at least 1. Default: 8. */
        public Builder maxSteps(int maxSteps) {
            if (maxSteps < 1) {
                throw new IllegalArgumentException("maxSteps must be >= 1 but was " + maxSteps);
            }
            this.maxSteps = maxSteps;
            return this;
        }

        /** Sets the most tool calls run in one step (extra calls get an error result); at least 1. Default: 8. */
        public Builder maxToolCallsPerStep(int maxToolCallsPerStep) {
            if (maxToolCallsPerStep < 1) {
                throw new IllegalArgumentException("maxToolCallsPerStep must be >= 1 but was " + maxToolCallsPerStep);
            }
            this.maxToolCallsPerStep = maxToolCallsPerStep;
            return this;
        }

        /**
         * Sets the time limit of one ask, model calls and tools included; time spent waiting for a person's
         * confirmation does not count. Positive. Default: 120 s.
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout == null");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must be positive but was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Sets the most tokens (input plus output, as the provider reports them) one ask may use; a model call
         * whose prompt would exceed what is left is not made. At least 1. Default: 200,000.
         */
        public Builder tokenBudget(long tokenBudget) {
            if (tokenBudget < 1) {
                throw new IllegalArgumentException("tokenBudget must be >= 1 but was " + tokenBudget);
            }
            this.tokenBudget = tokenBudget;
            return this;
        }

        /**
         * Sets the tokens of past turns a session sends with each question; older turns are dropped whole. At
         * least 0. Default: 8,000.
         */
        public Builder historyTokenBudget(int historyTokenBudget) {
            if (historyTokenBudget < 0) {
                throw new IllegalArgumentException("historyTokenBudget must be >= 0 but was " + historyTokenBudget);
            }
            this.historyTokenBudget = historyTokenBudget;
            return this;
        }

        /** Sets the tokens of schema summary in the system prompt; at least 0 (none). Default: 2,000. */
        public Builder schemaContextTokens(int schemaContextTokens) {
            if (schemaContextTokens < 0) {
                throw new IllegalArgumentException("schemaContextTokens must be >= 0 but was " + schemaContextTokens);
            }
            this.schemaContextTokens = schemaContextTokens;
            return this;
        }

        /**
         * Sets whether the schema summary shows sample values of the text columns a question seems to filter on
         * ({@code status text -- values: 'shipped','pending'}), read from {@code pg_stats} or a bounded
         * {@code SELECT DISTINCT} under the policy's limits and role. Columns the policy denies or keeps out of reach,
         * and columns whose values the PII redactor would change, are never sampled. Default: on.
         */
        public Builder valueGrounding(boolean valueGrounding) {
            this.valueGrounding = valueGrounding;
            return this;
        }

        /** Sets the options of every model call. Default: {@link ModelOptions#DEFAULTS}. */
        public Builder modelOptions(ModelOptions modelOptions) {
            this.modelOptions = Objects.requireNonNull(modelOptions, "modelOptions == null");
            return this;
        }

        /**
         * Sets the listener (one; combine several with {@link AgentListener#all}). Default:
         * {@link AgentListener#NONE}.
         */
        public Builder listener(AgentListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener == null");
            return this;
        }

        /** Sets extra instructions appended to the system prompt; null for none. Default: none. */
        public Builder instructions(@Nullable String instructions) {
            this.instructions = instructions;
            return this;
        }

        /**
         * Sets the store of shared session states, so that any node can continue a conversation or resume an ask
         * waiting for confirmation: see {@link PostgresAgent#askInSession(String, String)} and
         * {@link PostgresAgent#resumeSession(String, Map)}. Default: none.
         */
        @Experimental
        public Builder sessionStore(SessionStore sessionStore) {
            this.sessionStore = Objects.requireNonNull(sessionStore, "sessionStore == null");
            return this;
        }

        /**
         * Sets the store every ask is recorded to: who asked (see {@link #historyPrincipal}), the session, the
         * question and answer, the statements with their verdicts, outcomes and row counts (never rows), steps,
         * tokens, time and status. Recorded from the agent's events when each ask ends, on the asking thread; a
         * failing store is logged and never fails the ask. A store that is also a {@link QueryMemory} feeds the
         * examples of {@link #queryMemory(boolean)}; one that is a {@link HistorySearch} lets
         * {@link PostgresAgent#continueSession(String)} continue its conversations. Host calls of the
         * {@link GuardedPath} are audited, not recorded. Default: none.
         */
        @Experimental
        public Builder historyStore(HistoryStore historyStore) {
            this.historyStore = Objects.requireNonNull(historyStore, "historyStore == null");
            return this;
        }

        /**
         * Sets who asked, by session id, as the history records it and as the {@code user} attribute of every audit
         * event of a session. Default: the session id in the history, and no {@code user} attribute.
         */
        @Experimental
        public Builder historyPrincipal(Function<String, String> principalOfSession) {
            this.historyPrincipal = Objects.requireNonNull(principalOfSession, "principalOfSession == null");
            this.auditUser = principalOfSession;
            return this;
        }

        /**
         * Sets where examples of earlier questions come from: successful (question, SQL) pairs and the host's golden
         * pairs. Default: the {@link #historyStore} when it is a {@link QueryMemory}.
         */
        @Experimental
        public Builder queryMemory(QueryMemory queryMemory) {
            this.queryMemory = Objects.requireNonNull(queryMemory, "queryMemory == null");
            return this;
        }

        /**
         * Sets whether the system prompt shows, per database, the remembered pairs most like the question: only
         * pairs of that database, only SQL its validator lets run as a read today, redacted like results, within
         * {@link #contributionTokens}, never result rows. They join the schema summary, so they need
         * {@link #schemaContextTokens} above zero. Default: on (when there is a query memory).
         */
        @Experimental
        public Builder queryMemory(boolean enabled) {
            this.queryMemoryEnabled = enabled;
            return this;
        }

        /**
         * Adds a contributor of text to each ask's system prompt, per database, after the schema summary (the query
         * memory is one). Default: none.
         */
        @Experimental
        public Builder addPromptContributor(PromptContributor contributor) {
            promptContributors.add(Objects.requireNonNull(contributor, "contributor == null"));
            return this;
        }

        /**
         * Sets about how many tokens each prompt contributor (the query memory's examples among them) may add per
         * database and ask; 0 turns them all off. Default: 500.
         */
        @Experimental
        public Builder contributionTokens(int contributionTokens) {
            if (contributionTokens < 0) {
                throw new IllegalArgumentException("contributionTokens must be >= 0 but was " + contributionTokens);
            }
            this.contributionTokens = contributionTokens;
            return this;
        }

        /**
         * Sets the name of the database set with {@link #dataSource} or {@link #database(PostgresDatabase)}: the
         * name audit records, events, the history and the query memory use for it (with one database the model never
         * sees it). Give a stable name when one history store serves agents over different databases, so that the
         * examples of one are never shown for another. Default: {@code default}.
         *
         * @throws IllegalArgumentException if the name is not a letter followed by up to 62 letters, digits, '_'
         *     or '-'
         */
        @Experimental
        public Builder defaultDatabaseName(String name) {
            AgentDatabase.builder(Objects.requireNonNull(name, "name == null")); // validates the name
            this.defaultDatabaseName = name;
            return this;
        }

        /**
         * Returns the agent.
         *
         * @throws IllegalStateException if the model or the database is missing, both a data source and a database
         *     are set, or two tools share a name
         */
        public PostgresAgent build() {
            LlmClient model = llm;
            if (model == null) {
                throw new IllegalStateException("llm must be set but was null");
            }
            if (dataSource != null && database != null) {
                throw new IllegalStateException("only one of dataSource and database must be set but both were");
            }
            List<AgentDatabase> all = new ArrayList<>();
            if (dataSource != null || database != null) {
                PostgresDatabase db =
                        database != null ? database : PostgresDatabase.of(Objects.requireNonNull(dataSource));
                AgentDatabase.Builder d =
                        AgentDatabase.builder(defaultDatabaseName).database(db);
                if (safetyValidator != null) {
                    d.validator(safetyValidator);
                }
                all.add(d.build());
            }
            all.addAll(extraDatabases);
            if (all.isEmpty()) {
                throw new IllegalStateException("dataSource, database or addDatabase must be set but none was");
            }
            java.util.Map<String, PostgresDatabase> byName = new java.util.LinkedHashMap<>();
            List<DatabaseBinding> bindings = new ArrayList<>();
            TextTokenCounter counter = Defaults.tokenCounter();
            java.util.concurrent.atomic.AtomicReference<AgentEngine> engineRef =
                    new java.util.concurrent.atomic.AtomicReference<>();
            for (AgentDatabase d : all) {
                if (byName.putIfAbsent(d.name(), d.database()) != null) {
                    throw new IllegalStateException(
                            "database names must be unique but '" + d.name() + "' was added twice");
                }
                bindings.add(binding(d, counter, engineRef));
            }
            SafetyValidator validator = bindings.get(0).validator();
            HistoryRecorder recorder =
                    historyStore == null ? null : new HistoryRecorder(historyStore, historyPrincipal);
            AgentListener events = recorder == null ? listener : HistoryRecorder.both(listener, recorder);
            List<AuditSink> sinks = new ArrayList<>(auditSinks);
            if (recorder != null) {
                sinks.add(recorder.auditSink()); // hears the outcome of statements approved on resume
            }
            EngineConfig config = new EngineConfig(
                    model,
                    tools,
                    bindings,
                    policy,
                    new AuditFanout(sinks, auditFailurePolicy, events, auditUser),
                    confirmationHandler,
                    maxSteps,
                    maxToolCallsPerStep,
                    timeout,
                    tokenBudget,
                    historyTokenBudget,
                    schemaContextTokens,
                    modelOptions,
                    events,
                    counter,
                    instructions,
                    maxQuestionChars);
            AgentEngine engine = new AgentEngine(config);
            engineRef.set(engine);
            return new PostgresAgent(this, engine, byName, validator);
        }

        private DatabaseBinding binding(
                AgentDatabase d,
                TextTokenCounter counter,
                java.util.concurrent.atomic.AtomicReference<AgentEngine> engineRef) {
            SafetyPolicy p = d.policy() != null ? d.policy() : policy;
            SafetyValidator v = d.validator() != null ? d.validator() : Defaults.validator(p);
            PostgresDatabase db = d.database();
            List<Tool> builtIns = new ArrayList<>(PostgresTools.builtIns(db));
            builtIns.add(SchemaSearchTool.of(db::schema));
            ResultRedactor redactor = Defaults.redactor(p);
            // prompt contributions join the schema summary: the assembly of the prompt does not change
            List<PromptContributor> contributors = new ArrayList<>();
            QueryMemory memory = queryMemory != null ? queryMemory : historyStore instanceof QueryMemory m ? m : null;
            if (queryMemoryEnabled && memory != null) {
                contributors.add(new QueryMemoryPrompt(memory, v, redactor, counter));
            }
            contributors.addAll(promptContributors);
            SchemaSummarizer summarizer = QueryMemoryPrompt.withContributions(
                    Defaults.schemaSummarizer(
                            db, valueGrounding ? p : null, Defaults.samplingGateway(engineRef::get, d.name())),
                    d.name(),
                    contributors,
                    contributionTokens);
            return new DatabaseBinding(
                    d.name(), d.description(), p, v, DatabaseOps.of(db), summarizer, redactor, builtIns);
        }
    }
}
