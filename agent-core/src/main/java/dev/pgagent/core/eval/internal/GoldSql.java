package dev.pgagent.core.eval.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.util.TablesNamesFinder;
import org.jspecify.annotations.Nullable;

/**
 * What the harness needs to know of a gold SQL statement, read with JSqlParser: whether it orders its rows at the
 * top level, which tables it reads, and the statement with its unqualified tables put in a schema.
 */
public final class GoldSql {
    private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_$]*");

    private final Statement statement;
    private final List<Table> tables;
    private final Set<String> cteNames;

    private GoldSql(Statement statement, List<Table> tables, Set<String> cteNames) {
        this.statement = statement;
        this.tables = tables;
        this.cteNames = cteNames;
    }

    /** Parses {@code sql}; empty when JSqlParser cannot read it. */
    public static java.util.Optional<GoldSql> parse(String sql) {
        Statement statement;
        try {
            // on the calling thread, without CCJSqlParserUtil.parse's time limit: gold SQL is the user's own input,
            // and a limit would turn a slow machine's parse into a spurious gold error
            statement = CCJSqlParserUtil.newParser(sql)
                    .withAllowComplexParsing(true)
                    .Statement();
        } catch (net.sf.jsqlparser.parser.ParseException | RuntimeException | Error e) {
            return java.util.Optional.empty();
        }
        List<Table> tables = new ArrayList<>();
        Set<String> cteNames = new HashSet<>();
        TablesNamesFinder<Void> finder = new TablesNamesFinder<>() {
            @Override
            public <S> Void visit(Table table, S context) {
                tables.add(table);
                return super.visit(table, context);
            }

            @Override
            public <S> Void visit(WithItem<?> withItem, S context) {
                if (withItem.getAlias() != null) {
                    cteNames.add(unquote(withItem.getAlias().getName()));
                }
                return super.visit(withItem, context);
            }
        };
        try {
            finder.getTables(statement);
        } catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new GoldSql(statement, tables, cteNames));
    }

    /** Returns whether {@code sql} orders its rows at the top level; false when it cannot be parsed. */
    public static boolean ordersRows(String sql) {
        return parse(sql).map(GoldSql::ordersRows).orElse(false);
    }

    /** Returns whether the statement orders its rows at the top level ({@code ORDER BY} of the outermost query). */
    public boolean ordersRows() {
        Statement s = statement;
        while (s instanceof Select select) {
            if (select.getOrderByElements() != null
                    && !select.getOrderByElements().isEmpty()) {
                return true;
            }
            if (s instanceof ParenthesedSelect p && p.getSelect() != null) {
                s = p.getSelect();
            } else {
                return false;
            }
        }
        return false;
    }

    /**
     * Returns the tables read, lower case without quotes, qualified with {@code schema} when written without one
     * (unqualified when {@code schema} is empty); common table expressions are not tables.
     */
    public Set<String> tables(String schema) {
        Set<String> out = new LinkedHashSet<>();
        for (Table t : tables) {
            String name = unquote(t.getName());
            if (t.getSchemaName() == null && cteNames.contains(name)) {
                continue;
            }
            String own = t.getSchemaName() == null ? schema.toLowerCase(Locale.ROOT) : unquote(t.getSchemaName());
            out.add(own.isEmpty() ? name : own + "." + name);
        }
        return out;
    }

    /**
     * Returns the statement with every table written without a schema put in {@code schema}, which is read as an
     * unquoted identifier is (folded to lower case, as {@code SET search_path = Name} would take it). Call once.
     */
    public String qualified(String schema) {
        String folded = schema.toLowerCase(Locale.ROOT);
        String quoted = PLAIN_IDENTIFIER.matcher(folded).matches() ? folded : '"' + folded.replace("\"", "\"\"") + '"';
        for (Table t : tables) {
            if (t.getSchemaName() == null && !cteNames.contains(unquote(t.getName()))) {
                t.setSchemaName(quoted);
            }
        }
        return statement.toString();
    }

    private static String unquote(@Nullable String name) {
        if (name == null) {
            return "";
        }
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
            return name.substring(1, name.length() - 1).replace("\"\"", "\"");
        }
        if (name.length() >= 2 && name.startsWith("`") && name.endsWith("`")) {
            return name.substring(1, name.length() - 1).toLowerCase(Locale.ROOT);
        }
        return name.toLowerCase(Locale.ROOT);
    }
}
