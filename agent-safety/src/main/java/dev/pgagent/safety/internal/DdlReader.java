package dev.pgagent.safety.internal;

import dev.pgagent.safety.internal.AstWalker.TableRef;
import dev.pgagent.safety.internal.SqlLexer.Kind;
import dev.pgagent.safety.internal.SqlLexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads common PostgreSQL DDL forms on the scanner's tokens, for what the policy needs of a schema change: the
 * relations and other objects it names, and the queries it holds. JSqlParser misses or misreads many of these forms
 * ({@code CREATE INDEX ON t (c)} without a name, {@code CONCURRENTLY}, {@code INCLUDE}, partial indexes,
 * {@code PARTITION OF}, {@code (LIKE t)}, {@code COMMENT ON INDEX}, {@code ALTER TYPE ... ADD VALUE}, ...).
 *
 * <p>Why a structural reading is enough: outside the queries of CREATE VIEW, CREATE MATERIALIZED VIEW and CREATE TABLE
 * AS, PostgreSQL refuses subqueries in every expression a DDL statement can hold (defaults, CHECK and generated
 * expressions, index expressions and predicates, {@code ALTER COLUMN ... USING}, partition bounds, trigger WHEN
 * conditions). So the relations a form touches are the ones its grammar names ({@code ON t}, {@code REFERENCES t},
 * {@code LIKE t}, {@code PARTITION OF t}, {@code INHERITS (t)}, {@code ATTACH PARTITION t}, ...), and the reader
 * checks the rest: every token it does not consume as part of the form's grammar is free text in which no
 * {@code SELECT}, no subquery and no INSERT/UPDATE/DELETE/MERGE may appear (otherwise the reader declines). Function
 * calls are checked lexically on the whole text before the reader runs. The queries of views and CREATE TABLE AS are
 * returned for the caller to check as reads.
 *
 * <p>A form the reader does not know, or text it cannot follow, gives null: the caller falls back to JSqlParser,
 * which refuses what it cannot parse. Stateless and thread-safe.
 */
public final class DdlReader {
    /** Words that may not name anything in a position the reader reads a name from. */
    private static final Set<String> RESERVED = Set.of(
            "select",
            "from",
            "where",
            "on",
            "as",
            "with",
            "using",
            "table",
            "values",
            "into",
            "is",
            "not",
            "null",
            "default",
            "only",
            "if",
            "exists",
            "and",
            "or",
            "all",
            "cascade",
            "restrict",
            "to",
            "by",
            "for",
            "in",
            "of",
            "create",
            "alter",
            "drop",
            "insert",
            "update",
            "delete",
            "merge",
            "union",
            "group",
            "order",
            "having",
            "limit");

    private static final Set<String> DML = Set.of("insert", "update", "delete", "merge");

    private DdlReader() {}

    /** What a DDL statement names and holds. */
    public static final class Reading {
        /** The statement's form in upper case, such as {@code CREATE INDEX}. */
        public final String what;
        /** Tables, views, materialized views, sequences, indexes and foreign tables it changes or names. */
        public final List<TableRef> relations = new ArrayList<>();
        /** Other objects it changes: types, domains, extensions, statistics objects, functions. */
        public final List<TableRef> objects = new ArrayList<>();
        /** Schemas it creates, changes, drops, or moves objects to. */
        public final List<String> schemas = new ArrayList<>();
        /** Relations it renames ({@code RENAME TO}) or moves to another schema ({@code SET SCHEMA}). */
        public final List<TableRef> moved = new ArrayList<>();
        /** The queries it holds (bodies of views and CREATE TABLE AS), to be checked as reads. */
        public final List<List<Token>> queries = new ArrayList<>();
        /** Whether it says CONCURRENTLY, which PostgreSQL refuses inside a transaction block. */
        public boolean concurrently;
        /**
         * Why the statement must be refused although its form is known (a query or a write where only definitions
         * belong, or every table of a tablespace), or null.
         */
        public @Nullable String refusal;

        Reading(String what) {
            this.what = what;
        }
    }

    /** Thrown where the text does not follow a known form; never escapes {@link #read}. */
    private static final class Decline extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Decline() {
            super(null, null, false, false);
        }
    }

    /** Thrown where a known form must be refused; never escapes {@link #read}. */
    private static final class Refuse extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refuse(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * Returns the reading of {@code tokens} (one statement, no semicolon), or null for a form it does not know. A
     * reading whose {@link Reading#refusal} is set must be refused.
     */
    public static @Nullable Reading read(List<Token> tokens) {
        Parser p = new Parser(tokens);
        try {
            return p.statement();
        } catch (Decline e) {
            return null;
        } catch (Refuse e) {
            Reading r = p.out == null ? new Reading("The schema change") : p.out;
            r.refusal = e.getMessage();
            return r;
        }
    }

    private static final class Parser {
        private final List<Token> t;
        private final boolean[] structural;
        private final boolean[] body;
        private int k;
        private @Nullable Reading out;

        Parser(List<Token> tokens) {
            this.t = tokens;
            this.structural = new boolean[tokens.size()];
            this.body = new boolean[tokens.size()];
        }

        Reading statement() {
            String verb = word();
            switch (verb) {
                case "create" -> create();
                case "alter" -> alter();
                case "drop" -> drop();
                case "comment" -> comment();
                case "refresh" -> refresh();
                case "truncate" -> truncate();
                default -> throw new Decline();
            }
            if (k != t.size()) {
                throw new Decline();
            }
            checkFreeText();
            return reading();
        }

        private Reading reading() {
            if (out == null) {
                throw new Decline();
            }
            return out;
        }

        private Reading begin(String what) {
            out = new Reading(what);
            return out;
        }

        // -----------------------------------------------------------------------------------------------------
        // CREATE

        private void create() {
            accept("or", "replace");
            boolean unique = false;
            boolean temp = false;
            boolean recursive = false;
            boolean constraint = false;
            while (true) {
                if (accept("global")
                        || accept("local")
                        || accept("temp")
                        || accept("temporary")
                        || accept("unlogged")) {
                    temp = true;
                } else if (accept("unique")) {
                    unique = true;
                } else if (accept("recursive")) {
                    recursive = true;
                } else if (accept("constraint")) {
                    constraint = true;
                } else {
                    break;
                }
            }
            String kind = word();
            if ((unique && !kind.equals("index"))
                    || (recursive && !kind.equals("view"))
                    || (constraint && !kind.equals("trigger"))
                    || (temp && !(kind.equals("table") || kind.equals("view") || kind.equals("sequence")))) {
                throw new Decline();
            }
            switch (kind) {
                case "index" -> createIndex();
                case "table" -> createTable();
                case "view" -> createView();
                case "materialized" -> {
                    expect("view");
                    createMaterializedView();
                }
                case "sequence" -> createSequence();
                case "schema" -> createSchema();
                case "type" -> createType();
                case "domain" -> createDomain();
                case "extension" -> createExtension();
                case "statistics" -> createStatistics();
                case "trigger" -> createTrigger();
                default -> throw new Decline();
            }
        }

        /**
         * {@code CREATE [UNIQUE] INDEX [CONCURRENTLY] [[IF NOT EXISTS] name] ON [ONLY] rel [USING method] (elements)
         * [INCLUDE (cols)] [NULLS [NOT] DISTINCT] [WITH (params)] [TABLESPACE ts] [WHERE predicate]}.
         */
        private void createIndex() {
            Reading r = begin("CREATE INDEX");
            r.concurrently = accept("concurrently");
            if (accept("if")) {
                expect("not", "exists");
                ident();
            } else if (!atWord("on")) {
                ident();
            }
            expect("on");
            accept("only");
            r.relations.add(qname());
            if (accept("using")) {
                ident();
            }
            group();
            while (k < t.size()) {
                if (accept("include") || accept("with")) {
                    group();
                } else if (accept("nulls")) {
                    accept("not");
                    expect("distinct");
                } else if (accept("tablespace")) {
                    ident();
                } else if (accept("where")) {
                    k = t.size(); // the predicate: free text
                } else {
                    throw new Decline();
                }
            }
        }

        /**
         * {@code CREATE [TEMP|UNLOGGED] TABLE [IF NOT EXISTS] name} followed by {@code (elements) [options]},
         * {@code PARTITION OF parent ...}, {@code OF type ...}, or {@code [(columns)] [options] AS query
         * [WITH [NO] DATA]}.
         */
        private void createTable() {
            Reading r = begin("CREATE TABLE");
            ifNotExists();
            r.relations.add(qname());
            if (accept("partition")) {
                expect("of");
                r.relations.add(qname());
                k = t.size(); // column constraints, FOR VALUES ... | DEFAULT, PARTITION BY, options: free text
                return;
            }
            if (accept("of")) {
                r.relations.add(qname());
                k = t.size();
                return;
            }
            if (at("(")) {
                int open = k;
                group();
                likeSources(open, k - 1);
            }
            while (k < t.size()) {
                if (accept("as")) {
                    query(dataClauseStart(k));
                    if (k < t.size()) {
                        expect("with");
                        accept("no");
                        expect("data");
                    }
                } else if (accept("inherits")) {
                    expectPunct("(");
                    r.relations.add(qname());
                    while (acceptPunct(",")) {
                        r.relations.add(qname());
                    }
                    expectPunct(")");
                } else if (accept("partition", "by")) {
                    word(); // RANGE, LIST or HASH
                    group();
                } else if (accept("using") || accept("tablespace")) {
                    ident();
                } else if (accept("with")) {
                    group();
                } else if (accept("without", "oids")) {
                    continue;
                } else if (accept("on", "commit")) {
                    if (!(accept("preserve", "rows") || accept("delete", "rows") || accept("drop"))) {
                        throw new Decline();
                    }
                } else {
                    throw new Decline();
                }
            }
        }

        /** {@code LIKE source [INCLUDING|EXCLUDING ...]} elements of the table definition between the parentheses. */
        private void likeSources(int open, int close) {
            int depth = 0;
            for (int j = open; j < close; j++) {
                Token x = t.get(j);
                if (x.is("(")) {
                    depth++;
                } else if (x.is(")")) {
                    depth--;
                }
                if (depth == 1
                        && (x.is("(") || x.is(","))
                        && j + 1 < close
                        && t.get(j + 1).isWord("like")) {
                    int save = k;
                    k = j + 2;
                    structural[j + 1] = true;
                    reading().relations.add(qname());
                    k = save;
                }
            }
        }

        /**
         * {@code CREATE [TEMP] [RECURSIVE] VIEW name [(columns)] [WITH (options)] AS query [WITH [CASCADED|LOCAL]
         * CHECK OPTION]}.
         */
        private void createView() {
            Reading r = begin("CREATE VIEW");
            r.relations.add(qname());
            if (at("(")) {
                group();
            }
            if (accept("with")) {
                group();
            }
            expect("as");
            int end = t.size();
            if (end - k > 3 && t.get(end - 1).isWord("option") && t.get(end - 2).isWord("check")) {
                int w = end - 3;
                if (t.get(w).isWord("cascaded") || t.get(w).isWord("local")) {
                    w--;
                }
                if (w > k && t.get(w).isWord("with")) {
                    end = w;
                }
            }
            query(end);
            if (k < t.size()) {
                expect("with");
                if (!accept("cascaded")) {
                    accept("local");
                }
                expect("check", "option");
            }
        }

        /**
         * {@code CREATE MATERIALIZED VIEW [IF NOT EXISTS] name [(columns)] [USING method] [WITH (options)]
         * [TABLESPACE ts] AS query [WITH [NO] DATA]}.
         */
        private void createMaterializedView() {
            Reading r = begin("CREATE MATERIALIZED VIEW");
            ifNotExists();
            r.relations.add(qname());
            if (at("(")) {
                group();
            }
            while (!atWord("as")) {
                if (accept("using") || accept("tablespace")) {
                    ident();
                } else if (accept("with")) {
                    group();
                } else {
                    throw new Decline();
                }
            }
            expect("as");
            query(dataClauseStart(k));
            if (k < t.size()) {
                expect("with");
                accept("no");
                expect("data");
            }
        }

        /** Returns where a trailing {@code WITH [NO] DATA} starts, or the end. */
        private int dataClauseStart(int from) {
            int end = t.size();
            if (end - from > 2 && t.get(end - 1).isWord("data")) {
                int w = t.get(end - 2).isWord("no") ? end - 3 : end - 2;
                if (w > from && t.get(w).isWord("with")) {
                    return w;
                }
            }
            return end;
        }

        /** {@code CREATE SEQUENCE [IF NOT EXISTS] name [options] [OWNED BY table.column | NONE]}. */
        private void createSequence() {
            Reading r = begin("CREATE SEQUENCE");
            ifNotExists();
            r.relations.add(qname());
            sequenceOptions();
        }

        private void sequenceOptions() {
            while (k < t.size()) {
                if (accept("owned", "by")) {
                    if (!accept("none")) {
                        ownerColumn();
                    }
                } else {
                    k++; // option words and numbers: free text
                }
            }
        }

        /** {@code table.column} or {@code schema.table.column} of OWNED BY: the table is a relation. */
        private void ownerColumn() {
            List<Token> parts = nameParts();
            if (parts.size() < 2) {
                throw new Decline();
            }
            Token table = parts.get(parts.size() - 2);
            Token schema = parts.size() >= 3 ? parts.get(parts.size() - 3) : null;
            reading().relations.add(new TableRef(schema == null ? null : schema.value(), table.value(), null, false));
        }

        /** {@code CREATE SCHEMA [IF NOT EXISTS] name}; AUTHORIZATION and schema elements are left to the caller. */
        private void createSchema() {
            Reading r = begin("CREATE SCHEMA");
            ifNotExists();
            r.schemas.add(ident());
        }

        /** {@code CREATE TYPE name [AS ENUM (...) | AS (attributes) | AS RANGE (...)]}; base types are not read. */
        private void createType() {
            Reading r = begin("CREATE TYPE");
            r.objects.add(qname());
            if (k == t.size()) {
                return;
            }
            expect("as");
            if (!accept("enum")) {
                accept("range");
            }
            group();
        }

        /** {@code CREATE DOMAIN name [AS] type [constraints]}. */
        private void createDomain() {
            Reading r = begin("CREATE DOMAIN");
            r.objects.add(qname());
            k = t.size(); // type, collation, default and CHECK constraints: free text
        }

        /** {@code CREATE EXTENSION [IF NOT EXISTS] name [WITH] [SCHEMA s] [VERSION v] [CASCADE]}. */
        private void createExtension() {
            Reading r = begin("CREATE EXTENSION");
            ifNotExists();
            r.objects.add(new TableRef(null, ident(), null, false));
            accept("with");
            while (k < t.size()) {
                if (accept("schema")) {
                    r.schemas.add(ident());
                } else if (accept("version")) {
                    Token v = next();
                    if (!(v.isIdentifier() || v.kind() == Kind.STRING || v.kind() == Kind.NUMBER)) {
                        throw new Decline();
                    }
                } else if (!accept("cascade")) {
                    throw new Decline();
                }
            }
        }

        /** {@code CREATE STATISTICS [[IF NOT EXISTS] name] [(kinds)] ON expressions FROM table}. */
        private void createStatistics() {
            Reading r = begin("CREATE STATISTICS");
            ifNotExists();
            if (!atWord("on") && !at("(")) {
                r.objects.add(qname());
            }
            if (at("(")) {
                group();
            }
            expect("on");
            while (k < t.size() && !atWord("from")) {
                k++; // columns and expressions: free text
            }
            expect("from");
            r.relations.add(qname());
        }

        /**
         * {@code CREATE [OR REPLACE] [CONSTRAINT] TRIGGER name {BEFORE|AFTER|INSTEAD OF} events ON table [FROM
         * referenced] [...] EXECUTE {FUNCTION|PROCEDURE} name(arguments)}.
         */
        private void createTrigger() {
            Reading r = begin("CREATE TRIGGER");
            ident();
            if (!(accept("before") || accept("after") || accept("instead", "of"))) {
                throw new Decline();
            }
            do {
                if (accept("update")) {
                    if (accept("of")) {
                        ident();
                        while (acceptPunct(",")) {
                            ident();
                        }
                    }
                } else if (!(accept("insert") || accept("delete") || accept("truncate"))) {
                    throw new Decline();
                }
            } while (accept("or"));
            expect("on");
            r.relations.add(qname());
            while (k < t.size() && !atWord("execute")) {
                if (accept("from")) {
                    r.relations.add(qname());
                } else if (at("(")) {
                    group(); // WHEN (condition)
                } else {
                    k++; // DEFERRABLE, REFERENCING ... TABLE AS name, FOR EACH ROW, WHEN: free text
                }
            }
            expect("execute");
            if (!accept("function")) {
                expect("procedure");
            }
            qname();
            group();
        }

        // -----------------------------------------------------------------------------------------------------
        // ALTER

        private void alter() {
            String kind = word();
            switch (kind) {
                case "table", "index", "view", "sequence" -> alterRelation("ALTER " + kind.toUpperCase(Locale.ROOT));
                case "materialized" -> {
                    expect("view");
                    alterRelation("ALTER MATERIALIZED VIEW");
                }
                case "type", "domain" -> {
                    Reading r = begin("ALTER " + kind.toUpperCase(Locale.ROOT));
                    TableRef name = qname();
                    r.objects.add(name);
                    renameOrMove(name, false);
                }
                case "schema" -> {
                    Reading r = begin("ALTER SCHEMA");
                    r.schemas.add(ident());
                    expect("rename", "to");
                    r.schemas.add(ident());
                }
                case "extension" -> {
                    Reading r = begin("ALTER EXTENSION");
                    r.objects.add(new TableRef(null, ident(), null, false));
                    if (accept("update")) {
                        if (accept("to")) {
                            next();
                        }
                    } else {
                        expect("set", "schema");
                        r.schemas.add(ident());
                    }
                }
                default -> throw new Decline();
            }
        }

        /**
         * {@code ALTER {TABLE|INDEX|VIEW|MATERIALIZED VIEW|SEQUENCE} [IF EXISTS] [ONLY] name [*] actions}. The actions
         * are free text, except the phrases that name another relation or move this one.
         */
        private void alterRelation(String what) {
            Reading r = begin(what);
            if (atWord("all")) {
                throw new Refuse(what + " ALL IN TABLESPACE changes every table of a tablespace, which cannot be"
                        + " checked table by table; name the tables one at a time.");
            }
            ifExists();
            accept("only");
            TableRef name = qname();
            acceptPunct("*");
            r.relations.add(name);
            if (k == t.size()) {
                throw new Decline();
            }
            renameOrMove(name, true);
        }

        /** Reads the rest of an ALTER: relations named by the phrases that name one, the rest free text. */
        private void renameOrMove(TableRef name, boolean relation) {
            Reading r = reading();
            int depth = 0;
            while (k < t.size()) {
                Token x = t.get(k);
                if (x.is("(")) {
                    depth++;
                } else if (x.is(")")) {
                    depth--;
                }
                if (depth == 0 && accept("rename", "to")) {
                    String renamed = ident();
                    (relation ? r.relations : r.objects).add(new TableRef(name.schema(), renamed, null, false));
                    if (relation) {
                        r.moved.add(name);
                    }
                } else if (depth == 0 && accept("set", "schema")) {
                    String schema = ident();
                    r.schemas.add(schema);
                    (relation ? r.relations : r.objects).add(new TableRef(schema, name.name(), null, false));
                    if (relation) {
                        r.moved.add(name);
                    }
                } else if (relation
                        && depth == 0
                        && (accept("attach", "partition") || accept("detach", "partition") || accept("inherit"))) {
                    r.relations.add(qname());
                } else if (relation && depth == 0 && accept("owned", "by")) {
                    if (!accept("none")) {
                        ownerColumn();
                    }
                } else {
                    k++;
                }
            }
        }

        // -----------------------------------------------------------------------------------------------------
        // DROP, COMMENT, REFRESH, TRUNCATE

        private void drop() {
            String kind = word();
            switch (kind) {
                case "table", "view", "index", "sequence" -> {
                    Reading r = begin("DROP " + kind.toUpperCase(Locale.ROOT));
                    r.concurrently = kind.equals("index") && accept("concurrently");
                    nameList(r.relations);
                }
                case "materialized", "foreign" -> {
                    expect(kind.equals("materialized") ? "view" : "table");
                    nameList(begin(kind.equals("materialized") ? "DROP MATERIALIZED VIEW" : "DROP FOREIGN TABLE")
                            .relations);
                }
                case "type", "domain", "extension", "statistics" ->
                    nameList(begin("DROP " + kind.toUpperCase(Locale.ROOT)).objects);
                case "schema" -> {
                    Reading r = begin("DROP SCHEMA");
                    ifExists();
                    r.schemas.add(ident());
                    while (acceptPunct(",")) {
                        r.schemas.add(ident());
                    }
                }
                case "trigger", "rule" -> {
                    Reading r = begin("DROP " + kind.toUpperCase(Locale.ROOT));
                    ifExists();
                    ident();
                    expect("on");
                    r.relations.add(qname());
                }
                default -> throw new Decline();
            }
            if (!accept("cascade")) {
                accept("restrict");
            }
        }

        private void nameList(List<TableRef> into) {
            ifExists();
            into.add(qname());
            while (acceptPunct(",")) {
                into.add(qname());
            }
        }

        /** {@code COMMENT ON kind name IS 'text' | NULL}. */
        private void comment() {
            expect("on");
            Reading r = begin("COMMENT");
            String kind = word();
            switch (kind) {
                case "table", "view", "index", "sequence" -> r.relations.add(qname());
                case "materialized" -> {
                    expect("view");
                    r.relations.add(qname());
                }
                case "foreign" -> {
                    expect("table");
                    r.relations.add(qname());
                }
                case "column" -> ownerColumn();
                case "constraint", "trigger", "policy", "rule" -> {
                    ident();
                    expect("on");
                    if (kind.equals("constraint") && accept("domain")) {
                        r.objects.add(qname());
                    } else {
                        r.relations.add(qname());
                    }
                }
                case "schema" -> r.schemas.add(ident());
                case "extension" -> r.objects.add(new TableRef(null, ident(), null, false));
                case "type", "domain" -> r.objects.add(qname());
                case "function", "procedure", "aggregate" -> {
                    r.objects.add(qname());
                    if (at("(")) {
                        group();
                    }
                }
                default -> throw new Decline();
            }
            expect("is");
            Token text = next();
            if (!(text.kind() == Kind.STRING || text.isWord("null"))) {
                throw new Decline();
            }
        }

        /** {@code REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA]}. */
        private void refresh() {
            expect("materialized", "view");
            Reading r = begin("REFRESH MATERIALIZED VIEW");
            accept("concurrently");
            r.relations.add(qname());
            if (accept("with")) {
                accept("no");
                expect("data");
            }
        }

        /** {@code TRUNCATE [TABLE] [ONLY] name [*] [, ...] [RESTART|CONTINUE IDENTITY] [CASCADE|RESTRICT]}. */
        private void truncate() {
            Reading r = begin("TRUNCATE");
            accept("table");
            do {
                accept("only");
                r.relations.add(qname());
                acceptPunct("*");
            } while (acceptPunct(","));
            if (!accept("restart", "identity")) {
                accept("continue", "identity");
            }
            if (!accept("cascade")) {
                accept("restrict");
            }
        }

        // -----------------------------------------------------------------------------------------------------
        // Queries and free text

        /** Takes tokens from here to {@code end} as a query to be checked as a read. */
        private void query(int end) {
            if (end <= k) {
                throw new Decline();
            }
            Token first = t.get(k);
            if (!(first.is("(")
                    || first.isWord("select")
                    || first.isWord("with")
                    || first.isWord("values")
                    || first.isWord("table"))) {
                throw new Decline(); // CREATE TABLE ... AS EXECUTE, or something else
            }
            for (int j = k; j < end; j++) {
                body[j] = true;
            }
            reading().queries.add(List.copyOf(t.subList(k, end)));
            k = end;
        }

        /**
         * Checks the free text (every token that is neither part of the form's grammar nor of a query): no SELECT, no
         * parenthesised query, no INSERT/UPDATE/DELETE/MERGE except as {@code ON DELETE}/{@code ON UPDATE} of a
         * foreign key, VALUES only as {@code FOR VALUES} of a partition bound. REFERENCES names a relation.
         */
        private void checkFreeText() {
            for (int j = 0; j < t.size(); j++) {
                if (structural[j] || body[j]) {
                    continue;
                }
                Token x = t.get(j);
                Token prev = j == 0 ? null : t.get(j - 1);
                Token next = j + 1 < t.size() ? t.get(j + 1) : null;
                if (x.isWord("select")
                        || (x.isWord("values") && next != null && next.is("("))
                        || (x.is("(") && next != null && (next.isWord("with") || next.isWord("table")))) {
                    throw new Refuse(reading().what + " holds a query where only definitions and expressions"
                            + " belong (PostgreSQL refuses subqueries there); it is refused.");
                }
                if (x.kind() == Kind.WORD && DML.contains(x.value()) && startsDml(j)) {
                    throw new Refuse(reading().what + " holds " + x.value().toUpperCase(Locale.ROOT)
                            + " where only definitions belong; send data changes on their own.");
                }
                if (x.isWord("references")) {
                    int save = k;
                    k = j + 1;
                    reading().relations.add(qname());
                    k = save;
                }
            }
        }

        /**
         * Whether the INSERT, UPDATE, DELETE or MERGE at {@code j} starts a statement ({@code INSERT INTO},
         * {@code DELETE FROM}, {@code MERGE INTO}, {@code UPDATE name [AS alias] SET}) rather than being a column
         * name or a key word such as {@code ON DELETE}.
         */
        private boolean startsDml(int j) {
            Token next = j + 1 < t.size() ? t.get(j + 1) : null;
            if (next == null || (j > 0 && t.get(j - 1).isWord("on"))) {
                return false; // ON UPDATE SET NULL, ON DELETE CASCADE: a foreign key's action
            }
            if (!t.get(j).isWord("update")) {
                return next.isWord("into") || next.isWord("from");
            }
            for (int n = j + 1; n < t.size() && n <= j + 8; n++) {
                if (t.get(n).isWord("set")) {
                    return true;
                }
                if (!(t.get(n).isIdentifier() || t.get(n).is(".") || t.get(n).is("*"))) {
                    return false;
                }
            }
            return false;
        }

        // -----------------------------------------------------------------------------------------------------
        // Tokens

        private boolean atWord(String w) {
            return k < t.size() && t.get(k).isWord(w);
        }

        private boolean at(String p) {
            return k < t.size() && t.get(k).is(p);
        }

        /** Consumes the words {@code ws} if they come next, all of them. */
        private boolean accept(String... ws) {
            if (k + ws.length > t.size()) {
                return false;
            }
            for (int j = 0; j < ws.length; j++) {
                if (!t.get(k + j).isWord(ws[j])) {
                    return false;
                }
            }
            for (int j = 0; j < ws.length; j++) {
                structural[k + j] = true;
            }
            k += ws.length;
            return true;
        }

        private void expect(String... ws) {
            if (!accept(ws)) {
                throw new Decline();
            }
        }

        private boolean acceptPunct(String p) {
            if (at(p)) {
                structural[k++] = true;
                return true;
            }
            return false;
        }

        private void expectPunct(String p) {
            if (!acceptPunct(p)) {
                throw new Decline();
            }
        }

        private Token next() {
            if (k >= t.size()) {
                throw new Decline();
            }
            structural[k] = true;
            return t.get(k++);
        }

        /** Consumes an unquoted word (a key word), folded. */
        private String word() {
            Token x = next();
            if (x.kind() != Kind.WORD) {
                throw new Decline();
            }
            return x.value();
        }

        private void ifNotExists() {
            if (accept("if")) {
                expect("not", "exists");
            }
        }

        private void ifExists() {
            if (accept("if")) {
                expect("exists");
            }
        }

        /** Consumes one identifier that is not a reserved word. */
        private String ident() {
            Token x = next();
            if (!name(x)) {
                throw new Decline();
            }
            return x.value();
        }

        private static boolean name(Token x) {
            return x.kind() == Kind.QUOTED_IDENT || (x.kind() == Kind.WORD && !RESERVED.contains(x.value()));
        }

        /** Consumes {@code a}, {@code a.b} or {@code a.b.c} and returns the parts. */
        private List<Token> nameParts() {
            List<Token> parts = new ArrayList<>();
            Token first = next();
            if (!name(first)) {
                throw new Decline();
            }
            parts.add(first);
            while (at(".") && parts.size() < 4) {
                structural[k++] = true;
                Token p = next();
                if (!p.isIdentifier()) {
                    throw new Decline();
                }
                parts.add(p);
            }
            return parts;
        }

        /** Consumes a relation or object name, {@code [[database.]schema.]name}. */
        private TableRef qname() {
            List<Token> parts = nameParts();
            if (parts.size() > 3) {
                throw new Decline();
            }
            String name = parts.get(parts.size() - 1).value();
            String schema = parts.size() >= 2 ? parts.get(parts.size() - 2).value() : null;
            return new TableRef(schema, name, null, false);
        }

        /** Consumes a parenthesised group; what is inside is free text. */
        private void group() {
            if (!at("(")) {
                throw new Decline();
            }
            structural[k] = true;
            int depth = 0;
            for (int j = k; j < t.size(); j++) {
                if (t.get(j).is("(")) {
                    depth++;
                } else if (t.get(j).is(")")) {
                    depth--;
                    if (depth == 0) {
                        structural[j] = true;
                        k = j + 1;
                        return;
                    }
                }
            }
            throw new Decline();
        }
    }
}
