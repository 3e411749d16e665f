package dev.pgagent.safety.internal;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NextValExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.merge.MergeDelete;
import net.sf.jsqlparser.statement.merge.MergeOperation;
import net.sf.jsqlparser.statement.merge.MergeUpdate;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.FunctionAllColumns;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.TableStatement;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.update.Update;
import org.jspecify.annotations.Nullable;

/**
 * Walks every object of a JSqlParser tree by reflection, so that no part of the tree is skipped because a
 * hand-written visitor forgot a node type, and collects the facts the policy needs: the tables referenced (CTE
 * names resolved by scope), write targets, data-modifying statements at any depth, SELECT INTO, locking clauses,
 * column, star and whole-row references. One walker per validation; not thread-safe, not reused.
 */
public final class AstWalker {
    private static final String AST_PACKAGE = "net.sf.jsqlparser.";
    private static final String PARSER_PACKAGE = "net.sf.jsqlparser.parser.";

    private static final ClassValue<Field[]> FIELDS = new ClassValue<>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            List<Field> fields = new ArrayList<>();
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic() || !walkable(f.getType())) {
                        continue;
                    }
                    f.setAccessible(true);
                    fields.add(f);
                }
            }
            return fields.toArray(new Field[0]);
        }
    };

    /** A reference to a real table (not a CTE). */
    public record TableRef(
            @Nullable String schema, String name, @Nullable String alias, boolean aliasColumns) {
        /** Returns the name as reported: schema-qualified when written so. */
        public String display() {
            return schema == null ? name : schema + "." + name;
        }
    }

    /** A column reference: the qualifier's last part (table or alias), or null, and the column name. */
    public record ColumnRef(@Nullable String qualifier, String name) {}

    /** What the walk found. */
    public static final class Facts {
        /** Real tables referenced anywhere. */
        public final List<TableRef> tables = new ArrayList<>();
        /** Tables written by INSERT, UPDATE, DELETE or MERGE anywhere. */
        public final List<TableRef> writeTargets = new ArrayList<>();
        /** Targets of SELECT INTO. */
        public final List<String> intoTargets = new ArrayList<>();
        /** Number of INSERT, UPDATE, DELETE or MERGE nodes anywhere. */
        public int dataModifying;
        /** Whether a row-locking clause (FOR UPDATE/SHARE/...) appears. */
        public boolean locking;
        /** Whether an UPDATE or DELETE has no WHERE clause, or a trivially true one. */
        public boolean unfilteredWrite;
        /** Whether a NEXT VALUE FOR expression appears. */
        public boolean nextValue;
        /** Column references. */
        public final List<ColumnRef> columns = new ArrayList<>();
        /** For each {@code *}, the real tables it expands over. */
        public final List<List<TableRef>> stars = new ArrayList<>();
        /** Qualifiers of {@code t.*}. */
        public final List<String> tableStars = new ArrayList<>();
        /** Whether a NATURAL join appears: it compares every pair of same-named columns, none of them written. */
        public boolean naturalJoin;
    }

    private record Scope(Set<String> ctes, List<TableRef> starTables) {
        Scope withCtes(Collection<String> names) {
            if (names.isEmpty()) {
                return this;
            }
            Set<String> all = new HashSet<>(ctes);
            all.addAll(names);
            return new Scope(all, starTables);
        }

        Scope withStar(List<TableRef> tables) {
            return new Scope(ctes, tables);
        }
    }

    private final Facts facts = new Facts();
    private final IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();

    private AstWalker() {}

    /** Walks {@code root} and returns the facts. */
    public static Facts walk(Object root) {
        AstWalker w = new AstWalker();
        w.visit(root, new Scope(Set.of(), List.of()));
        return w.facts;
    }

    private static boolean walkable(Class<?> type) {
        if (type.isPrimitive()
                || type.isEnum()
                || type == String.class
                || Number.class.isAssignableFrom(type)
                || type == Boolean.class
                || type == Character.class) {
            return false;
        }
        return !type.getName().startsWith(PARSER_PACKAGE);
    }

    private void visit(@Nullable Object node, Scope scope) {
        if (node == null) {
            return;
        }
        if (node instanceof Collection<?> c) {
            for (Object o : c) {
                visit(o, scope);
            }
            return;
        }
        if (node instanceof Map<?, ?> m) {
            for (Object o : m.values()) {
                visit(o, scope);
            }
            return;
        }
        if (node.getClass().isArray()) {
            if (!node.getClass().getComponentType().isPrimitive()) {
                for (int k = 0; k < Array.getLength(node); k++) {
                    visit(Array.get(node, k), scope);
                }
            }
            return;
        }
        String cn = node.getClass().getName();
        if (!cn.startsWith(AST_PACKAGE)
                || cn.startsWith(PARSER_PACKAGE)
                || node.getClass().isEnum()) {
            return;
        }
        if (seen.put(node, Boolean.TRUE) != null) {
            return;
        }
        dispatch(node, scope);
    }

    private void dispatch(Object node, Scope scope) {
        if (node instanceof Column c) {
            facts.columns.add(new ColumnRef(qualifier(c.getTable()), Names.normalize(c.getColumnName())));
            visit(c.getArrayConstructor(), scope);
        } else if (node instanceof AllTableColumns atc) {
            facts.tableStars.add(String.valueOf(qualifier(atc.getTable())));
        } else if (node instanceof FunctionAllColumns fac) {
            visit(fac.getFunction(), scope);
        } else if (node instanceof AllColumns) {
            facts.stars.add(scope.starTables());
        } else if (node instanceof Function f) {
            visitFunction(f, scope);
        } else if (node instanceof AnalyticExpression a) {
            // count(*) OVER (...) and count(*) FILTER (...) are not reads of every column either
            Expression arg = a.getExpression();
            boolean countStar = arg instanceof AllColumns
                    && !(arg instanceof FunctionAllColumns)
                    && !(arg instanceof AllTableColumns);
            fields(a, scope, countStar ? Set.of("expression") : Set.of());
        } else if (node instanceof Table t) {
            table(t, scope);
            fields(node, scope, Set.of());
        } else if (node instanceof Join j) {
            facts.naturalJoin |= j.isNatural();
            fields(node, scope, Set.of());
        } else if (node instanceof NextValExpression) {
            facts.nextValue = true;
        } else if (node instanceof Select s) {
            select(s, scope);
        } else if ((node instanceof Insert || node instanceof Update || node instanceof Delete || node instanceof Merge)
                && !node.getClass().getSimpleName().startsWith("Parenthesed")) {
            dml(node, scope);
        } else {
            fields(node, scope, Set.of());
        }
    }

    private void visitFunction(Function f, Scope scope) {
        ExpressionList<?> params = f.getParameters();
        if (params != null) {
            for (Object p : params) {
                // count(*) is not a read of every column
                if (!(p instanceof AllColumns) || p instanceof FunctionAllColumns || p instanceof AllTableColumns) {
                    visit(p, scope);
                }
            }
        }
        fields(f, scope, Set.of("parameters"));
    }

    private @Nullable TableRef table(Table t, Scope scope) {
        String name = Names.normalize(t.getName());
        String schema = t.getSchemaName() == null ? null : Names.normalize(t.getSchemaName());
        if (schema == null && scope.ctes().contains(name)) {
            return null;
        }
        String alias =
                t.getAlias() == null ? null : Names.normalize(t.getAlias().getName());
        boolean aliasColumns = t.getAlias() != null
                && t.getAlias().getAliasColumns() != null
                && !t.getAlias().getAliasColumns().isEmpty();
        TableRef ref = new TableRef(schema, name, alias, aliasColumns);
        facts.tables.add(ref);
        return ref;
    }

    private static @Nullable String qualifier(@Nullable Table t) {
        if (t == null || t.getName() == null) {
            return null;
        }
        return Names.normalize(t.getName());
    }

    private void select(Select s, Scope outer) {
        Scope scope = withItems(s.getWithItemsList(), outer);
        if (s.getForMode() != null || s.getForUpdateTable() != null) {
            facts.locking = true;
        }
        if (s instanceof PlainSelect ps) {
            if (ps.getIntoTables() != null) {
                for (Table t : ps.getIntoTables()) {
                    facts.intoTargets.add(Names.normalize(t.getFullyQualifiedName()));
                }
            }
            if (ps.getIntoTempTable() != null) {
                facts.intoTargets.add(Names.normalize(ps.getIntoTempTable().getFullyQualifiedName()));
            }
            List<TableRef> star = new ArrayList<>();
            directTables(ps.getFromItem(), ps.getJoins(), scope, star);
            scope = scope.withStar(star);
            fields(ps, scope, Set.of("withItemsList", "intoTables", "intoTempTable", "forUpdateTable"));
        } else if (s instanceof TableStatement ts) {
            TableRef ref = table(ts.getTable(), scope);
            seen.put(ts.getTable(), Boolean.TRUE);
            if (ref != null) {
                facts.stars.add(List.of(ref));
            }
            fields(ts, scope, Set.of("withItemsList", "table", "forUpdateTable"));
        } else {
            fields(s, scope, Set.of("withItemsList", "forUpdateTable"));
        }
    }

    /** Records the tables of a FROM list (not inside subqueries) into {@code out}, for {@code *}. */
    private void directTables(@Nullable FromItem from, @Nullable List<Join> joins, Scope scope, List<TableRef> out) {
        if (from instanceof Table t) {
            TableRef ref = table(t, scope);
            seen.put(t, Boolean.TRUE);
            fields(t, scope, Set.of());
            if (ref != null) {
                out.add(ref);
            }
        } else if (from instanceof ParenthesedFromItem pfi) {
            directTables(pfi.getFromItem(), pfi.getJoins(), scope, out);
        }
        if (joins != null) {
            for (Join j : joins) {
                directTables(j.getFromItem(), null, scope, out);
            }
        }
    }

    private Scope withItems(@Nullable List<WithItem<?>> items, Scope outer) {
        if (items == null || items.isEmpty()) {
            return outer;
        }
        boolean recursive = items.stream().anyMatch(WithItem::isRecursive);
        List<String> names = new ArrayList<>();
        for (WithItem<?> w : items) {
            names.add(w.getAlias() == null ? "" : Names.normalize(w.getAlias().getName()));
        }
        for (int k = 0; k < items.size(); k++) {
            WithItem<?> w = items.get(k);
            seen.put(w, Boolean.TRUE);
            Scope body = outer.withCtes(recursive ? names : names.subList(0, k));
            visit(w.getParenthesedStatement(), body);
            fields(w, body, Set.of("withItemList", "alias", "statement"));
        }
        return outer.withCtes(names);
    }

    private void dml(Object node, Scope outer) {
        facts.dataModifying++;
        List<TableRef> targets = new ArrayList<>();
        Scope scope;
        Set<String> skip = new HashSet<>(Set.of("withItemsList", "table"));
        if (node instanceof Insert ins) {
            scope = withItems(ins.getWithItemsList(), outer);
            target(ins.getTable(), scope, targets);
            if (ins.getColumns() == null || ins.getColumns().isEmpty()) {
                facts.stars.add(List.copyOf(targets));
            }
        } else if (node instanceof Update upd) {
            scope = withItems(upd.getWithItemsList(), outer);
            target(upd.getTable(), scope, targets);
            checkWhere(upd.getWhere(), upd.getTable());
        } else if (node instanceof Delete del) {
            scope = withItems(del.getWithItemsList(), outer);
            target(del.getTable(), scope, targets);
            if (del.getTables() != null) {
                for (Table t : del.getTables()) {
                    target(t, scope, targets);
                }
                skip.add("tables");
            }
            checkWhere(del.getWhere(), del.getTable());
        } else {
            Merge m = (Merge) node;
            scope = withItems(m.getWithItemsList(), outer);
            target(m.getTable(), scope, targets);
            checkMerge(m);
        }
        List<TableRef> star = new ArrayList<>(targets);
        fields(node, scope.withStar(star), skip);
    }

    private void target(@Nullable Table t, Scope scope, List<TableRef> targets) {
        if (t == null) {
            return;
        }
        seen.put(t, Boolean.TRUE);
        TableRef ref = table(t, scope);
        if (ref == null) {
            // a CTE name as a write target: PostgreSQL rejects it, but record it as written
            ref = new TableRef(null, Names.normalize(t.getName()), null, false);
            facts.tables.add(ref);
        }
        facts.writeTargets.add(ref);
        targets.add(ref);
        fields(t, scope, Set.of());
    }

    private void checkWhere(@Nullable Expression where, @Nullable Table target) {
        if (where == null || triviallyTrue(where) || (target != null && !refersTo(where, target))) {
            facts.unfilteredWrite = true;
        }
    }

    /**
     * A MERGE that updates or deletes matched rows while neither its ON condition nor a WHEN MATCHED AND condition
     * names a column of the target matches every target row against every source row.
     */
    private void checkMerge(Merge m) {
        if (m.getTable() == null || m.getOperations() == null) {
            return;
        }
        boolean changesMatched = false;
        boolean filtered = m.getOnCondition() != null && refersTo(m.getOnCondition(), m.getTable());
        for (MergeOperation op : m.getOperations()) {
            Expression and = null;
            if (op instanceof MergeUpdate u) {
                changesMatched = true;
                and = u.getAndPredicate();
            } else if (op instanceof MergeDelete d) {
                changesMatched = true;
                and = d.getAndPredicate();
            }
            if (and != null && refersTo(and, m.getTable())) {
                filtered = true;
            }
        }
        if (changesMatched && !filtered) {
            facts.unfilteredWrite = true;
        }
    }

    /**
     * Returns whether {@code condition} can depend on the row of {@code target}: it names a column unqualified (which
     * may be the target's) or qualified with the target's name or alias, anywhere, subqueries included. A condition
     * made of constants, functions and uncorrelated subqueries only is true for every row or for none.
     */
    static boolean refersTo(Object condition, Table target) {
        String name = target.getName() == null ? "" : Names.normalize(target.getName());
        String alias = target.getAlias() == null
                ? null
                : Names.normalize(target.getAlias().getName());
        return refersTo(condition, name, alias, new IdentityHashMap<>());
    }

    private static boolean refersTo(
            @Nullable Object node, String name, @Nullable String alias, IdentityHashMap<Object, Boolean> seen) {
        if (node == null) {
            return false;
        }
        if (node instanceof Collection<?> c) {
            for (Object o : c) {
                if (refersTo(o, name, alias, seen)) {
                    return true;
                }
            }
            return false;
        }
        if (node.getClass().isArray()) {
            if (!node.getClass().getComponentType().isPrimitive()) {
                for (int k = 0; k < Array.getLength(node); k++) {
                    if (refersTo(Array.get(node, k), name, alias, seen)) {
                        return true;
                    }
                }
            }
            return false;
        }
        String cn = node.getClass().getName();
        if (!cn.startsWith(AST_PACKAGE)
                || cn.startsWith(PARSER_PACKAGE)
                || node.getClass().isEnum()
                || seen.put(node, Boolean.TRUE) != null) {
            return false;
        }
        if (node instanceof Column c) {
            String q = qualifier(c.getTable());
            if (q == null) {
                String n = Names.normalize(c.getColumnName()).toLowerCase(java.util.Locale.ROOT);
                return !(n.equals("true") || n.equals("false"));
            }
            return q.equals(name) || q.equals(alias);
        }
        if (node instanceof AllTableColumns || node instanceof Table) {
            return false;
        }
        for (Field f : FIELDS.get(node.getClass())) {
            Object value;
            try {
                value = f.get(node);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot read " + f, e);
            }
            if (refersTo(value, name, alias, seen)) {
                return true;
            }
        }
        return false;
    }

    /** Recognises conditions true for every row: {@code true}, {@code 1 = 1}, {@code 'a' = 'a'}, ORs of them. */
    static boolean triviallyTrue(Expression e) {
        Expression x = e;
        if (x instanceof ExpressionList<?> list && list.size() == 1) {
            return triviallyTrue(list.get(0));
        }
        if (x instanceof BooleanValue b) {
            return b.getValue();
        }
        if (x instanceof Column c && c.getTable() == null) {
            String n = c.getColumnName().toLowerCase(java.util.Locale.ROOT);
            return n.equals("true") || n.equals("'t'");
        }
        if (x instanceof OrExpression or) {
            return triviallyTrue(or.getLeftExpression()) || triviallyTrue(or.getRightExpression());
        }
        if (x instanceof EqualsTo eq) {
            Expression l = eq.getLeftExpression();
            Expression r = eq.getRightExpression();
            boolean constants = (l instanceof LongValue || l instanceof StringValue || l instanceof BooleanValue)
                    && (r instanceof LongValue || r instanceof StringValue || r instanceof BooleanValue);
            if (constants && l.toString().equals(r.toString())) {
                return true;
            }
            return l instanceof Column && r instanceof Column && l.toString().equals(r.toString());
        }
        return false;
    }

    private void fields(Object node, Scope scope, Set<String> skip) {
        for (Field f : FIELDS.get(node.getClass())) {
            if (skip.contains(f.getName())) {
                continue;
            }
            Object value;
            try {
                value = f.get(node);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot read " + f, e);
            }
            visit(value, scope);
        }
    }
}
