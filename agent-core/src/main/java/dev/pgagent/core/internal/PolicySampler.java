package dev.pgagent.core.internal;

import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.schema.ColumnRef;
import dev.pgagent.api.schema.ValueSampler;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The value sampler the agent's schema summary uses: it asks the sampler it wraps only about columns the policy lets
 * the model read (not denied, inside the allowed schemas and tables), and keeps a column's values only when the PII
 * redactor leaves all of them as they are, so a sampled value never tells the model more than a query result would.
 * Thread-safe when the wrapped sampler is.
 */
final class PolicySampler implements ValueSampler {
    private final ValueSampler delegate;
    private final SafetyPolicy policy;
    private final ResultRedactor redactor;
    private final boolean filterByPolicy;

    /**
     * @param filterByPolicy whether to ask only about columns the policy lets the model read; off when the delegate
     *     runs through the guarded path, which refuses (and audits) the rest itself
     */
    PolicySampler(ValueSampler delegate, SafetyPolicy policy, ResultRedactor redactor, boolean filterByPolicy) {
        this.filterByPolicy = filterByPolicy;
        this.delegate = Objects.requireNonNull(delegate, "delegate == null");
        this.policy = Objects.requireNonNull(policy, "policy == null");
        this.redactor = Objects.requireNonNull(redactor, "redactor == null");
    }

    @Override
    public Map<ColumnRef, List<String>> sample(List<ColumnRef> columns) {
        List<ColumnRef> readable = new ArrayList<>();
        for (ColumnRef c : columns) {
            if (!filterByPolicy || readable(c)) {
                readable.add(c);
            }
        }
        if (readable.isEmpty()) {
            return Map.of();
        }
        Map<ColumnRef, List<String>> out = new LinkedHashMap<>();
        for (Map.Entry<ColumnRef, List<String>> e : delegate.sample(readable).entrySet()) {
            if (readable.contains(e.getKey()) && unchangedByRedaction(e.getKey(), e.getValue())) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    private boolean readable(ColumnRef c) {
        String schema = c.schema().toLowerCase(Locale.ROOT);
        String table = c.table().toLowerCase(Locale.ROOT);
        String column = c.column().toLowerCase(Locale.ROOT);
        if (named(policy.deniedTables(), schema, table)) {
            return false;
        }
        if (policy.deniedColumns().contains(table + "." + column)
                || policy.deniedColumns().contains(schema + "." + table + "." + column)) {
            return false;
        }
        if (!policy.allowedSchemas().isEmpty() && !policy.allowedSchemas().contains(schema)) {
            return false;
        }
        return policy.allowedTables().isEmpty() || named(policy.allowedTables(), schema, table);
    }

    private static boolean named(Set<String> names, String schema, String table) {
        return names.contains(table) || names.contains(schema + "." + table);
    }

    private boolean unchangedByRedaction(ColumnRef c, List<String> values) {
        QueryResult.Builder b =
                QueryResult.builder().columns(List.of(new ResultColumn(c.column(), "text", Types.VARCHAR)));
        for (String v : values) {
            b.addRow(List.of(v));
        }
        QueryResult original = b.build();
        QueryResult seen = redactor.redact(original);
        return seen.columns().equals(original.columns()) && seen.rows().equals(original.rows());
    }

    @Override
    public String toString() {
        return "PolicySampler[" + delegate + "]";
    }
}
