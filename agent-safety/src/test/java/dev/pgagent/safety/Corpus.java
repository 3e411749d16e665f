package dev.pgagent.safety;

import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.Decision;
import dev.pgagent.api.safety.GuardedOperation;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.UnparseableSqlMode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The labelled SQL corpus under {@code src/test/resources/corpus/*.tsv}: one case a line, tab-separated
 * {@code profile, expected, category, sql}. {@code profile} is a policy level, {@code ALL} (the same expectation at
 * each of the three levels) or a named host-rule profile (see {@link #PROFILES}). {@code expected} is
 * {@code DECISION[:CONFIRMATION][/KIND]}. In the SQL, {@code ⏎} stands for a newline and {@code ⇥} for a tab.
 * Lines starting with {@code #} and blank lines are ignored.
 */
final class Corpus {
    static final String[] FILES = {
        "reads.tsv",
        "traps.tsv",
        "functions.tsv",
        "levels.tsv",
        "host-rules.tsv",
        "syntax.tsv",
        "redteam.tsv",
        "realworld.tsv",
        "ddl.tsv"
    };

    /** Named policies used by the corpus. */
    static final Map<String, SafetyPolicy> PROFILES = Map.ofEntries(
            Map.entry("READ_ONLY", SafetyPolicy.READ_ONLY),
            Map.entry(
                    "BALANCED",
                    SafetyPolicy.builder().level(PolicyLevel.BALANCED).build()),
            Map.entry(
                    "PERMISSIVE",
                    SafetyPolicy.builder().level(PolicyLevel.PERMISSIVE).build()),
            Map.entry(
                    "HOST",
                    SafetyPolicy.builder()
                            .level(PolicyLevel.BALANCED)
                            .deniedColumns("customers.ssn", "public.employees.salary")
                            .deniedTables("audit_log")
                            .build()),
            Map.entry(
                    "ALLOWLIST",
                    SafetyPolicy.builder()
                            .allowedTables("orders", "order_items", "public.products")
                            .build()),
            Map.entry("SCHEMAS", SafetyPolicy.builder().allowedSchemas("public").build()),
            Map.entry(
                    "GUARDED",
                    SafetyPolicy.builder()
                            .unparseableSql(UnparseableSqlMode.GUARDED_READ)
                            .build()),
            Map.entry(
                    "OPTIN",
                    SafetyPolicy.builder()
                            .level(PolicyLevel.PERMISSIVE)
                            .allowGuarded(GuardedOperation.values())
                            .build()),
            Map.entry(
                    "OPTIN_BALANCED",
                    SafetyPolicy.builder()
                            .level(PolicyLevel.BALANCED)
                            .allowGuarded(GuardedOperation.values())
                            .build()),
            Map.entry(
                    "PERMISSIVE_HOST",
                    SafetyPolicy.builder()
                            .level(PolicyLevel.PERMISSIVE)
                            .deniedColumns("customers.ssn", "public.employees.salary")
                            .deniedTables("audit_log")
                            .secondPartyTables("payments")
                            .build()),
            Map.entry(
                    "PERMISSIVE_SCHEMAS",
                    SafetyPolicy.builder()
                            .level(PolicyLevel.PERMISSIVE)
                            .allowedSchemas("public")
                            .build()),
            Map.entry(
                    "SECOND",
                    SafetyPolicy.builder()
                            .level(PolicyLevel.BALANCED)
                            .secondPartyTables("payments")
                            .build()),
            Map.entry(
                    "FUNCS",
                    SafetyPolicy.builder()
                            .deniedFunctions("md5", "public.risky")
                            .allowedFunctions("pg_sleep", "pg_catalog.txid_current")
                            .build()));

    /** One labelled case. */
    record Case(
            String file,
            int line,
            String profile,
            Decision decision,
            @Nullable ConfirmationKind confirmation,
            @Nullable StatementKind kind,
            String category,
            String sql) {
        SafetyPolicy policy() {
            SafetyPolicy p = PROFILES.get(profile);
            if (p == null) {
                throw new IllegalStateException("unknown profile " + profile + " at " + file + ":" + line);
            }
            return p;
        }

        @Override
        public String toString() {
            String s = sql.replace('\n', '⏎');
            return file + ":" + line + " [" + profile + " " + decision
                    + (confirmation == null ? "" : ":" + confirmation) + " " + category + "] "
                    + (s.length() > 120 ? s.substring(0, 120) + "..." : s);
        }
    }

    private Corpus() {}

    /** Loads every case, expanding ALL to the three levels. */
    static List<Case> load() {
        List<Case> out = new ArrayList<>();
        for (String f : FILES) {
            try (InputStream in = Corpus.class.getResourceAsStream("/corpus/" + f)) {
                if (in == null) {
                    throw new IllegalStateException("missing corpus file " + f);
                }
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                String line;
                int n = 0;
                while ((line = r.readLine()) != null) {
                    n++;
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    String[] cols = line.split("\t", 4);
                    if (cols.length != 4) {
                        throw new IllegalStateException("corpus line needs 4 tab-separated columns: " + f + ":" + n);
                    }
                    String expected = cols[1].strip();
                    StatementKind kind = null;
                    int slash = expected.indexOf('/');
                    if (slash >= 0) {
                        kind = StatementKind.valueOf(expected.substring(slash + 1));
                        expected = expected.substring(0, slash);
                    }
                    ConfirmationKind ck = null;
                    int colon = expected.indexOf(':');
                    if (colon >= 0) {
                        ck = ConfirmationKind.valueOf(expected.substring(colon + 1));
                        expected = expected.substring(0, colon);
                    }
                    Decision d = Decision.valueOf(expected);
                    String sql = cols[3].replace("⏎", "\n").replace("⇥", "\t");
                    String profile = cols[0].strip();
                    if (profile.equals("ALL")) {
                        for (String p : List.of("READ_ONLY", "BALANCED", "PERMISSIVE")) {
                            out.add(new Case(f, n, p, d, ck, kind, cols[2].strip(), sql));
                        }
                    } else {
                        out.add(new Case(f, n, profile, d, ck, kind, cols[2].strip(), sql));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}
