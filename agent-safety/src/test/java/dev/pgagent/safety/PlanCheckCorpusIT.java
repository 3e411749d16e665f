package dev.pgagent.safety;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.db.postgres.DeniedDataException;
import dev.pgagent.db.postgres.ExecutionLimits;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.db.postgres.QueryCancellation;
import dev.pgagent.testsupport.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The two layers agree on the corpus: with a denied column added to every table (a canary no statement names), every
 * read the validator allows must also pass the plan check of {@code agent-db-postgres}, which asks PostgreSQL what the
 * statement reads. A refusal here would be a false positive of the plan check on real-world SQL.
 */
class PlanCheckCorpusIT {
    private static final String CANARY = "pgagent_canary";

    @Test
    void theRuntimePlanCheckRefusesNoReadTheValidatorAllows() throws SQLException, IOException {
        DataSource ds = TestPostgres.freshDatabase("plancheck");
        String script;
        try (InputStream in = PlanCheckCorpusIT.class.getResourceAsStream("/it/business-schema.sql")) {
            script = new String(Objects.requireNonNull(in).readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> canaries = new ArrayList<>();
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            for (String stmt : script.split(";\\s*\\n")) {
                if (!stmt.isBlank()) {
                    s.execute(stmt);
                }
            }
            List<String[]> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT n.nspname, c.relname FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')"
                    + " AND NOT c.relispartition AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)"
                    + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                    + " AND n.nspname NOT LIKE 'pg_toast%'")) {
                while (rs.next()) {
                    tables.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            for (String[] t : tables) {
                s.execute("ALTER TABLE " + t[0] + "." + t[1] + " ADD COLUMN " + CANARY + " text DEFAULT 'x'");
                canaries.add(t[0] + "." + t[1] + "." + CANARY);
            }
            s.execute("ANALYZE");
        }
        SafetyPolicy policy = SafetyPolicy.builder()
                .level(PolicyLevel.READ_ONLY)
                .deniedColumns(canaries.toArray(String[]::new))
                .build();
        JSqlParserSafetyValidator validator = JSqlParserSafetyValidator.of(policy);
        Set<String> allowed = new LinkedHashSet<>();
        for (Corpus.Case c : Corpus.load()) {
            if (c.profile().equals("READ_ONLY") && validator.validate(c.sql()).isAllowed()) {
                allowed.add(c.sql());
            }
        }
        PostgresDatabase db = PostgresDatabase.of(ds);
        ExecutionLimits limits = ExecutionLimits.from(policy).withMaxRows(20);
        List<String> refused = new ArrayList<>();
        int ran = 0;
        for (String sql : allowed) {
            try {
                db.read(sql, limits, new QueryCancellation());
                ran++;
            } catch (DeniedDataException e) {
                refused.add(sql.replace('\n', ' ') + " -> " + e.reason());
            } catch (DatabaseException e) {
                // fails on this schema for its own reasons; CorpusGroundTruthIT keeps count of those
            }
        }
        System.out.println("plan check: " + allowed.size() + " allowed reads under " + canaries.size()
                + " denied canary columns; " + ran + " ran, " + refused.size() + " refused by the plan check");
        assertThat(canaries).hasSizeGreaterThan(10);
        assertThat(allowed).hasSizeGreaterThan(200);
        assertThat(refused)
                .as("reads the plan check refused although they read no denied column")
                .isEmpty();
    }
}
