package dev.pgagent.safety.internal;

import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.GuardedOperation;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.UnparseableSqlMode;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.safety.internal.AstWalker.ColumnRef;
import dev.pgagent.safety.internal.AstWalker.Facts;
import dev.pgagent.safety.internal.AstWalker.TableRef;
import dev.pgagent.safety.internal.SqlLexer.Kind;
import dev.pgagent.safety.internal.SqlLexer.Token;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.update.Update;
import org.jspecify.annotations.Nullable;

/**
 * Applies a {@link SafetyPolicy} to one SQL text. Immutable and thread-safe: all per-call state lives on the stack.
 *
 * <p>The order of checks: scan (PostgreSQL's lexical rules) and split into statements; refuse several statements;
 * classify by the leading key words and refuse what no level allows; refuse denied function calls; parse with
 * JSqlParser (comments removed, strings rewritten, known gaps rewritten); walk the whole tree; apply the host's table
 * and column rules; decide by level.
 */
public final class PolicyEngine {
    /** The longest SQL text accepted, in characters. */
    public static final int MAX_LENGTH = 200_000;
    /** The deepest parenthesis nesting accepted. */
    public static final int MAX_DEPTH = 100;

    private static final int MAX_MESSAGE = 200;

    private static final Set<String> READ_WORDS = Set.of("select", "with", "values", "table");
    private static final Set<String> DML_WORDS = Set.of("insert", "update", "delete", "merge");
    private static final Set<String> DDL_WORDS =
            Set.of("create", "alter", "drop", "truncate", "comment", "refresh", "security", "import");
    private static final Set<String> ROLE_OBJECTS = Set.of("role", "user", "group");
    /** Key words after which an operator is a prefix operator. */
    private static final Set<String> PREFIX_CONTEXT = Set.of(
            "select",
            "where",
            "and",
            "or",
            "not",
            "when",
            "then",
            "else",
            "by",
            "on",
            "having",
            "returning",
            "in",
            "is",
            "like",
            "between",
            "case",
            "distinct",
            "all");
    /** Operators JSqlParser 5.3 reads; others are replaced by {@code +} before parsing. */
    private static final Set<String> KNOWN_OPERATORS = Set.of(
            "+", "-", "*", "/", "%", "^", "||", "=", "<>", "!=", "<", ">", "<=", ">=", "~", "~*", "!~", "!~*", "->",
            "->>", "#>", "#>>", "@>", "<@", "?", "?|", "?&", "&&", "@@", "<<", ">>", "&", "|", "!", "~~", "!~~", "~~*",
            "!~~*", "=>", "::", "-|-");

    /** Catalogs holding sample values of every column: refused when the host denies columns. */
    private static final Set<String> COLUMN_STATISTICS =
            Set.of("pg_stats", "pg_statistic", "pg_stats_ext", "pg_stats_ext_exprs", "pg_statistic_ext_data");

    /** Catalogs with password hashes or connection strings (with passwords): never read. */
    private static final Set<String> CREDENTIAL_CATALOGS =
            Set.of("pg_authid", "pg_shadow", "pg_user_mapping", "pg_user_mappings", "pg_subscription");
    /** Views of the server's configuration files: FILE_ACCESS. */
    private static final Set<String> FILE_VIEWS =
            Set.of("pg_file_settings", "pg_hba_file_rules", "pg_ident_file_mappings");

    private final SafetyPolicy policy;
    private final Duration parseTimeout;
    private final List<String[]> deniedColumns;
    private final Set<String> deniedColumnNames;

    /** Creates an engine for {@code policy}, parsing each statement within {@code parseTimeout}. */
    public PolicyEngine(SafetyPolicy policy, Duration parseTimeout) {
        this.policy = policy;
        this.parseTimeout = parseTimeout;
        List<String[]> cols = new ArrayList<>();
        for (String c : policy.deniedColumns()) {
            String[] parts = c.split("\\.");
            cols.add(parts);
        }
        this.deniedColumns = List.copyOf(cols);
        Set<String> names = new java.util.HashSet<>();
        for (String[] c : cols) {
            names.add(c[c.length - 1].toLowerCase(Locale.ROOT));
        }
        this.deniedColumnNames = Set.copyOf(names);
    }

    /** Returns the verdict for {@code sql}. */
    public Verdict validate(String sql) {
        if (sql.length() > MAX_LENGTH) {
            return Verdict.deny(
                    StatementKind.UNPARSEABLE,
                    "The SQL text is longer than " + MAX_LENGTH + " characters; send a shorter statement.");
        }
        SqlLexer.Result scan = SqlLexer.scan(sql);
        if (scan.error() != null) {
            return Verdict.deny(StatementKind.UNPARSEABLE, "The SQL text cannot be read: " + scan.error() + ".");
        }
        List<List<Token>> statements = split(scan.tokens());
        if (statements.isEmpty()) {
            return Verdict.deny(StatementKind.UNPARSEABLE, "The SQL text holds no statement.");
        }
        if (statements.size() > 1) {
            return Verdict.deny(
                    StatementKind.MULTIPLE,
                    "The SQL text holds " + statements.size()
                            + " statements; send exactly one statement per call (a single trailing semicolon is fine).");
        }
        List<Token> tokens = statements.get(0);
        int depth = 0;
        for (Token t : tokens) {
            if (t.is("(")) {
                depth++;
                if (depth > MAX_DEPTH) {
                    return Verdict.deny(
                            StatementKind.UNPARSEABLE,
                            "The statement is nested more than " + MAX_DEPTH + " parentheses deep.");
                }
            } else if (t.is(")")) {
                depth--;
            }
        }
        return statement(sql, tokens, false);
    }

    /** Splits tokens at semicolons, dropping empty statements. */
    static List<List<Token>> split(List<Token> tokens) {
        List<List<Token>> out = new ArrayList<>();
        List<Token> cur = new ArrayList<>();
        for (Token t : tokens) {
            if (t.is(";")) {
                if (!cur.isEmpty()) {
                    out.add(cur);
                    cur = new ArrayList<>();
                }
            } else {
                cur.add(t);
            }
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }

    private static String word(List<Token> tokens, int index) {
        if (index < 0 || index >= tokens.size()) {
            return "";
        }
        Token t = tokens.get(index);
        return t.kind() == Kind.WORD ? t.value() : "";
    }

    private static int firstWordIndex(List<Token> tokens) {
        int k = 0;
        while (k < tokens.size() && tokens.get(k).is("(")) {
            k++;
        }
        return k;
    }

    private static boolean hasWord(List<Token> tokens, String w) {
        for (Token t : tokens) {
            if (t.isWord(w)) {
                return true;
            }
        }
        return false;
    }

    private Verdict statement(String sql, List<Token> tokens, boolean explained) {
        int fi = firstWordIndex(tokens);
        String first = word(tokens, fi);
        String second = word(tokens, fi + 1);
        String third = word(tokens, fi + 2);

        // Statements no level runs, decided on key words alone.
        Verdict early = lexicalCategory(tokens, first, second, third);
        if (early != null) {
            return early;
        }
        if (first.equals("explain")) {
            if (explained) {
                return Verdict.deny(StatementKind.OTHER, "EXPLAIN cannot explain EXPLAIN.");
            }
            return explain(sql, tokens);
        }
        if (first.equals("show")) {
            if (tokens.size() < 2 || hasWord(tokens, "set_config")) {
                return Verdict.deny(StatementKind.UNPARSEABLE, "SHOW needs the name of a setting.");
            }
            return Verdict.allow(StatementKind.READ, "SHOW reads a setting.", Set.of());
        }
        StatementKind lexKind;
        if (READ_WORDS.contains(first)) {
            lexKind = StatementKind.READ;
        } else if (DML_WORDS.contains(first)) {
            lexKind = StatementKind.WRITE;
        } else if (DDL_WORDS.contains(first)) {
            lexKind = StatementKind.DDL;
        } else {
            return Verdict.deny(
                    StatementKind.OTHER,
                    "Unrecognised statement"
                            + (first.isEmpty() ? "" : " '" + first.toUpperCase(Locale.ROOT) + "'")
                            + "; only SELECT, WITH, VALUES, TABLE, SHOW and EXPLAIN are recognised as reads.");
        }

        // Function calls, found lexically so that nothing the parser misreads can hide one.
        Verdict functions = functions(tokens, lexKind);
        if (functions != null) {
            return functions;
        }

        if (lexKind == StatementKind.DDL) {
            Verdict ddl = ddlPreCheck(tokens, first, second);
            if (ddl != null) {
                return ddl;
            }
            DdlReader.Reading reading = DdlReader.read(tokens);
            if (reading != null) {
                return ddlReading(sql, tokens, reading, first);
            }
        } else if (lexKind == StatementKind.WRITE && policy.level() == PolicyLevel.READ_ONLY) {
            return Verdict.deny(
                    StatementKind.WRITE, first.toUpperCase(Locale.ROOT) + " changes data; the policy is read-only.");
        }

        String text = render(sql, rewrite(reorder(tokens), deniedColumnNames));
        ParserRunner.Outcome parsed = ParserRunner.parse(text, parseTimeout);
        if (parsed.statements() == null) {
            return unparseable(tokens, lexKind, parsed);
        }
        Statements st = parsed.statements();
        if (st.size() != 1) {
            return Verdict.deny(
                    StatementKind.MULTIPLE,
                    "The parser read " + st.size() + " statements; send exactly one statement per call.");
        }
        Statement stmt = st.get(0);
        Facts facts = AstWalker.walk(stmt);
        Set<String> tables = tableNames(facts);

        Verdict catalogs = sensitiveCatalogs(facts, tables, lexKind);
        if (catalogs != null) {
            return catalogs;
        }
        Verdict hostRules = hostRules(facts, tables, lexKind);
        if (hostRules != null) {
            return hostRules;
        }
        if (facts.nextValue) {
            return Verdict.deny(StatementKind.WRITE, "NEXT VALUE FOR advances a sequence; it is not allowed.", tables);
        }
        if (lexKind == StatementKind.READ) {
            if (stmt instanceof Select) {
                return read(facts, tables);
            }
            if (first.equals("with") && isDml(stmt)) {
                return write(facts, tables, stmtName(stmt));
            }
            return mismatch(stmt, tables);
        }
        if (lexKind == StatementKind.WRITE) {
            if (isDml(stmt)) {
                return write(facts, tables, stmtName(stmt));
            }
            return mismatch(stmt, tables);
        }
        String pkg = stmt.getClass().getPackageName();
        if (!(pkg.endsWith(".create.table")
                || pkg.endsWith(".create.view")
                || pkg.endsWith(".create.index")
                || pkg.endsWith(".create.sequence")
                || pkg.endsWith(".create.schema")
                || pkg.endsWith(".create.function")
                || pkg.endsWith(".create.procedure")
                || pkg.endsWith(".create.synonym")
                || pkg.endsWith(".create.policy")
                || pkg.endsWith(".alter")
                || pkg.endsWith(".alter.sequence")
                || pkg.endsWith(".drop")
                || pkg.endsWith(".truncate")
                || pkg.endsWith(".comment")
                || pkg.endsWith(".refresh")
                || stmt.getClass().getSimpleName().equals("CreateFunctionalStatement"))) {
            return Verdict.deny(
                    StatementKind.DDL,
                    "This form of " + first.toUpperCase(Locale.ROOT)
                            + " could not be read (the parser took it for "
                            + stmt.getClass().getSimpleName()
                            + "), so what it touches cannot be checked; it is refused.",
                    tables);
        }
        if (facts.dataModifying > 0) {
            return Verdict.deny(
                    StatementKind.DDL,
                    "The schema change also changes data (INSERT/UPDATE/DELETE/MERGE inside it); send them apart.",
                    tables);
        }
        Verdict columns = deniedColumnsNamed(tokens, facts.tables, tables);
        if (columns != null) {
            return columns;
        }
        return ddl(tables, first, first.toUpperCase(Locale.ROOT), false);
    }

    /**
     * Decides a schema change read by {@link DdlReader}. Every name it changes or names (relations, and also types,
     * extensions, schemas: conservatively) is checked by the host's table rules and reported in the verdict's tables,
     * so that a typed confirmation names the object; relations in system schemas are refused; schemas are checked
     * against the allowed schemas; a denied column named anywhere in the text is refused; and each query it holds (a
     * view's or CREATE TABLE AS's) must be an allowed read under the same policy.
     */
    private Verdict ddlReading(String sql, List<Token> tokens, DdlReader.Reading r, String first) {
        List<TableRef> named = new ArrayList<>(r.relations);
        named.addAll(r.objects);
        for (String s : r.schemas) {
            named.add(new TableRef(null, s, null, false));
        }
        Set<String> tables = tablesOf(named);
        if (r.refusal != null) {
            return Verdict.deny(StatementKind.DDL, r.refusal, tables);
        }
        for (TableRef t : r.relations) {
            if (systemSchema(t)) {
                return Verdict.deny(
                        StatementKind.DDL,
                        r.what + " names " + t.display() + ", a system catalog;" + " it is not allowed.",
                        tables);
            }
        }
        for (List<Token> query : r.queries) {
            Verdict v = statement(sql, query, false);
            tables.addAll(v.tables());
            if (!(v.isAllowed() && v.kind() == StatementKind.READ)) {
                return Verdict.deny(
                        StatementKind.DDL,
                        "The query inside " + r.what + " is not an allowed read: " + v.reason(),
                        tables);
            }
        }
        Facts facts = new Facts();
        facts.tables.addAll(named);
        Verdict hostRules = hostRules(facts, tables, StatementKind.DDL);
        if (hostRules != null) {
            return hostRules;
        }
        if (!policy.allowedSchemas().isEmpty()) {
            for (String s : r.schemas) {
                if (!policy.allowedSchemas().contains(s.toLowerCase(Locale.ROOT))) {
                    return Verdict.deny(
                            StatementKind.DDL,
                            r.what + " names schema " + s + ", outside the allowed" + " schemas ("
                                    + String.join(", ", policy.allowedSchemas()) + ").",
                            tables);
                }
            }
        }
        Verdict columns = deniedColumnsNamed(tokens, r.relations, tables);
        if (columns != null) {
            return columns;
        }
        for (TableRef t : r.moved) {
            if (!deniedColumnsOf(t).isEmpty()) {
                return Verdict.deny(
                        StatementKind.DDL,
                        r.what + " renames or moves " + t.display() + ", whose columns "
                                + String.join(", ", deniedColumnsOf(t))
                                + " the host denies; under another name they would"
                                + " no longer be covered, so it is refused.",
                        tables);
            }
        }
        return ddl(tables, first, r.what, r.concurrently);
    }

    /**
     * Refuses a schema change that names a denied column of a relation it touches, however: renaming it, copying it
     * into a generated column, commenting on it. Decided on the tokens, so no form can hide the name.
     */
    private @Nullable Verdict deniedColumnsNamed(List<Token> tokens, List<TableRef> relations, Set<String> tables) {
        if (deniedColumns.isEmpty()) {
            return null;
        }
        for (TableRef t : relations) {
            Set<String> denied = deniedColumnsOf(t);
            if (denied.isEmpty()) {
                continue;
            }
            for (Token x : tokens) {
                if (x.isIdentifier() && denied.contains(x.value().toLowerCase(Locale.ROOT))) {
                    return Verdict.deny(
                            StatementKind.DDL,
                            "The schema change names column "
                                    + x.value().toLowerCase(Locale.ROOT) + " of " + t.display()
                                    + ", which the host denies"
                                    + " (renaming or copying it would expose it); leave it out.",
                            tables);
                }
            }
        }
        return null;
    }

    private static boolean systemSchema(TableRef t) {
        String schema = t.schema() == null ? null : t.schema().toLowerCase(Locale.ROOT);
        return schema == null
                ? t.name().toLowerCase(Locale.ROOT).startsWith("pg_")
                : schema.equals("pg_catalog") || schema.equals("information_schema") || schema.startsWith("pg_");
    }

    private static boolean isDml(Statement s) {
        return s instanceof Insert || s instanceof Update || s instanceof Delete || s instanceof Merge;
    }

    private static String stmtName(Statement s) {
        return s.getClass().getSimpleName().toUpperCase(Locale.ROOT);
    }

    private static Verdict mismatch(Statement stmt, Set<String> tables) {
        return Verdict.deny(
                StatementKind.OTHER,
                "The statement's leading key word does not match what the parser" + " read ("
                        + stmt.getClass().getSimpleName() + "); it is refused.",
                tables);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Key-word classification

    private @Nullable Verdict lexicalCategory(List<Token> tokens, String first, String second, String third) {
        switch (first) {
            case "begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release" -> {
                return Verdict.deny(
                        StatementKind.TRANSACTION,
                        "Transaction control ("
                                + first.toUpperCase(Locale.ROOT) + ") is not allowed: each statement runs in its own"
                                + " transaction managed by the agent.");
            }
            case "prepare" -> {
                if (second.equals("transaction")) {
                    return Verdict.deny(
                            StatementKind.TRANSACTION,
                            "PREPARE TRANSACTION is not allowed: the agent manages transactions.");
                }
                return Verdict.deny(StatementKind.OTHER, "PREPARE is not allowed; send the statement itself.");
            }
            case "set", "reset" -> {
                if (second.equals("role")
                        || (second.equals("session") && third.equals("authorization"))
                        || ((second.equals("local") || second.equals("session")) && third.equals("role"))
                        || (second.equals("local") && third.equals("session"))) {
                    return guarded(
                            GuardedOperation.ROLE_CHANGE,
                            StatementKind.ADMIN,
                            Set.of(),
                            first.toUpperCase(Locale.ROOT) + " ROLE / SESSION AUTHORIZATION changes the role the"
                                    + " agent runs as");
                }
                if (second.equals("transaction")
                        || second.equals("constraints")
                        || (second.equals("session") && third.equals("characteristics"))) {
                    return Verdict.deny(
                            StatementKind.TRANSACTION,
                            "SET TRANSACTION / CONSTRAINTS is not allowed: the agent manages transactions.");
                }
                return Verdict.deny(
                        StatementKind.SESSION,
                        first.toUpperCase(Locale.ROOT)
                                + " changes session settings and is not allowed; the agent sets what each statement needs.");
            }
            case "discard", "listen", "unlisten", "notify", "load" -> {
                return Verdict.deny(
                        StatementKind.SESSION,
                        first.toUpperCase(Locale.ROOT) + " changes session state and is not allowed.");
            }
            case "do", "call" -> {
                return Verdict.deny(
                        StatementKind.PROCEDURAL,
                        first.toUpperCase(Locale.ROOT)
                                + " runs procedural code whose effects cannot be checked; it is not allowed.");
            }
            case "copy" -> {
                boolean program = hasWord(tokens, "program");
                boolean file = false;
                for (int k = 0; k + 1 < tokens.size(); k++) {
                    if ((tokens.get(k).isWord("from") || tokens.get(k).isWord("to"))
                            && tokens.get(k + 1).kind() == Kind.STRING) {
                        file = true;
                    }
                }
                if (program || file) {
                    if (hasTableRules()) {
                        return Verdict.deny(
                                StatementKind.COPY,
                                "COPY cannot be checked against the host's table" + " rules; it is not allowed.");
                    }
                    return guarded(
                            GuardedOperation.COPY_PROGRAM,
                            StatementKind.COPY,
                            Set.of(),
                            program
                                    ? "COPY ... PROGRAM runs a program on the database server"
                                    : "COPY to or from a server file reads or writes the server's file system");
                }
                return Verdict.deny(
                        StatementKind.COPY,
                        "COPY is not allowed; use SELECT to read data (results are returned to you).");
            }
            case "grant", "revoke" -> {
                return guarded(
                        GuardedOperation.ROLE_CHANGE,
                        StatementKind.ADMIN,
                        Set.of(),
                        first.toUpperCase(Locale.ROOT) + " changes privileges");
            }
            case "reassign" -> {
                return guarded(
                        GuardedOperation.ROLE_CHANGE,
                        StatementKind.ADMIN,
                        Set.of(),
                        "REASSIGN OWNED changes ownership");
            }
            case "vacuum",
                    "analyze",
                    "analyse",
                    "cluster",
                    "reindex",
                    "checkpoint",
                    "lock",
                    "execute",
                    "deallocate",
                    "fetch",
                    "move",
                    "close",
                    "declare" -> {
                return Verdict.deny(
                        StatementKind.OTHER, first.toUpperCase(Locale.ROOT) + " is not allowed through the agent.");
            }
            case "create", "alter", "drop" -> {
                String object = second;
                if (first.equals("create") && second.equals("or") && third.equals("replace")) {
                    object = word(tokens, firstWordIndex(tokens) + 3);
                }
                if (ROLE_OBJECTS.contains(object)
                        || (first.equals("alter") && object.equals("default") && third.equals("privileges"))
                        || (first.equals("drop") && object.equals("owned"))) {
                    return guarded(
                            GuardedOperation.ROLE_CHANGE,
                            StatementKind.ADMIN,
                            Set.of(),
                            first.toUpperCase(Locale.ROOT) + " " + object.toUpperCase(Locale.ROOT)
                                    + " changes roles or privileges");
                }
                if (first.equals("alter") && object.equals("system")) {
                    return guarded(
                            GuardedOperation.ALTER_SYSTEM,
                            StatementKind.ADMIN,
                            Set.of(),
                            "ALTER SYSTEM changes the server's configuration");
                }
                if (first.equals("drop") && object.equals("database")) {
                    if (hasTableRules()) {
                        return Verdict.deny(
                                StatementKind.DDL, "DROP DATABASE is not allowed under host table" + " rules.");
                    }
                    return guarded(
                            GuardedOperation.DROP_DATABASE,
                            StatementKind.DDL,
                            Set.of(),
                            "DROP DATABASE destroys a whole database");
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * Decides an operation denied at every level unless the host opted in: then it needs a typed confirmation, at
     * BALANCED for unfiltered writes and file access and at PERMISSIVE for everything else.
     */
    private Verdict guarded(GuardedOperation op, StatementKind kind, Set<String> tables, String what) {
        if (!policy.allows(op)) {
            return Verdict.deny(
                    kind,
                    what + "; it is never allowed unless the host opts in (GuardedOperation." + op.name() + ").",
                    tables);
        }
        PolicyLevel needed = op == GuardedOperation.UNFILTERED_WRITE || op == GuardedOperation.FILE_ACCESS
                ? PolicyLevel.BALANCED
                : PolicyLevel.PERMISSIVE;
        if (policy.level().ordinal() < needed.ordinal()) {
            return Verdict.deny(
                    kind,
                    what + "; the host opted in to " + op.name() + " but it needs level " + needed
                            + " and the policy is " + policy.level() + ".",
                    tables);
        }
        return Verdict.confirm(
                kind,
                what + "; the host allows it (" + op.name() + ") after a typed confirmation.",
                tables,
                ConfirmationKind.TYPED);
    }

    private boolean hasTableRules() {
        return !policy.allowedSchemas().isEmpty()
                || !policy.allowedTables().isEmpty()
                || !policy.deniedTables().isEmpty()
                || !policy.deniedColumns().isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // EXPLAIN

    private Verdict explain(String sql, List<Token> tokens) {
        int k = firstWordIndex(tokens) + 1;
        boolean analyze = false;
        if (k < tokens.size() && tokens.get(k).is("(")) {
            int close = k + 1;
            int depth = 1;
            while (close < tokens.size() && depth > 0) {
                if (tokens.get(close).is("(")) {
                    depth++;
                } else if (tokens.get(close).is(")")) {
                    depth--;
                }
                close++;
            }
            if (depth != 0) {
                return Verdict.deny(StatementKind.UNPARSEABLE, "EXPLAIN options are not closed.");
            }
            // options: name [value], separated by commas
            List<Token> opts = tokens.subList(k + 1, close - 1);
            int o = 0;
            while (o < opts.size()) {
                Token name = opts.get(o);
                Token value = o + 1 < opts.size() && !opts.get(o + 1).is(",") ? opts.get(o + 1) : null;
                if (name.isWord("analyze") || name.isWord("analyse")) {
                    String v = value == null ? "true" : value.value().toLowerCase(Locale.ROOT);
                    if (!(v.equals("false")
                            || v.equals("off")
                            || v.equals("0")
                            || v.equals("no")
                            || v.equals("f")
                            || v.equals("n"))) {
                        analyze = true;
                    }
                }
                while (o < opts.size() && !opts.get(o).is(",")) {
                    o++;
                }
                o++;
            }
            k = close;
        } else {
            while (k < tokens.size()
                    && (tokens.get(k).isWord("analyze")
                            || tokens.get(k).isWord("analyse")
                            || tokens.get(k).isWord("verbose"))) {
                if (!tokens.get(k).isWord("verbose")) {
                    analyze = true;
                }
                k++;
            }
        }
        List<Token> inner = tokens.subList(k, tokens.size());
        if (inner.isEmpty()) {
            return Verdict.deny(StatementKind.UNPARSEABLE, "EXPLAIN needs a statement to explain.");
        }
        Verdict v = statement(sql, inner, true);
        if (v.isAllowed() && (v.kind() == StatementKind.READ || v.kind() == StatementKind.UNPARSEABLE)) {
            return Verdict.allow(
                    v.kind(), (analyze ? "EXPLAIN ANALYZE" : "EXPLAIN") + " of a read. " + v.reason(), v.tables());
        }
        if (v.isDenied()) {
            return Verdict.deny(v.kind(), "EXPLAIN of a statement that is not allowed: " + v.reason(), v.tables());
        }
        return Verdict.deny(
                v.kind(),
                analyze
                        ? "EXPLAIN ANALYZE runs the statement it explains; only reads may be explained with ANALYZE."
                        : "EXPLAIN is allowed only for reads; this statement would need confirmation to run.",
                v.tables());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Functions

    private @Nullable Verdict functions(List<Token> tokens, StatementKind kind) {
        Set<String> denied = new TreeSet<>();
        Set<String> files = new TreeSet<>();
        for (int k = 0; k < tokens.size(); k++) {
            Token t = tokens.get(k);
            if (!t.isIdentifier()) {
                continue;
            }
            boolean call = k + 1 < tokens.size() && tokens.get(k + 1).is("(");
            String schema = null;
            if (call && k >= 2 && tokens.get(k - 1).is(".") && tokens.get(k - 2).isIdentifier()) {
                schema = tokens.get(k - 2).value();
            }
            String name = t.value();
            Set<String> extra = policy.deniedFunctions();
            if (!call) {
                // Attribute notation: PostgreSQL reads x.f as f(x) when f takes one argument. After a parenthesised
                // expression or a parameter any one-argument function is reachable ((1.5::float8).pg_sleep); after
                // a table name only functions of its row type, which no built-in on the deny list takes.
                if (k == 0
                        || !tokens.get(k - 1).is(".")
                        || (k + 1 < tokens.size() && tokens.get(k + 1).is("."))) {
                    continue;
                }
                Token before = k >= 2 ? tokens.get(k - 2) : null;
                boolean scalar = before != null && (before.is(")") || before.is("]") || before.kind() == Kind.PARAM);
                if (!scalar) {
                    if (!FunctionRules.matchesAny(extra, null, name, false)
                            || FunctionRules.matchesAny(policy.allowedFunctions(), null, name, true)) {
                        continue;
                    }
                }
            }
            switch (FunctionRules.judge(schema, name, extra, policy.allowedFunctions())) {
                case DENIED -> denied.add(schema == null ? name : schema + "." + name);
                case FILE_ACCESS -> files.add(schema == null ? name : schema + "." + name);
                case ALLOWED -> {}
            }
        }
        if (!denied.isEmpty()) {
            return Verdict.deny(
                    kind,
                    "The statement calls " + String.join(", ", denied)
                            + (denied.size() == 1 ? ", which is" : ", which are")
                            + " on the deny list (side effects, sleeping, locking, other sessions, or running SQL from"
                            + " text); remove the call.");
        }
        if (!files.isEmpty()) {
            return guarded(
                    GuardedOperation.FILE_ACCESS,
                    kind,
                    Set.of(),
                    "The statement calls " + String.join(", ", files) + ", which accesses the server's files");
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // DDL

    private @Nullable Verdict ddlPreCheck(List<Token> tokens, String first, String second) {
        if (policy.level() != PolicyLevel.PERMISSIVE) {
            return Verdict.deny(
                    StatementKind.DDL,
                    first.toUpperCase(Locale.ROOT)
                            + " changes the schema; the policy level is " + policy.level()
                            + " and only PERMISSIVE allows schema changes.");
        }
        if (first.equals("truncate")) {
            if (!policy.allows(GuardedOperation.TRUNCATE)) {
                return guarded(
                        GuardedOperation.TRUNCATE,
                        StatementKind.DDL,
                        Set.of(),
                        "TRUNCATE removes every row of a table");
            }
        }
        for (int k = 0; k + 1 < tokens.size(); k++) {
            if (tokens.get(k).isWord("owner")
                    && tokens.get(k + 1).isWord("to")
                    && !policy.allows(GuardedOperation.ROLE_CHANGE)) {
                return guarded(
                        GuardedOperation.ROLE_CHANGE,
                        StatementKind.ADMIN,
                        Set.of(),
                        first.toUpperCase(Locale.ROOT) + " ... OWNER TO changes who owns an object and its privileges");
            }
        }
        boolean rowSecurity = false;
        for (int k = 0; k + 2 < tokens.size(); k++) {
            rowSecurity |= tokens.get(k).isWord("row")
                    && tokens.get(k + 1).isWord("level")
                    && tokens.get(k + 2).isWord("security");
        }
        if ((second.equals("policy") || (first.equals("alter") && rowSecurity))
                && !policy.allows(GuardedOperation.ROLE_CHANGE)) {
            return guarded(
                    GuardedOperation.ROLE_CHANGE,
                    StatementKind.ADMIN,
                    Set.of(),
                    first.toUpperCase(Locale.ROOT) + (rowSecurity ? " ... ROW LEVEL SECURITY" : " POLICY")
                            + " changes which rows each role may see or change");
        }
        if (first.equals("create")
                && second.equals("schema")
                && hasWord(tokens, "authorization")
                && !policy.allows(GuardedOperation.ROLE_CHANGE)) {
            return guarded(
                    GuardedOperation.ROLE_CHANGE,
                    StatementKind.ADMIN,
                    Set.of(),
                    "CREATE SCHEMA ... AUTHORIZATION makes another role the owner of the schema");
        }
        // CREATE EXTENSION ... CASCADE installs the extensions it requires; it drops nothing
        boolean createExtension = first.equals("create") && second.equals("extension");
        for (int k = 0; k < tokens.size() && !createExtension; k++) {
            if (tokens.get(k).isWord("cascade")) {
                boolean fk = k > 0
                        && (tokens.get(k - 1).isWord("delete")
                                || tokens.get(k - 1).isWord("update"));
                if (!fk && !policy.allows(GuardedOperation.DROP_CASCADE)) {
                    return guarded(
                            GuardedOperation.DROP_CASCADE,
                            StatementKind.DDL,
                            Set.of(),
                            "CASCADE also drops every object that depends on the one named");
                }
            }
        }
        if (second.isEmpty() && !first.equals("truncate")) {
            return Verdict.deny(StatementKind.DDL, "Incomplete " + first.toUpperCase(Locale.ROOT) + " statement.");
        }
        return null;
    }

    private Verdict ddl(Set<String> tables, String first, String form, boolean concurrently) {
        if (first.equals("truncate")) {
            return guarded(GuardedOperation.TRUNCATE, StatementKind.DDL, tables, "TRUNCATE removes every row");
        }
        String what = form + " changes the schema";
        String note = concurrently
                ? " Note: PostgreSQL refuses CONCURRENTLY inside a transaction block, so it"
                        + " succeeds only where the statement runs outside one."
                : "";
        if (secondParty(tables)) {
            return Verdict.confirm(
                    StatementKind.DDL,
                    what + " of a table that needs a second party's approval." + note,
                    tables,
                    ConfirmationKind.SECOND_PARTY);
        }
        return Verdict.confirm(
                StatementKind.DDL,
                what + "; the policy allows it after a typed confirmation." + note,
                tables,
                ConfirmationKind.TYPED);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reads and writes

    private Verdict read(Facts facts, Set<String> tables) {
        if (!facts.intoTargets.isEmpty()) {
            if (policy.level() != PolicyLevel.PERMISSIVE) {
                return Verdict.deny(
                        StatementKind.WRITE,
                        "SELECT ... INTO creates table " + String.join(", ", facts.intoTargets)
                                + "; write SELECT without INTO.",
                        tables);
            }
            return Verdict.confirm(
                    StatementKind.DDL,
                    "SELECT ... INTO creates table " + String.join(", ", facts.intoTargets)
                            + "; the policy allows it after a typed confirmation.",
                    tables,
                    ConfirmationKind.TYPED);
        }
        if (facts.dataModifying > 0) {
            if (policy.level() == PolicyLevel.READ_ONLY) {
                return Verdict.deny(
                        StatementKind.WRITE,
                        "The query holds a data-modifying statement"
                                + " (INSERT/UPDATE/DELETE/MERGE in a WITH clause); the policy is read-only.",
                        tables);
            }
            return write(facts, tables, "data-modifying WITH");
        }
        if (facts.locking) {
            if (policy.level() == PolicyLevel.READ_ONLY) {
                return Verdict.deny(
                        StatementKind.WRITE,
                        "FOR UPDATE/SHARE locks rows, which a read must not do;" + " remove the locking clause.",
                        tables);
            }
            return Verdict.confirm(
                    StatementKind.WRITE,
                    "FOR UPDATE/SHARE locks rows; the policy allows it after a" + " confirmation.",
                    tables,
                    confirmationFor(tablesOf(facts.tables)));
        }
        return Verdict.allow(StatementKind.READ, "A read-only query.", tables);
    }

    private Verdict write(Facts facts, Set<String> tables, String what) {
        if (policy.level() == PolicyLevel.READ_ONLY) {
            return Verdict.deny(StatementKind.WRITE, what + " changes data; the policy is read-only.", tables);
        }
        if (!facts.intoTargets.isEmpty() && policy.level() != PolicyLevel.PERMISSIVE) {
            return Verdict.deny(
                    StatementKind.WRITE, "SELECT ... INTO creates a table; write SELECT without INTO.", tables);
        }
        Set<String> targets = tablesOf(facts.writeTargets);
        for (TableRef t : facts.writeTargets) {
            if (systemSchema(t)) {
                return Verdict.deny(
                        StatementKind.WRITE,
                        what + " writes " + t.display() + ", a system catalog or"
                                + " view (pg_settings changes session settings); it is not allowed.",
                        tables);
            }
        }
        if (facts.unfilteredWrite) {
            return guarded(
                    GuardedOperation.UNFILTERED_WRITE,
                    StatementKind.WRITE,
                    tables,
                    "UPDATE or DELETE without a WHERE clause (or with one that is always true) changes every row"
                            + " of " + String.join(", ", targets) + "; add a WHERE clause");
        }
        ConfirmationKind confirmation = confirmationFor(targets);
        return Verdict.confirm(
                StatementKind.WRITE,
                what + " changes " + String.join(", ", targets)
                        + (confirmation == ConfirmationKind.SECOND_PARTY
                                ? "; it needs a second party's approval."
                                : "; it needs a confirmation."),
                tables,
                confirmation);
    }

    private ConfirmationKind confirmationFor(Set<String> targets) {
        return secondParty(targets) ? ConfirmationKind.SECOND_PARTY : ConfirmationKind.SIMPLE;
    }

    private boolean secondParty(Set<String> names) {
        for (String n : names) {
            int dot = n.lastIndexOf('.');
            TableRef ref = new TableRef(dot < 0 ? null : n.substring(0, dot), n.substring(dot + 1), null, false);
            if (matchesDeny(policy.secondPartyTables(), ref)) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> tablesOf(List<TableRef> refs) {
        Set<String> out = new TreeSet<>();
        for (TableRef r : refs) {
            out.add(r.display());
        }
        return out;
    }

    private static Set<String> tableNames(Facts facts) {
        return tablesOf(facts.tables);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Catalogs holding credentials or server files

    /** Refuses catalogs with password hashes or connection strings, and guards views of server files. */
    private @Nullable Verdict sensitiveCatalogs(Facts facts, Set<String> tables, StatementKind kind) {
        for (TableRef t : facts.tables) {
            String schema = t.schema() == null ? "pg_catalog" : t.schema().toLowerCase(Locale.ROOT);
            if (!schema.equals("pg_catalog")) {
                continue;
            }
            String name = t.name().toLowerCase(Locale.ROOT);
            if (CREDENTIAL_CATALOGS.contains(name)) {
                return Verdict.deny(
                        kind,
                        "The statement reads " + t.display() + ", which holds password hashes or"
                                + " connection strings; use pg_roles, pg_user or pg_stat_subscription instead.",
                        tables);
            }
            if (FILE_VIEWS.contains(name)) {
                return guarded(
                        GuardedOperation.FILE_ACCESS,
                        kind,
                        tables,
                        "The statement reads " + t.display()
                                + ", which shows the contents of the server's configuration files");
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Host rules

    /** A rule naming {@code [schema.]table} matches a reference; an unqualified reference may be any schema's. */
    private static boolean matchesDeny(Set<String> rules, TableRef ref) {
        return matches(rules, ref, true);
    }

    /** For allow lists a qualified rule only matches a reference qualified the same way. */
    private static boolean matchesAllow(Set<String> rules, TableRef ref) {
        return matches(rules, ref, false);
    }

    private static boolean matches(Set<String> rules, TableRef ref, boolean unqualifiedRefMatchesAnySchema) {
        String name = ref.name().toLowerCase(Locale.ROOT);
        String schema = ref.schema() == null ? null : ref.schema().toLowerCase(Locale.ROOT);
        for (String rule : rules) {
            int dot = rule.lastIndexOf('.');
            String rn = rule.substring(dot + 1);
            String rs = dot < 0 ? null : rule.substring(0, dot);
            boolean schemaMatches =
                    rs == null || rs.equals(schema) || (unqualifiedRefMatchesAnySchema && schema == null);
            if (rn.equals(name) && schemaMatches) {
                return true;
            }
        }
        return false;
    }

    private @Nullable Verdict hostRules(Facts facts, Set<String> tables, StatementKind kind) {
        for (TableRef t : facts.tables) {
            if (matchesDeny(policy.deniedTables(), t)) {
                return Verdict.deny(
                        kind,
                        "The statement touches table " + t.display() + ", which the host does not allow.",
                        tables);
            }
            if (!policy.allowedTables().isEmpty() && !matchesAllow(policy.allowedTables(), t)) {
                return Verdict.deny(
                        kind,
                        "The statement touches table " + t.display()
                                + ", which is not among the allowed tables ("
                                + String.join(", ", policy.allowedTables())
                                + ").",
                        tables);
            }
            if (!policy.allowedSchemas().isEmpty()) {
                String schema = t.schema() == null ? "public" : t.schema().toLowerCase(Locale.ROOT);
                if (!policy.allowedSchemas().contains(schema)) {
                    return Verdict.deny(
                            kind,
                            "The statement touches table " + t.display()
                                    + (t.schema() == null ? " (unqualified, so taken as schema public)" : "")
                                    + ", outside the allowed schemas (" + String.join(", ", policy.allowedSchemas())
                                    + "); schema-qualify tables of the allowed schemas.",
                            tables);
                }
            }
        }
        if (deniedColumns.isEmpty()) {
            return null;
        }
        for (TableRef t : facts.tables) {
            String schema = t.schema() == null ? "pg_catalog" : t.schema().toLowerCase(Locale.ROOT);
            if (schema.equals("pg_catalog")
                    && COLUMN_STATISTICS.contains(t.name().toLowerCase(Locale.ROOT))) {
                return Verdict.deny(
                        kind,
                        "The statement reads " + t.display() + ", whose sample values (most common"
                                + " values, histograms) include columns the host denies.",
                        tables);
            }
        }
        // Tables involved that have denied columns.
        List<TableRef> guarded = new ArrayList<>();
        for (TableRef t : facts.tables) {
            if (!deniedColumnsOf(t).isEmpty()) {
                guarded.add(t);
            }
        }
        if (guarded.isEmpty()) {
            return null;
        }
        if (facts.naturalJoin) {
            TableRef t = guarded.get(0);
            return Verdict.deny(
                    kind,
                    "NATURAL JOIN compares every column of the same name, and " + t.display()
                            + " has columns the host denies (" + String.join(", ", deniedColumnsOf(t))
                            + "); join with ON or USING naming the columns.",
                    tables);
        }
        for (TableRef t : guarded) {
            if (t.aliasColumns()) {
                return Verdict.deny(
                        kind,
                        "Table " + t.display() + " has denied columns and is given column aliases,"
                                + " which would hide which column is read; list its columns by name without renaming"
                                + " them in the FROM clause.",
                        tables);
            }
        }
        for (List<TableRef> star : facts.stars) {
            for (TableRef t : star) {
                if (!deniedColumnsOf(t).isEmpty()) {
                    return Verdict.deny(
                            kind,
                            "SELECT * over " + t.display() + " would include columns the host"
                                    + " denies (" + String.join(", ", deniedColumnsOf(t))
                                    + "); list the columns you need by name.",
                            tables);
                }
            }
        }
        for (String q : facts.tableStars) {
            for (TableRef t : resolve(q, guarded)) {
                return Verdict.deny(
                        kind,
                        q + ".* over " + t.display() + " would include columns the host denies ("
                                + String.join(", ", deniedColumnsOf(t)) + "); list the columns you need by name.",
                        tables);
            }
        }
        for (ColumnRef c : facts.columns) {
            String name = c.name().toLowerCase(Locale.ROOT);
            List<TableRef> candidates = c.qualifier() == null ? guarded : resolve(c.qualifier(), guarded);
            if (c.qualifier() != null && candidates.isEmpty() && !refersToAny(c.qualifier(), facts.tables)) {
                // qualifier is a subquery or CTE alias: be conservative
                candidates = guarded;
            }
            for (TableRef t : candidates) {
                if (deniedColumnsOf(t).contains(name)) {
                    return Verdict.deny(
                            kind,
                            "The statement uses column " + name + " of " + t.display()
                                    + ", which the host denies; leave it out.",
                            tables);
                }
            }
            if (c.qualifier() == null) {
                for (TableRef t : guarded) {
                    if (name.equals(t.name().toLowerCase(Locale.ROOT))
                            || (t.alias() != null && name.equals(t.alias().toLowerCase(Locale.ROOT)))) {
                        return Verdict.deny(
                                kind,
                                "The statement uses the whole row of " + t.display()
                                        + ", which includes columns the host denies ("
                                        + String.join(", ", deniedColumnsOf(t))
                                        + "); list the columns you need by name.",
                                tables);
                    }
                }
            }
        }
        return null;
    }

    private static boolean refersToAny(String qualifier, List<TableRef> tables) {
        String q = qualifier.toLowerCase(Locale.ROOT);
        for (TableRef t : tables) {
            if (q.equals(t.name().toLowerCase(Locale.ROOT))
                    || (t.alias() != null && q.equals(t.alias().toLowerCase(Locale.ROOT)))) {
                return true;
            }
        }
        return false;
    }

    private static List<TableRef> resolve(String qualifier, List<TableRef> candidates) {
        String q = qualifier.toLowerCase(Locale.ROOT);
        int dot = q.lastIndexOf('.');
        String last = q.substring(dot + 1);
        List<TableRef> out = new ArrayList<>();
        for (TableRef t : candidates) {
            if (last.equals(t.name().toLowerCase(Locale.ROOT))
                    || (t.alias() != null && last.equals(t.alias().toLowerCase(Locale.ROOT)))) {
                out.add(t);
            }
        }
        return out;
    }

    private Set<String> deniedColumnsOf(TableRef t) {
        Set<String> out = new LinkedHashSet<>();
        String name = t.name().toLowerCase(Locale.ROOT);
        String schema = t.schema() == null ? null : t.schema().toLowerCase(Locale.ROOT);
        for (String[] rule : deniedColumns) {
            String col = rule[rule.length - 1];
            String table = rule[rule.length - 2];
            String rs = rule.length >= 3 ? rule[rule.length - 3] : null;
            if (table.equals(name) && (rs == null || schema == null || rs.equals(schema))) {
                out.add(col);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Unparseable text

    private Verdict unparseable(List<Token> tokens, StatementKind lexKind, ParserRunner.Outcome parsed) {
        String msg = parsed.error() == null
                ? "unknown error"
                : parsed.error().replaceAll("\\s+", " ").strip();
        if (msg.length() > MAX_MESSAGE) {
            msg = msg.substring(0, MAX_MESSAGE) + "...";
        }
        if (parsed.timedOut()) {
            return Verdict.deny(
                    StatementKind.UNPARSEABLE,
                    "The statement could not be checked in time (" + msg + "); simplify it.");
        }
        if (policy.unparseableSql() == UnparseableSqlMode.GUARDED_READ && lexKind == StatementKind.READ) {
            for (String w : List.of("insert", "update", "delete", "merge", "into", "share", "lock")) {
                if (hasWord(tokens, w)) {
                    return Verdict.deny(
                            StatementKind.UNPARSEABLE,
                            "The parser could not read the statement ("
                                    + msg + ") and it contains " + w.toUpperCase(Locale.ROOT)
                                    + ", so it cannot be run as a guarded read.");
                }
            }
            if (hasTableRules()) {
                return Verdict.deny(
                        StatementKind.UNPARSEABLE,
                        "The parser could not read the statement (" + msg
                                + "), so the host's table and column rules cannot be checked.");
            }
            return Verdict.allow(
                    StatementKind.UNPARSEABLE,
                    "The parser could not read the statement (" + msg
                            + "); it runs under the runtime guards only (read-only transaction, timeouts, row caps).",
                    Set.of());
        }
        if (lexKind == StatementKind.DDL) {
            return Verdict.deny(
                    StatementKind.DDL,
                    "This form of schema change could not be read, so what it"
                            + " touches cannot be checked; it is refused: " + msg);
        }
        return Verdict.deny(
                StatementKind.UNPARSEABLE, "The statement could not be parsed, so it cannot be" + " checked: " + msg);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Text for JSqlParser

    /** Returns the index of the parenthesis closing the one at {@code open}, or -1. */
    private static int closing(List<Token> tokens, int open) {
        int depth = 0;
        for (int k = open; k < tokens.size(); k++) {
            if (tokens.get(k).is("(")) {
                depth++;
            } else if (tokens.get(k).is(")")) {
                depth--;
                if (depth == 0) {
                    return k;
                }
            }
        }
        return -1;
    }

    /** Returns the index of the parenthesis opening the one at {@code close}, or -1. */
    private static int opening(List<Token> tokens, int close) {
        int depth = 0;
        for (int k = close; k >= 0; k--) {
            if (tokens.get(k).is(")")) {
                depth++;
            } else if (tokens.get(k).is("(")) {
                depth--;
                if (depth == 0) {
                    return k;
                }
            }
        }
        return -1;
    }

    /**
     * Reorders clauses JSqlParser reads only in another order: {@code WITHIN GROUP (...) FILTER (...)} becomes
     * {@code FILTER (...) WITHIN GROUP (...)}. Every token is kept.
     */
    static List<Token> reorder(List<Token> tokens) {
        List<Token> out = new ArrayList<>(tokens);
        for (int k = 0; k + 2 < out.size(); k++) {
            if (!(out.get(k).isWord("within")
                    && out.get(k + 1).isWord("group")
                    && out.get(k + 2).is("("))) {
                continue;
            }
            int c1 = closing(out, k + 2);
            if (c1 < 0
                    || c1 + 2 >= out.size()
                    || !out.get(c1 + 1).isWord("filter")
                    || !out.get(c1 + 2).is("(")) {
                continue;
            }
            int c2 = closing(out, c1 + 2);
            if (c2 < 0) {
                continue;
            }
            List<Token> within = new ArrayList<>(out.subList(k, c1 + 1));
            List<Token> filter = new ArrayList<>(out.subList(c1 + 1, c2 + 1));
            List<Token> swapped = new ArrayList<>(filter);
            swapped.addAll(within);
            for (int j = 0; j < swapped.size(); j++) {
                out.set(k + j, swapped.get(j));
            }
            k = c2;
        }
        return out;
    }

    private static final Set<String> FRAME_START = Set.of("between", "unbounded", "current");
    private static final Set<String> INTERVAL_FIELDS = Set.of("year", "month", "day", "hour", "minute", "second");
    private static final Set<String> WINDOW_SPEC_START = Set.of("partition", "order", "rows", "range", "groups");

    /**
     * Rewrites known JSqlParser gaps that do not change what the statement touches. A field selected from a
     * function's composite result is dropped unless it has the name of a column in {@code protectedNames}.
     */
    static List<Token> rewrite(List<Token> tokens, Set<String> protectedNames) {
        List<Token> out = new ArrayList<>(tokens.size() + 4);
        boolean windowClause = false;
        int searchEnd = -1;
        for (int k = 0; k < tokens.size(); k++) {
            Token t = tokens.get(k);
            Token prev = k == 0 ? null : tokens.get(k - 1);
            Token next = k + 1 < tokens.size() ? tokens.get(k + 1) : null;
            windowClause |= t.isWord("window");
            // OVER (w ORDER BY ...) and WINDOW w2 AS (w ...): the name of an existing window refines it, and the
            // window it names is read where it is defined
            if (t.isIdentifier()
                    && prev != null
                    && prev.is("(")
                    && k >= 2
                    && (tokens.get(k - 2).isWord("over")
                            || (windowClause && tokens.get(k - 2).isWord("as")))
                    && next != null
                    && (next.is(")") || (next.kind() == Kind.WORD && WINDOW_SPEC_START.contains(next.value())))
                    && !(t.kind() == Kind.WORD && WINDOW_SPEC_START.contains(t.value()))) {
                continue;
            }
            // FROM ROWS FROM (f(a), g(b)) AS t: the rows are what the calls return, so the calls are checked as the
            // select list of a subquery in the same place: (SELECT f(a), g(b)) AS t
            if (t.isWord("rows")
                    && next != null
                    && next.isWord("from")
                    && k + 2 < tokens.size()
                    && tokens.get(k + 2).is("(")
                    && prev != null
                    && (prev.isWord("from") || prev.isWord("join") || prev.isWord("lateral") || prev.is(","))) {
                out.add(tokens.get(k + 2));
                out.add(new Token(Kind.WORD, "SELECT", -1, -1));
                k += 2;
                continue;
            }
            // JOIN ... USING (a, b) AS j: the join alias only renames the merged columns
            if (t.isWord("as")
                    && prev != null
                    && prev.is(")")
                    && next != null
                    && next.isIdentifier()
                    && usingColumnList(tokens, k - 1)) {
                k++;
                continue;
            }
            // WITH RECURSIVE ... (...) SEARCH DEPTH FIRST BY a SET o / CYCLE a SET c [TO x DEFAULT y] USING p: they
            // name output columns of the CTE only
            if ((t.isWord("search") || t.isWord("cycle")) && prev != null && (prev.is(")") || k == searchEnd)) {
                int end = searchOrCycleEnd(tokens, k);
                if (end > k) {
                    searchEnd = end;
                    k = end - 1;
                    continue;
                }
            }
            // GROUPS frames read the same rows as ROWS frames; EXCLUDE ... only narrows the frame
            if (t.isWord("groups")
                    && next != null
                    && (next.kind() == Kind.NUMBER
                            || (next.kind() == Kind.WORD && FRAME_START.contains(next.value())))) {
                out.add(new Token(Kind.WORD, "ROWS", -1, -1));
                continue;
            }
            if (t.isWord("exclude")
                    && next != null
                    && (next.isWord("current") || next.isWord("group") || next.isWord("ties") || next.isWord("no"))) {
                k += next.isWord("current") || next.isWord("no") ? 2 : 1;
                continue;
            }
            // INTERVAL '1-2' YEAR TO MONTH: the field qualifier names nothing
            if (t.isWord("to")
                    && next != null
                    && next.kind() == Kind.WORD
                    && INTERVAL_FIELDS.contains(next.value())
                    && prev != null
                    && prev.kind() == Kind.WORD
                    && INTERVAL_FIELDS.contains(prev.value())
                    && k >= 3
                    && tokens.get(k - 2).kind() == Kind.STRING
                    && tokens.get(k - 3).isWord("interval")) {
                k++;
                continue;
            }
            // (f(x)).field and (f(x)).*: a field of a function's composite result
            if (t.is(".")
                    && prev != null
                    && prev.is(")")
                    && next != null
                    && (next.is("*")
                            || (next.isIdentifier()
                                    && !protectedNames.contains(next.value().toLowerCase(Locale.ROOT))))
                    && (k + 2 >= tokens.size() || !tokens.get(k + 2).is("("))
                    && wrapsCall(tokens, k - 1)) {
                k++;
                continue;
            }
            // TABLE name  ==  SELECT * FROM name
            if (t.isWord("table")
                    && next != null
                    && next.isIdentifier()
                    && (prev == null
                            || prev.is("(")
                            || prev.is(")")
                            || prev.isWord("union")
                            || prev.isWord("intersect")
                            || prev.isWord("except")
                            || prev.isWord("all")
                            || prev.isWord("distinct"))) {
                out.add(new Token(Kind.WORD, "SELECT * FROM", -1, -1));
                continue;
            }
            // AS [NOT] MATERIALIZED in a CTE is a planner hint
            if (t.isWord("not") && prev != null && prev.isWord("as") && next != null && next.isWord("materialized")) {
                continue;
            }
            if (t.isWord("materialized")
                    && prev != null
                    && (prev.isWord("as") || prev.isWord("not"))
                    && next != null
                    && next.is("(")) {
                continue;
            }
            // SELECT ... INTO [TEMP | TEMPORARY | UNLOGGED | TABLE] t: keep the INTO (still refused), drop the modifier
            if (prev != null
                    && prev.isWord("into")
                    && next != null
                    && next.isIdentifier()
                    && (t.isWord("temp") || t.isWord("temporary") || t.isWord("unlogged") || t.isWord("table"))) {
                continue;
            }
            // ORDER BY x USING <op>: the sort operator names no table, column or function
            if (t.isWord("using") && next != null && next.kind() == Kind.OPERATOR) {
                k++;
                continue;
            }
            // Operators JSqlParser does not know (#, #-, @?, |/, <->, ...) combine their operands like any other: they
            // name no table, column or function, so an operator it knows stands in for them.
            if (t.kind() == Kind.OPERATOR && !KNOWN_OPERATORS.contains(t.value())) {
                boolean prefix = prev == null
                        || (prev.kind() == Kind.PUNCT && !prev.is(")") && !prev.is("]"))
                        || prev.kind() == Kind.OPERATOR
                        || (prev.kind() == Kind.WORD && PREFIX_CONTEXT.contains(prev.value()));
                if (!prefix) {
                    out.add(new Token(Kind.OPERATOR, "+", -1, -1));
                }
                continue;
            }
            // COLLATE name: a collation names no table, column or function
            if (t.isWord("collate") && next != null && next.isIdentifier() && prev != null) {
                int skip = 1;
                while (k + skip + 2 < tokens.size()
                        && tokens.get(k + skip + 1).is(".")
                        && tokens.get(k + skip + 2).isIdentifier()) {
                    skip += 2;
                }
                k += skip;
                continue;
            }
            // GROUP BY DISTINCT only removes duplicate grouping sets
            if (t.isWord("distinct")
                    && prev != null
                    && prev.isWord("by")
                    && k >= 2
                    && tokens.get(k - 2).isWord("group")) {
                continue;
            }
            // a BETWEEN SYMMETRIC b AND c reads the same columns as a BETWEEN b AND c
            if ((t.isWord("symmetric") || t.isWord("asymmetric")) && prev != null && prev.isWord("between")) {
                continue;
            }
            out.add(t);
            // SELECT FROM t (an empty select list) reads nothing more than SELECT NULL FROM t
            if (t.isWord("select") && next != null && next.isWord("from")) {
                out.add(new Token(Kind.WORD, "NULL", -1, -1));
            }
        }
        return out;
    }

    /** Whether the parenthesis closing at {@code close} holds the column list of {@code USING (a, b)}. */
    private static boolean usingColumnList(List<Token> tokens, int close) {
        int open = opening(tokens, close);
        if (open < 1 || !tokens.get(open - 1).isWord("using") || open + 1 >= close) {
            return false;
        }
        for (int k = open + 1; k < close; k++) {
            Token t = tokens.get(k);
            boolean expectName = ((k - open) & 1) == 1;
            if (expectName ? !t.isIdentifier() || READ_WORDS.contains(t.value()) : !t.is(",")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns the index after a CTE's {@code SEARCH {DEPTH|BREADTH} FIRST BY cols SET col} or {@code CYCLE cols SET
     * col [TO value DEFAULT value] USING col} clause starting at {@code k}, or -1 when the tokens are not one.
     */
    private static int searchOrCycleEnd(List<Token> tokens, int k) {
        int j = k + 1;
        if (tokens.get(k).isWord("search")) {
            if (j + 2 >= tokens.size()
                    || !(tokens.get(j).isWord("depth") || tokens.get(j).isWord("breadth"))
                    || !tokens.get(j + 1).isWord("first")
                    || !tokens.get(j + 2).isWord("by")) {
                return -1;
            }
            j += 3;
        }
        j = nameList(tokens, j);
        if (j < 0
                || j + 1 >= tokens.size()
                || !tokens.get(j).isWord("set")
                || !tokens.get(j + 1).isIdentifier()) {
            return -1;
        }
        j += 2;
        if (tokens.get(k).isWord("search")) {
            return j;
        }
        if (j + 3 < tokens.size()
                && tokens.get(j).isWord("to")
                && tokens.get(j + 2).isWord("default")
                && constant(tokens.get(j + 1))
                && constant(tokens.get(j + 3))) {
            j += 4;
        }
        if (j + 1 < tokens.size()
                && tokens.get(j).isWord("using")
                && tokens.get(j + 1).isIdentifier()) {
            return j + 2;
        }
        return -1;
    }

    private static boolean constant(Token t) {
        return t.kind() == Kind.STRING || t.kind() == Kind.NUMBER || t.kind() == Kind.WORD;
    }

    /** Returns the index after a list {@code a, b, c} of names starting at {@code k}, or -1. */
    private static int nameList(List<Token> tokens, int k) {
        int j = k;
        while (true) {
            if (j >= tokens.size() || !tokens.get(j).isIdentifier()) {
                return -1;
            }
            j++;
            if (j < tokens.size() && tokens.get(j).is(",")) {
                j++;
            } else {
                return j;
            }
        }
    }

    /** Whether the parenthesis closing at {@code close} wraps exactly one function call {@code (name(...))}. */
    private static boolean wrapsCall(List<Token> tokens, int close) {
        int open = opening(tokens, close);
        if (open < 0 || open + 2 >= close || !tokens.get(close - 1).is(")")) {
            return false;
        }
        int k = open + 1;
        while (k + 2 < close
                && tokens.get(k).isIdentifier()
                && tokens.get(k + 1).is(".")) {
            k += 2;
        }
        return tokens.get(k).isIdentifier() && tokens.get(k + 1).is("(") && closing(tokens, k + 1) == close - 1;
    }

    /**
     * Renders tokens as text for JSqlParser: comments dropped, every string constant rewritten as a plain
     * single-quoted string without quotes or backslashes inside, so both scanners agree on where it ends.
     */
    static String render(String sql, List<Token> tokens) {
        StringBuilder b = new StringBuilder(sql.length() + 16);
        int lastEnd = -1;
        for (Token t : tokens) {
            if (lastEnd >= 0 && (t.start() < 0 || t.start() > lastEnd)) {
                b.append(' ');
            }
            if (t.start() < 0) {
                b.append(t.value());
                b.append(' ');
                lastEnd = -1;
                continue;
            }
            if (t.kind() == Kind.STRING) {
                b.append('\'');
                String v = t.value();
                for (int k = 0; k < v.length(); k++) {
                    char c = v.charAt(k);
                    b.append(c == '\'' || c == '\\' ? '_' : c);
                }
                b.append('\'');
            } else {
                b.append(sql, t.start(), t.end());
            }
            lastEnd = t.end();
        }
        return b.toString();
    }
}
