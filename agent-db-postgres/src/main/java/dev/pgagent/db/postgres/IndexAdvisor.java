package dev.pgagent.db.postgres;

import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.Experimental;
import dev.pgagent.api.PgAgentException;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.api.safety.SafetyValidator;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recommends indexes for a set of read statements or a workload.
 *
 * <p>For each statement it reads PostgreSQL's plan ({@code EXPLAIN (VERBOSE, FORMAT JSON)}, which runs nothing) and
 * derives candidate B-tree indexes from what the plan shows per table: columns under equality and range filters,
 * join columns, sort and group keys; as single-column, multi-column (equality columns first, then one range column or
 * the sort keys), covering ({@code INCLUDE} of the other columns the statement reads) and partial (under a constant
 * equality filter on a column with few distinct values, where that constant dominates: at least half the statements
 * that compare the column with a constant use it) candidates. Candidates an existing index already serves (its
 * leading key columns are the candidate's) are dropped. Each candidate is then costed what-if: with hypopg's
 * hypothetical indexes when the extension is installed in the database (nothing is built, nothing is locked), else,
 * only if the host allowed it with {@link Builder#allowRealBuild}, by building it for real in a transaction that is
 * rolled back (a SHARE lock on its table while the candidate is costed: writes to the table wait, reads go on; each
 * build is bounded by {@link Builder#statementTimeout}). Without either, the candidates are listed uncosted.
 *
 * <p>The selection is greedy under a size budget: the candidate with the most estimated benefit per byte is picked,
 * kept in place, and the others are costed again on top of it, until none is left that fits the budget and saves at
 * least {@link Builder#minGain} of some statement's cost. Every statement must be a read the given
 * {@link SafetyValidator} allows; others are skipped and the advice says why. Everything runs on one connection, in
 * one transaction that is always rolled back (READ ONLY unless candidates are built). Immutable and thread-safe; each
 * call takes its own connection.
 *
 * <pre>{@code
 * IndexAdvisor advisor = IndexAdvisor.builder().validator(agent.guardedPath("dba")::check)
 *         .budgetBytes(512L << 20).build();
 * IndexAdvice advice = advisor.advise(dataSource, List.of("SELECT * FROM orders WHERE customer_id = 42"));
 * advice.recommendations().forEach(r -> System.out.println(r.createStatement()));
 * }</pre>
 */
@Experimental
public final class IndexAdvisor {
    private static final Logger LOG = LoggerFactory.getLogger(IndexAdvisor.class);
    /** Most key columns of a candidate. */
    private static final int MAX_KEYS = 4;
    /** Most INCLUDE columns of a covering candidate. */
    private static final int MAX_INCLUDE = 4;
    /** A column with at most this many distinct values is a partial index's predicate. */
    private static final double PARTIAL_MAX_DISTINCT = 20;

    private final SafetyValidator validator;
    private final long budgetBytes;
    private final double minGain;
    private final boolean hypopg;
    private final boolean allowRealBuild;
    private final Duration statementTimeout;
    private final Duration lockTimeout;
    private final int maxCandidates;
    private final AuditSink auditSink;
    private final String caller;

    private IndexAdvisor(Builder b) {
        this.validator = Objects.requireNonNull(b.validator, "validator");
        this.budgetBytes = b.budgetBytes;
        this.minGain = b.minGain;
        this.hypopg = b.hypopg;
        this.allowRealBuild = b.allowRealBuild;
        this.statementTimeout = b.statementTimeout;
        this.lockTimeout = b.lockTimeout;
        this.maxCandidates = b.maxCandidates;
        this.auditSink = b.auditSink;
        this.caller = b.caller;
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder with this advisor's settings. */
    public Builder toBuilder() {
        return builder()
                .validator(validator)
                .budgetBytes(budgetBytes)
                .minGain(minGain)
                .hypopg(hypopg)
                .allowRealBuild(allowRealBuild)
                .statementTimeout(statementTimeout)
                .lockTimeout(lockTimeout)
                .maxCandidates(maxCandidates)
                .auditSink(auditSink)
                .caller(caller);
    }

    /** Returns the size budget in bytes. */
    public long budgetBytes() {
        return budgetBytes;
    }

    /** Returns whether candidates may be built for real in a rolled-back transaction. */
    public boolean allowRealBuild() {
        return allowRealBuild;
    }

    /**
     * One statement of a workload.
     *
     * @param sql the statement, possibly with {@code $n} parameters as {@code pg_stat_statements} normalises them
     * @param weight how much it counts, e.g. its calls; must be positive
     */
    public record WorkloadStatement(String sql, double weight) {
        /** Validates the components. */
        public WorkloadStatement {
            Objects.requireNonNull(sql, "sql == null");
            if (!(weight > 0)) {
                throw new IllegalArgumentException("weight must be > 0 but was " + weight);
            }
        }
    }

    /**
     * A workload: statements with weights, and notes on how it was read.
     *
     * @param statements the statements
     * @param notes what the reader should know, e.g. that {@code pg_stat_statements} is not installed
     */
    public record Workload(List<WorkloadStatement> statements, List<String> notes) {
        /** Copies the components. */
        public Workload {
            statements = List.copyOf(statements);
            notes = List.copyOf(notes);
        }

        /** Returns a workload of {@code sql}, each with weight 1. */
        public static Workload of(List<String> sql) {
            List<WorkloadStatement> out = new ArrayList<>();
            for (String s : sql) {
                out.add(new WorkloadStatement(s, 1));
            }
            return new Workload(out, List.of());
        }
    }

    /**
     * Reads a workload file's text: statements separated by {@code ;} (outside quotes, dollar quotes and
     * comments), each with weight 1; empty statements are left out.
     */
    public static Workload parseWorkload(String text) {
        Objects.requireNonNull(text, "text == null");
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\'' || c == '"') {
                int end = text.indexOf(c, i + 1);
                while (end >= 0 && end + 1 < n && text.charAt(end + 1) == c) {
                    end = text.indexOf(c, end + 2);
                }
                end = end < 0 ? n : end + 1;
                cur.append(text, i, end);
                i = end;
            } else if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                int end = text.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                cur.append(' ');
            } else if (c == '$' && dollarTag(text, i) != null) {
                String tag = dollarTag(text, i);
                int end = text.indexOf(tag, i + tag.length());
                end = end < 0 ? n : end + tag.length();
                cur.append(text, i, end);
                i = end;
            } else if (c == ';') {
                add(out, cur);
                i++;
            } else {
                cur.append(c);
                i++;
            }
        }
        add(out, cur);
        return Workload.of(out);
    }

    private static @Nullable String dollarTag(String text, int at) {
        int end = text.indexOf('$', at + 1);
        if (end < 0) {
            return null;
        }
        String tag = text.substring(at, end + 1);
        return tag.matches("\\$([A-Za-z_][A-Za-z0-9_]*)?\\$") ? tag : null;
    }

    private static void add(List<String> out, StringBuilder cur) {
        String s = cur.toString().strip();
        if (!s.isEmpty()) {
            out.add(s);
        }
        cur.setLength(0);
    }

    /**
     * Reads the top {@code limit} reads of the current database by total execution time from
     * {@code pg_stat_statements}, weighted by their calls. When the extension is not installed (or cannot be read),
     * the workload is empty and its notes say so. Statements come normalised, with {@code $n} parameters; the
     * advisor explains them with a generic plan.
     */
    public static Workload topStatements(DataSource dataSource, int limit) {
        Objects.requireNonNull(dataSource, "dataSource == null");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1 but was " + limit);
        }
        try (Connection conn = dataSource.getConnection()) {
            try (Statement st = conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT n.nspname FROM pg_catalog.pg_extension e JOIN "
                            + "pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = "
                            + "'pg_stat_statements'")) {
                if (!rs.next()) {
                    return new Workload(
                            List.of(),
                            List.of("pg_stat_statements is not installed in this database "
                                    + "(CREATE EXTENSION pg_stat_statements, with it in shared_preload_libraries); give "
                                    + "the statements instead"));
                }
                String schema = rs.getString(1);
                return top(conn, IndexCandidate.quoteIdent(schema), limit);
            }
        } catch (SQLException e) {
            return new Workload(
                    List.of(),
                    List.of("pg_stat_statements cannot be read: "
                            + PgAgentException.abbreviate(String.valueOf(e.getMessage()), 200)));
        }
    }

    private static Workload top(Connection conn, String schema, int limit) throws SQLException {
        List<WorkloadStatement> out = new ArrayList<>();
        int params = 0;
        try (PreparedStatement ps = conn.prepareStatement("SELECT query, calls FROM " + schema
                + ".pg_stat_statements s WHERE s.dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = "
                + "current_database()) AND s.query ~* '^\\s*(select|with)\\s' AND s.query !~* 'pg_catalog|"
                + "information_schema|pg_stat_statements|hypopg' ORDER BY s.total_exec_time DESC LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String q = rs.getString(1);
                    out.add(new WorkloadStatement(q, Math.max(1, rs.getLong(2))));
                    if (WhatIfSession.parameters(q) > 0) {
                        params++;
                    }
                }
            }
        }
        List<String> notes = new ArrayList<>();
        notes.add("workload: the top " + out.size() + " reads by total execution time from pg_stat_statements, "
                + "each weighted by its calls");
        if (params > 0) {
            notes.add(params + " of them have $n parameters: they were prepared and explained with a generic plan "
                    + "(plan_cache_mode = force_generic_plan), which does not see the values they ran with");
        }
        return new Workload(out, notes);
    }

    /** Advises on {@code statements}, each with weight 1. */
    public IndexAdvice advise(DataSource dataSource, List<String> statements) {
        return advise(dataSource, Workload.of(statements));
    }

    /**
     * Advises on a workload: takes one connection from {@code dataSource}, costs the candidates on it and gives it
     * back with everything rolled back.
     *
     * @throws DatabaseException if the database cannot be reached or the advisor's own catalog reads fail
     */
    public IndexAdvice advise(DataSource dataSource, Workload workload) {
        Objects.requireNonNull(dataSource, "dataSource == null");
        Objects.requireNonNull(workload, "workload == null");
        try (Connection conn = dataSource.getConnection()) {
            return advise(conn, workload);
        } catch (SQLException e) {
            throw new DatabaseException(
                    "index advice failed: " + PgAgentException.abbreviate(String.valueOf(e.getMessage()), 300),
                    e.getSQLState(),
                    e);
        }
    }

    /** Advises on a workload over the host's connection, which it leaves as it found it (auto-commit mode). */
    public IndexAdvice advise(Connection conn, Workload workload) throws SQLException {
        long start = System.nanoTime();
        List<String> notes = new ArrayList<>(workload.notes());
        IndexAdvice.Method method;
        if (hypopg && WhatIfSession.hypopgInstalled(conn)) {
            method = IndexAdvice.Method.HYPOPG;
        } else if (allowRealBuild) {
            method = IndexAdvice.Method.ROLLED_BACK_BUILD;
            if (hypopg && WhatIfSession.hypopgAvailable(conn)) {
                notes.add("hypopg is available on the server but not installed in this database: "
                        + "CREATE EXTENSION hypopg would cost candidates without building them");
            }
        } else {
            method = IndexAdvice.Method.NONE;
            notes.add("candidates are not costed: hypopg is not installed in this database"
                    + (hypopg && WhatIfSession.hypopgAvailable(conn)
                            ? " (the server has it: CREATE EXTENSION hypopg)"
                            : " (Debian: postgresql-NN-hypopg)")
                    + " and the host did not allow building candidates in a rolled-back transaction");
        }
        IndexAdvice advice;
        Map<Integer, Verdict> refused = new LinkedHashMap<>();
        try (WhatIfSession session = WhatIfSession.open(conn, method, statementTimeout, lockTimeout)) {
            advice = new Run(session, workload, notes, start, refused).run();
        }
        audit(advice, refused);
        return advice;
    }

    /** Records the refused statements and the advice in the audit sink; a failing sink is logged, not thrown. */
    private void audit(IndexAdvice advice, Map<Integer, Verdict> refused) {
        if (auditSink == AuditSink.NONE) {
            return;
        }
        try {
            for (Map.Entry<Integer, Verdict> r : refused.entrySet()) {
                auditSink.record(AuditEvent.builder(AuditEventType.QUERY_REFUSED)
                        .sessionId(caller)
                        .sql(PgAgentException.abbreviate(
                                advice.statements().get(r.getKey()).sql(), 2000))
                        .verdict(r.getValue())
                        .outcome("refused")
                        .attribute("tool", "index_advisor")
                        .build());
            }
            StringBuilder created = new StringBuilder();
            for (IndexRecommendation rec : advice.recommendations()) {
                created.append(created.length() == 0 ? "" : "; ").append(rec.createStatement());
            }
            auditSink.record(AuditEvent.builder(AuditEventType.TOOL_CALL)
                    .sessionId(caller)
                    .outcome("ok")
                    .attribute("tool", "index_advisor")
                    .attribute("method", advice.method().name().toLowerCase(Locale.ROOT))
                    .attribute("statements", advice.statements().size())
                    .attribute("recommendations", advice.recommendations().size())
                    .attribute("costBefore", String.format(Locale.ROOT, "%.2f", advice.totalCostBefore()))
                    .attribute("costAfter", String.format(Locale.ROOT, "%.2f", advice.totalCostAfter()))
                    .attribute("sizeBytes", advice.totalSizeBytes())
                    .attribute("indexes", PgAgentException.abbreviate(created.toString(), 4000))
                    .attribute("ms", advice.adviceTime().toMillis())
                    .build());
        } catch (RuntimeException e) {
            LOG.warn("the audit sink failed to record the index advice", e);
        }
    }

    /** One advice: the statements' plans, the candidates and the greedy selection. */
    private final class Run {
        private final WhatIfSession session;
        private final List<WorkloadStatement> statements;
        private final List<String> notes;
        private final Map<Integer, Verdict> refused;
        private final long start;
        private final String[] sql;
        private final String @Nullable [] skipped;
        private final double[] before;
        private final double[] current;
        private final List<Set<String>> tables = new ArrayList<>();
        private long buildNanos;
        private long longestBuildNanos;
        private String longestBuildTable = "";
        private int builds;

        Run(WhatIfSession session, Workload workload, List<String> notes, long start, Map<Integer, Verdict> refused) {
            this.session = session;
            this.refused = refused;
            this.statements = workload.statements();
            this.notes = notes;
            this.start = start;
            int n = statements.size();
            this.sql = new String[n];
            this.skipped = new String[n];
            this.before = new double[n];
            this.current = new double[n];
        }

        IndexAdvice run() throws SQLException {
            Map<String, List<PlanUsage.TableUse>> uses = new LinkedHashMap<>();
            for (int i = 0; i < statements.size(); i++) {
                tables.add(Set.of());
                sql[i] = trimmed(statements.get(i).sql());
                String why = refusal(i, sql[i]);
                if (why != null) {
                    skipped[i] = why;
                    continue;
                }
                try {
                    PlanUsage plan = PlanUsage.of(session.explain(sql[i]));
                    before[i] = plan.totalCost();
                    current[i] = before[i];
                    Set<String> t = new LinkedHashSet<>();
                    for (PlanUsage.TableUse u : plan.tables()) {
                        t.add(u.qualifiedName());
                        uses.computeIfAbsent(u.qualifiedName(), k -> new ArrayList<>())
                                .add(u);
                    }
                    tables.set(i, t);
                } catch (SQLException e) {
                    skipped[i] = "cannot be planned: "
                            + PgAgentException.abbreviate(
                                    String.valueOf(e.getMessage()).replace('\n', ' '), 200);
                }
            }
            List<IndexCandidate> candidates = new ArrayList<>();
            for (Map.Entry<String, List<PlanUsage.TableUse>> e : uses.entrySet()) {
                TableStats stats = stats(session.connection(), e.getValue().get(0));
                if (stats != null) {
                    Set<String> dominant = dominant(e.getValue());
                    for (PlanUsage.TableUse u : e.getValue()) {
                        for (IndexCandidate c : candidates(u, stats, dominant)) {
                            if (!candidates.contains(c)) {
                                candidates.add(c);
                            }
                        }
                    }
                }
            }
            if (candidates.size() > maxCandidates) {
                notes.add(
                        candidates.size() + " candidates were found; only the first " + maxCandidates + " were costed");
                candidates = new ArrayList<>(candidates.subList(0, maxCandidates));
            }
            List<IndexRecommendation> picked = List.of();
            List<String> uncosted = new ArrayList<>();
            if (session.method() == IndexAdvice.Method.NONE) {
                for (IndexCandidate c : candidates) {
                    uncosted.add(c.createStatement(c.indexName(), true));
                }
            } else {
                picked = select(candidates);
            }
            if (session.method() == IndexAdvice.Method.ROLLED_BACK_BUILD && builds > 0) {
                notes.add(String.format(
                        Locale.ROOT,
                        "%d candidate indexes were built for real in a transaction "
                                + "that was rolled back: each CREATE INDEX took a SHARE lock on its table (writes to it "
                                + "waited, reads went on) while it was built and costed, %.1f s in all, the longest "
                                + "%.1f s on %s; nothing was kept",
                        builds,
                        buildNanos / 1e9,
                        longestBuildNanos / 1e9,
                        longestBuildTable));
            }
            List<IndexAdvice.AdvisedStatement> out = new ArrayList<>();
            for (int i = 0; i < statements.size(); i++) {
                boolean skip = skipped[i] != null;
                out.add(new IndexAdvice.AdvisedStatement(
                        i + 1,
                        statements.get(i).sql(),
                        statements.get(i).weight(),
                        skip ? -1 : before[i],
                        skip ? -1 : current[i],
                        skipped[i]));
            }
            return new IndexAdvice(
                    session.method(),
                    picked,
                    out,
                    candidates.size(),
                    uncosted,
                    notes,
                    budgetBytes,
                    minGain,
                    Duration.ofNanos(System.nanoTime() - start));
        }

        private @Nullable String refusal(int number, String statement) {
            String checked = statement;
            int params = WhatIfSession.parameters(statement);
            for (int p = params; p >= 1; p--) {
                checked = checked.replace("$" + p, "NULL");
            }
            Verdict v = validator.validate(checked);
            if (!v.isAllowed()) {
                refused.put(number, v);
                return "refused by the safety policy: " + v.reason();
            }
            if (v.kind() != StatementKind.READ) {
                refused.put(number, v);
                return "not a read (" + v.kind().name().toLowerCase(Locale.ROOT) + "): only reads are advised on";
            }
            return null;
        }

        /** A candidate's cost: the statements it helps and their costs with it. */
        private final class Eval {
            final IndexCandidate candidate;
            long size = -1;
            double benefit;
            final Map<Integer, Double> helped = new LinkedHashMap<>();
            final Map<Integer, Double> costs = new LinkedHashMap<>();

            @Nullable
            Pick replaces;

            boolean fresh;
            boolean failed;

            Eval(IndexCandidate candidate) {
                this.candidate = candidate;
            }

            long addedBytes() {
                return replaces == null ? size : size - replaces.size;
            }
        }

        /** An index picked: kept in place in the session while the selection goes on. */
        private final class Pick {
            final IndexCandidate candidate;
            WhatIfSession.Created handle;
            final long size;
            /** Each helped statement's cost before this index (or the one it replaced) was picked. */
            final Map<Integer, Double> before = new LinkedHashMap<>();

            Pick(IndexCandidate candidate, WhatIfSession.Created handle, long size) {
                this.candidate = candidate;
                this.handle = handle;
                this.size = size;
            }
        }

        private List<IndexRecommendation> select(List<IndexCandidate> candidates) throws SQLException {
            List<Eval> pool = new ArrayList<>();
            candidates.forEach(c -> pool.add(new Eval(c)));
            List<Pick> picks = new ArrayList<>();
            while (true) {
                long remaining =
                        budgetBytes - picks.stream().mapToLong(x -> x.size).sum();
                Eval best = null;
                double bestRatio = 0;
                for (Eval e : pool) {
                    if (e.failed) {
                        continue;
                    }
                    if (!e.fresh) {
                        evaluate(e, picks);
                    }
                    if (e.failed || e.benefit <= 0 || e.addedBytes() > remaining) {
                        continue;
                    }
                    double ratio = e.benefit / Math.max(e.addedBytes(), 8192);
                    if (ratio > bestRatio) {
                        best = e;
                        bestRatio = ratio;
                    }
                }
                if (best == null) {
                    break;
                }
                Pick replaced = best.replaces;
                if (replaced != null) {
                    session.drop(replaced.handle);
                    picks.remove(replaced);
                }
                Pick pick = new Pick(best.candidate, create(best.candidate), best.size);
                if (replaced != null) {
                    pick.before.putAll(replaced.before);
                }
                Set<Integer> touched = touched(best.candidate);
                for (int i : touched) {
                    if (best.helped.containsKey(i)) {
                        pick.before.putIfAbsent(i, current[i]);
                    }
                    current[i] = cost(i);
                }
                picks.add(pick);
                pool.remove(best);
                for (Eval e : pool) {
                    if (!java.util.Collections.disjoint(touched(e.candidate), touched)) {
                        e.fresh = false;
                    }
                }
            }
            prune(picks);
            List<IndexRecommendation> out = new ArrayList<>();
            Set<String> names = new java.util.HashSet<>();
            for (Pick p : picks) {
                double costBefore = 0;
                double costAfter = 0;
                List<Integer> helped = new ArrayList<>();
                for (Map.Entry<Integer, Double> b : p.before.entrySet()) {
                    costBefore += weight(b.getKey()) * b.getValue();
                    costAfter += weight(b.getKey()) * current[b.getKey()];
                    helped.add(b.getKey() + 1);
                }
                java.util.Collections.sort(helped);
                out.add(recommendation(
                        p.candidate, unusedName(p.candidate, names), p.size, costBefore, costAfter, helped));
            }
            return out;
        }

        /**
         * Drops, last picked first, each pick that the others make unneeded (without it no statement costs at least
         * the minimum gain more), then measures what each remaining pick adds: each statement's cost without it (the
         * others in place) against its cost with all. Only with hypopg: a built index cannot leave the transaction
         * without an ACCESS EXCLUSIVE lock on its table, so after rolled-back builds the gains are those measured
         * when each index was picked.
         */
        private void prune(List<Pick> picks) throws SQLException {
            if (session.method() != IndexAdvice.Method.HYPOPG) {
                return;
            }
            for (int k = picks.size() - 1; k >= 0; k--) {
                Pick p = picks.get(k);
                Map<Integer, Double> without = without(p);
                boolean needed = without.entrySet().stream()
                        .anyMatch(w -> w.getValue() - current[w.getKey()] >= minGain * w.getValue());
                if (needed) {
                    p.handle = session.create(p.candidate);
                } else {
                    picks.remove(k);
                    without.forEach((i, cost) -> current[i] = cost);
                }
            }
            for (Pick p : picks) {
                Map<Integer, Double> without = without(p);
                p.handle = session.create(p.candidate);
                p.before.clear();
                without.forEach((i, cost) -> {
                    if (cost > current[i]) {
                        p.before.put(i, cost);
                    }
                });
            }
        }

        /** Drops {@code p} from the session and returns the costs of the statements on its table without it. */
        private Map<Integer, Double> without(Pick p) throws SQLException {
            session.drop(p.handle);
            Map<Integer, Double> out = new LinkedHashMap<>();
            for (int i : touched(p.candidate)) {
                out.put(i, cost(i));
            }
            return out;
        }

        private String unusedName(IndexCandidate c, Set<String> taken) throws SQLException {
            String base = c.indexName();
            String name = base;
            for (int n = 2; taken.contains(name) || relationExists(c.schema(), name); n++) {
                String suffix = "_" + n;
                name = (base.length() + suffix.length() > 63 ? base.substring(0, 63 - suffix.length()) : base) + suffix;
            }
            taken.add(name);
            return name;
        }

        private boolean relationExists(String schema, String name) throws SQLException {
            try (PreparedStatement ps = session.connection()
                    .prepareStatement(
                            "SELECT 1 FROM pg_catalog.pg_class c "
                                    + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
                ps.setString(1, schema);
                ps.setString(2, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        }

        /** Returns the pick {@code c} could replace: one on its table whose keys lead {@code c}'s and it covers. */
        private @Nullable Pick replaceable(IndexCandidate c, List<Pick> picks) {
            if (session.method() != IndexAdvice.Method.HYPOPG || c.predicateColumn() != null) {
                return null;
            }
            for (Pick p : picks) {
                IndexCandidate o = p.candidate;
                if (o.qualifiedTable().equals(c.qualifiedTable())
                        && o.predicateColumn() == null
                        && c.keys().size() >= o.keys().size()
                        && c.keys().subList(0, o.keys().size()).equals(o.keys())
                        && concatAll(c.keys(), c.include()).containsAll(o.include())) {
                    return p;
                }
            }
            return null;
        }

        private void evaluate(Eval e, List<Pick> picks) throws SQLException {
            e.fresh = true;
            e.helped.clear();
            e.benefit = 0;
            e.replaces = replaceable(e.candidate, picks);
            Pick replaced = e.replaces;
            if (replaced != null) {
                session.drop(replaced.handle);
            }
            try {
                WhatIfSession.Created created;
                try {
                    created = create(e.candidate);
                } catch (SQLException ex) {
                    e.failed = true;
                    LOG.debug("candidate {} could not be created", e.candidate, ex);
                    notes.add("candidate " + e.candidate + " could not be created: "
                            + PgAgentException.abbreviate(String.valueOf(ex.getMessage()), 200));
                    return;
                }
                try {
                    e.size = session.size(created);
                    for (int i : touched(e.candidate)) {
                        double cost = cost(i);
                        double saved = current[i] - cost;
                        if (saved > 0 && saved >= minGain * current[i]) {
                            e.helped.put(i, cost);
                            e.benefit += weight(i) * saved;
                        } else if (saved < 0) {
                            e.benefit += weight(i) * saved;
                        }
                    }
                } finally {
                    session.drop(created);
                }
            } finally {
                if (replaced != null) {
                    replaced.handle = session.create(replaced.candidate);
                }
            }
            if (e.helped.isEmpty()) {
                e.benefit = 0;
            }
        }

        private WhatIfSession.Created create(IndexCandidate c) throws SQLException {
            long t0 = System.nanoTime();
            WhatIfSession.Created created = session.create(c);
            if (session.method() == IndexAdvice.Method.ROLLED_BACK_BUILD) {
                long took = System.nanoTime() - t0;
                builds++;
                buildNanos += took;
                if (took > longestBuildNanos) {
                    longestBuildNanos = took;
                    longestBuildTable = c.qualifiedTable();
                }
            }
            return created;
        }

        private double cost(int i) throws SQLException {
            return PlanUsage.cost(session.explain(sql[i]));
        }

        private double weight(int i) {
            return statements.get(i).weight();
        }

        private Set<Integer> touched(IndexCandidate c) {
            Set<Integer> out = new LinkedHashSet<>();
            for (int i = 0; i < tables.size(); i++) {
                if (skipped[i] == null && tables.get(i).contains(c.qualifiedTable())) {
                    out.add(i);
                }
            }
            return out;
        }
    }

    private static IndexRecommendation recommendation(
            IndexCandidate c, String name, long size, double costBefore, double costAfter, List<Integer> helped) {
        String description = String.format(
                Locale.ROOT,
                "Index %s on %s %s for statement%s %s: estimated cost %s -> " + "%s (%s), about %s.",
                name,
                c.qualifiedTable(),
                c.shape(),
                helped.size() == 1 ? "" : "s",
                IndexAdvice.join(helped),
                IndexAdvice.number(costBefore),
                IndexAdvice.number(costAfter),
                IndexAdvice.change(costBefore, costAfter),
                IndexAdvice.bytes(size));
        return new IndexRecommendation(
                c.qualifiedTable(),
                c.keys(),
                c.include(),
                c.predicate(),
                c.kind(),
                size,
                costBefore,
                costAfter,
                helped,
                name,
                c.createStatement(name, true),
                description);
    }

    static String trimmed(String sql) {
        String s = sql.strip();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s;
    }

    /** What the catalog says about one table. */
    record TableStats(double rows, List<String> columns, Map<String, Double> distinct, List<Existing> indexes) {}

    /** One existing valid index: its key columns, all its columns (keys and INCLUDE) and whether it is partial. */
    record Existing(List<String> keys, List<String> all, boolean partial) {}

    private static @Nullable TableStats stats(Connection conn, PlanUsage.TableUse use) throws SQLException {
        long oid;
        double rows;
        try (PreparedStatement ps = conn.prepareStatement("SELECT c.oid, c.reltuples FROM pg_catalog.pg_class c JOIN "
                + "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ? AND "
                + "c.relkind IN ('r', 'm')")) {
            ps.setString(1, use.schema);
            ps.setString(2, use.table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                oid = rs.getLong(1);
                rows = Math.max(0, rs.getDouble(2));
            }
        }
        List<String> columns = new ArrayList<>();
        Map<String, Double> distinct = new HashMap<>();
        try (PreparedStatement ps =
                conn.prepareStatement("SELECT a.attname, s.n_distinct FROM pg_catalog.pg_attribute a"
                        + " LEFT JOIN pg_catalog.pg_stats s ON s.schemaname = ? AND s.tablename = ? AND s.attname = a.attname"
                        + " WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            ps.setString(1, use.schema);
            ps.setString(2, use.table);
            ps.setLong(3, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    columns.add(name);
                    double nd = rs.getDouble(2);
                    if (!rs.wasNull()) {
                        distinct.put(name, nd < 0 ? -nd * rows : nd);
                    }
                }
            }
        }
        List<Existing> indexes = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT i.indnkeyatts, i.indpred IS NOT NULL, ARRAY(SELECT "
                + "a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord) LEFT JOIN pg_catalog.pg_attribute a"
                + " ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.ord) FROM pg_catalog.pg_index i JOIN "
                + "pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN pg_catalog.pg_am am ON am.oid = ic.relam "
                + "WHERE i.indrelid = ? AND i.indisvalid AND am.amname = 'btree'")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int keys = rs.getInt(1);
                    boolean partial = rs.getBoolean(2);
                    Array a = rs.getArray(3);
                    List<String> all = new ArrayList<>();
                    for (Object o : (Object[]) a.getArray()) {
                        all.add(o == null ? "" : o.toString());
                    }
                    indexes.add(new Existing(all.subList(0, Math.min(keys, all.size())), all, partial));
                }
            }
        }
        return new TableStats(rows, columns, distinct, indexes);
    }

    /**
     * Returns the constant equality filters ({@code column + '\0' + literal}) that dominate the uses of one table: of
     * the uses that compare that column with a constant, at least half compare it with this one. Only these become
     * partial indexes' predicates, so statements that ask for different values do not each get their own index.
     */
    static Set<String> dominant(List<PlanUsage.TableUse> uses) {
        Map<String, Integer> perColumn = new HashMap<>();
        Map<String, Integer> perValue = new HashMap<>();
        for (PlanUsage.TableUse u : uses) {
            Set<String> columns = new LinkedHashSet<>();
            Set<String> values = new LinkedHashSet<>();
            for (PlanUsage.Predicate p : u.predicates) {
                if (p.op() == PlanUsage.Op.EQ) {
                    columns.add(p.column());
                    if (p.literal() != null) {
                        values.add(p.column() + '\0' + p.literal());
                    }
                }
            }
            columns.forEach(c -> perColumn.merge(c, 1, Integer::sum));
            values.forEach(v -> perValue.merge(v, 1, Integer::sum));
        }
        Set<String> out = new LinkedHashSet<>();
        perValue.forEach((v, n) -> {
            if (2 * n >= perColumn.getOrDefault(v.substring(0, v.indexOf('\0')), 0)) {
                out.add(v);
            }
        });
        return out;
    }

    /** Returns the candidates for one use of a table, as if it were the table's only use. */
    static List<IndexCandidate> candidates(PlanUsage.TableUse u, TableStats stats) {
        return candidates(u, stats, dominant(List.of(u)));
    }

    /**
     * Returns the candidates for one use of a table, without those an existing index serves; partial ones only under
     * the {@code dominant} constant filters.
     */
    static List<IndexCandidate> candidates(PlanUsage.TableUse u, TableStats stats, Set<String> dominant) {
        Set<String> known = new LinkedHashSet<>(stats.columns());
        Comparator<String> selective =
                Comparator.comparingDouble((String c) -> -stats.distinct().getOrDefault(c, 0.0));
        List<String> eq = new ArrayList<>(u.columns(PlanUsage.Op.EQ));
        eq.retainAll(known);
        eq.sort(selective);
        List<String> range = new ArrayList<>(u.columns(PlanUsage.Op.RANGE));
        range.retainAll(known);
        range.removeAll(eq);
        List<String> joins = new ArrayList<>(u.joinColumns);
        joins.retainAll(known);
        joins.removeAll(eq);
        List<String> order = new ArrayList<>(u.sortColumns.isEmpty() ? new ArrayList<>(u.groupColumns) : u.sortColumns);
        if (!known.containsAll(order)) {
            order.clear();
        }
        Set<String> output = new LinkedHashSet<>(u.outputColumns);
        output.retainAll(known);

        List<IndexCandidate> out = new ArrayList<>();
        for (String c : eq) {
            add(out, u, List.of(c), List.of(), null, null);
        }
        for (String c : range.subList(0, Math.min(2, range.size()))) {
            add(out, u, List.of(c), List.of(), null, null);
        }
        for (String c : joins) {
            add(out, u, List.of(c), List.of(), null, null);
        }
        List<List<String>> composites = new ArrayList<>();
        if (!eq.isEmpty() && !range.isEmpty()) {
            composites.add(concat(eq, List.of(range.get(0))));
        }
        if (!order.isEmpty()) {
            composites.add(concat(eq, order));
        }
        if (eq.size() > 1) {
            composites.add(eq);
        }
        if (!joins.isEmpty() && (!eq.isEmpty() || !range.isEmpty())) {
            composites.add(
                    concat(concat(eq, List.of(joins.get(0))), range.isEmpty() ? List.of() : List.of(range.get(0))));
        }
        for (List<String> keys : composites) {
            add(out, u, keys, List.of(), null, null);
        }
        // covering: the best-ranked key set that reads other columns, with those as INCLUDE
        List<List<String>> coverable = new ArrayList<>(composites);
        if (!eq.isEmpty()) {
            coverable.add(List.of(eq.get(0)));
        }
        if (!joins.isEmpty()) {
            coverable.add(List.of(joins.get(0)));
        }
        if (!range.isEmpty()) {
            coverable.add(List.of(range.get(0)));
        }
        for (List<String> keys : coverable) {
            List<String> include = new ArrayList<>(output);
            include.removeAll(keys);
            if (!include.isEmpty() && include.size() <= MAX_INCLUDE) {
                add(out, u, keys, include, null, null);
            }
        }
        // partial: a constant equality filter on a column with few distinct values, the other keys indexed under it
        for (PlanUsage.Predicate p : u.predicates) {
            Double nd = stats.distinct().get(p.column());
            if (p.op() != PlanUsage.Op.EQ
                    || p.literal() == null
                    || nd == null
                    || nd > PARTIAL_MAX_DISTINCT
                    || !known.contains(p.column())
                    || !dominant.contains(p.column() + '\0' + p.literal())) {
                continue;
            }
            List<String> keys = new ArrayList<>(eq);
            keys.remove(p.column());
            if (!range.isEmpty()) {
                keys.add(range.get(0));
            } else if (!order.isEmpty()) {
                keys.addAll(order);
            } else if (keys.isEmpty() && !joins.isEmpty()) {
                keys.add(joins.get(0));
            }
            if (!keys.isEmpty()) {
                add(out, u, keys, List.of(), p.column(), p.literal());
            }
        }
        out.removeIf(c -> stats.indexes().stream().anyMatch(x -> c.servedBy(x.keys(), x.all(), x.partial())));
        return out;
    }

    private static List<String> concatAll(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        for (String s : b) {
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private static void add(
            List<IndexCandidate> out,
            PlanUsage.TableUse u,
            List<String> keys,
            List<String> include,
            @Nullable String predicateColumn,
            @Nullable String literal) {
        List<String> k = keys.subList(0, Math.min(MAX_KEYS, keys.size()));
        if (k.isEmpty()) {
            return;
        }
        IndexRecommendation.Kind kind = predicateColumn != null
                ? IndexRecommendation.Kind.PARTIAL
                : !include.isEmpty()
                        ? IndexRecommendation.Kind.COVERING
                        : k.size() > 1 ? IndexRecommendation.Kind.MULTI_COLUMN : IndexRecommendation.Kind.SINGLE_COLUMN;
        IndexCandidate c = new IndexCandidate(u.schema, u.table, k, include, predicateColumn, literal, kind);
        if (!out.contains(c)) {
            out.add(c);
        }
    }

    /** Builds an {@link IndexAdvisor}. Not thread-safe. */
    public static final class Builder {
        private @Nullable SafetyValidator validator;
        private long budgetBytes = Long.MAX_VALUE;
        private double minGain = 0.10;
        private boolean hypopg = true;
        private boolean allowRealBuild;
        private Duration statementTimeout = Duration.ofSeconds(30);
        private Duration lockTimeout = Duration.ofSeconds(5);
        private int maxCandidates = 200;
        private AuditSink auditSink = AuditSink.NONE;
        private String caller = "index-advisor";

        private Builder() {}

        /**
         * Where each advice is recorded: one {@code QUERY_REFUSED} event per statement the validator refused, then one
         * {@code TOOL_CALL} event (tool {@code index_advisor}) with the method, counts, costs and the CREATE INDEX
         * statements. A sink that throws is logged and the advice is still returned. Default: {@link AuditSink#NONE}
         * (the {@code suggest_indexes} tool is audited by the agent as a tool call).
         */
        public Builder auditSink(AuditSink sink) {
            this.auditSink = Objects.requireNonNull(sink, "sink == null");
            return this;
        }

        /** The session id of the audit records. Default: {@code index-advisor}. */
        public Builder caller(String caller) {
            Objects.requireNonNull(caller, "caller == null");
            if (caller.isBlank()) {
                throw new IllegalArgumentException("caller must not be blank but was '" + caller + "'");
            }
            this.caller = caller;
            return this;
        }

        /**
         * The validator every statement must pass as a read before it is explained; required. For an agent's
         * policy: {@code agent.guardedPath(caller)::check}.
         */
        public Builder validator(SafetyValidator validator) {
            this.validator = Objects.requireNonNull(validator, "validator == null");
            return this;
        }

        /** The most bytes the recommended indexes may take together. Default: no budget. Must be > 0. */
        public Builder budgetBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("budgetBytes must be > 0 but was " + bytes);
            }
            this.budgetBytes = bytes;
            return this;
        }

        /**
         * The smallest fraction of a statement's estimated cost an index must save for it to count as helping that
         * statement; an index that helps none is not recommended. Default: 0.10. Must be in (0, 1).
         */
        public Builder minGain(double fraction) {
            if (!(fraction > 0 && fraction < 1)) {
                throw new IllegalArgumentException("minGain must be > 0 and < 1 but was " + fraction);
            }
            this.minGain = fraction;
            return this;
        }

        /** Whether to cost with hypopg when it is installed in the database. Default: true. */
        public Builder hypopg(boolean use) {
            this.hypopg = use;
            return this;
        }

        /**
         * Whether, without hypopg, candidates may be built for real in a transaction that is rolled back. Each
         * build holds a SHARE lock on its table (writes wait) for as long as it is built and costed, and needs
         * the right to create indexes on the table. Default: false (candidates are then listed uncosted).
         */
        public Builder allowRealBuild(boolean allow) {
            this.allowRealBuild = allow;
            return this;
        }

        /** The time limit of each statement the advisor runs, including a build. Default: 30 s. Must be >= 1 ms. */
        public Builder statementTimeout(Duration timeout) {
            this.statementTimeout = positive("statementTimeout", timeout);
            return this;
        }

        /** How long a build may wait for its table's lock. Default: 5 s. Must be >= 1 ms. */
        public Builder lockTimeout(Duration timeout) {
            this.lockTimeout = positive("lockTimeout", timeout);
            return this;
        }

        /** The most candidates costed; further ones are left out and the advice says so. Default: 200. */
        public Builder maxCandidates(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxCandidates must be >= 1 but was " + max);
            }
            this.maxCandidates = max;
            return this;
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name + " == null");
            if (d.toMillis() < 1) {
                throw new IllegalArgumentException(name + " must be >= 1 ms but was " + d);
            }
            return d;
        }

        /**
         * Returns the advisor.
         *
         * @throws IllegalStateException if no validator was set
         */
        public IndexAdvisor build() {
            if (validator == null) {
                throw new IllegalStateException("validator must be set but was null");
            }
            return new IndexAdvisor(this);
        }
    }

    @Override
    public String toString() {
        return "IndexAdvisor{budgetBytes=" + budgetBytes + ", minGain=" + minGain + ", hypopg=" + hypopg
                + ", allowRealBuild=" + allowRealBuild + "}";
    }
}
