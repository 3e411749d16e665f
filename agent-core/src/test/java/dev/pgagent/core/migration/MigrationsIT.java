package dev.pgagent.core.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.core.migration.Migrations.Result;
import dev.pgagent.core.migration.Migrations.State;
import dev.pgagent.testkit.FakeLlmClient;
import dev.pgagent.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.ValidateResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Migrations planned, applied (confirmed, declined, refused), and checked by Flyway itself. */
class MigrationsIT {
    static final SafetyPolicy PERMISSIVE =
            SafetyPolicy.builder().level(PolicyLevel.PERMISSIVE).build();

    @TempDir
    Path dir;

    DataSource ds;
    final List<ConfirmationRequest> asked = new CopyOnWriteArrayList<>();
    final List<Migrations.Preview> shown = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        ds = TestPostgres.freshDatabase("migrate");
        exec(
                "CREATE TABLE items (id int PRIMARY KEY, code text, note text)",
                "INSERT INTO items SELECT g, 'c' || g, md5(g::text) FROM generate_series(1, 2000) g",
                "ANALYZE items");
    }

    private ConfirmationHandler approving() {
        return r -> {
            asked.add(r);
            return ConfirmationDecision.approveTyped(r.expectedTypedText(), "dba");
        };
    }

    private ConfirmationHandler declining() {
        return r -> {
            asked.add(r);
            return ConfirmationDecision.decline("dba", "not today");
        };
    }

    private PostgresAgent agent(SafetyPolicy policy, ConfirmationHandler handler) {
        return PostgresAgent.builder()
                .llm(FakeLlmClient.create())
                .dataSource(ds)
                .policy(policy)
                .confirmationHandler(handler)
                .build();
    }

    private Migrations migrations(PostgresAgent agent, ConfirmationHandler handler) {
        return Migrations.builder()
                .path(agent.guardedPath("migrate-test"))
                .dataSource(ds)
                .directory(dir)
                .confirmationHandler(handler)
                .listener(shown::add)
                .build();
    }

    private void exec(String... sql) {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> column(String sql) {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private Flyway flyway() {
        return Flyway.configure().dataSource(ds).locations("filesystem:" + dir).load();
    }

    @Test
    void plansVersionedFilesWithUndoScriptsAndLockWarnings() throws Exception {
        try (PostgresAgent agent = agent(PERMISSIVE, approving())) {
            Migrations m = Migrations.builder()
                    .path(agent.guardedPath("t"))
                    .directory(dir)
                    .bigTableRows(1000)
                    .build();

            Migrations.Planned first = m.plan(
                    new Migrations.Change("CREATE INDEX items_code_idx ON items (code)", "add index items code"), true);
            Migrations.Planned second = m.plan(
                    new Migrations.Change(
                            "ALTER TABLE items ADD COLUMN added_at timestamptz DEFAULT clock_timestamp()", ""),
                    true);
            Migrations.Planned shownOnly = m.plan(new Migrations.Change("DROP TABLE items", "drop items"), false);

            assertThat(first.file().getFileName()).hasToString("V1__add_index_items_code.sql");
            assertThat(first.undoFile().getFileName()).hasToString("U1__add_index_items_code.sql");
            assertThat(Files.readString(first.undoFile()))
                    .isEqualTo("-- undo V1__add_index_items_code.sql\nDROP INDEX IF EXISTS items_code_idx;\n");
            assertThat(first.warnings())
                    .singleElement()
                    .asString()
                    .startsWith("items (about 2000 rows, ")
                    .contains("CREATE INDEX without CONCURRENTLY blocks writes");
            assertThat(Files.readString(first.file()))
                    .isEqualTo(first.script())
                    .startsWith("-- add index items code\n" + "-- Warning: items (about 2000 rows")
                    .endsWith("CREATE INDEX items_code_idx ON items (code);\n");
            assertThat(second.file().getFileName())
                    .hasToString("V2__alter_table_items_add_column_added_at_timestamptz_default_clock_timestamp.sql");
            assertThat(second.undoScript()).endsWith("ALTER TABLE items DROP COLUMN IF EXISTS added_at;\n");
            assertThat(second.warnings()).singleElement().asString().contains("volatile default");
            assertThat(shownOnly.version()).isEqualTo("3");
            assertThat(shownOnly.written()).isFalse();
            assertThat(shownOnly.undoFile()).isNull();
            assertThat(Files.exists(shownOnly.file())).isFalse();
        }
    }

    @Test
    void appliesConfirmedMigrationsAndRecordsThemSoFlywayAgrees() throws Exception {
        try (PostgresAgent agent = agent(PERMISSIVE, approving())) {
            Migrations m = migrations(agent, approving());
            m.plan(new Migrations.Change("ALTER TABLE items ADD COLUMN flag boolean", "add items flag"), true);
            m.plan(
                    new Migrations.Change(
                            "CREATE INDEX CONCURRENTLY items_code_idx ON items (code)", "add index items code"),
                    true);
            assertThat(m.status()).extracting(Migrations.Entry::state).containsExactly(State.PENDING, State.PENDING);

            Migrations.ApplyReport r = m.apply();

            assertThat(r.succeeded()).isTrue();
            assertThat(r.migrations())
                    .extracting(Migrations.Applied::result)
                    .containsExactly(Result.APPLIED, Result.APPLIED);
            assertThat(asked)
                    .extracting(ConfirmationRequest::sql)
                    .containsExactly(
                            "ALTER TABLE items ADD COLUMN flag boolean",
                            "CREATE INDEX CONCURRENTLY items_code_idx ON items (code)");
            assertThat(shown)
                    .extracting(Migrations.Preview::dryRun)
                    .containsExactly("ok", "none: CONCURRENTLY cannot run inside the transaction a dry run rolls back");
            assertThat(column("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'items_code_idx'::regclass"))
                    .containsExactly("true");
            assertThat(column("SELECT version || ' ' || description || ' ' || script || ' ' || type || ' '"
                            + " || success FROM flyway_schema_history ORDER BY installed_rank"))
                    .containsExactly(
                            "1 add items flag V1__add_items_flag.sql SQL true",
                            "2 add index items code V2__add_index_items_code.sql SQL true");
            assertThat(m.status()).extracting(Migrations.Entry::state).containsExactly(State.APPLIED, State.APPLIED);

            // Flyway itself reads the same history and files and finds nothing to do or complain about
            Flyway flyway = flyway();
            ValidateResult v = flyway.validateWithResult();
            assertThat(v.validationSuccessful)
                    .as(String.valueOf(v.invalidMigrations))
                    .isTrue();
            MigrationInfo[] applied = flyway.info().applied();
            assertThat(applied).extracting(MigrationInfo::getState).containsOnly(MigrationState.SUCCESS);
            assertThat(applied).extracting(i -> i.getVersion().getVersion()).containsExactly("1", "2");
            assertThat(flyway.info().pending()).isEmpty();
            assertThat(m.apply().migrations()).isEmpty();

            // and the other way round: what Flyway applies, status reads as applied
            m.plan(
                    new Migrations.Change(
                            "ALTER TABLE items ADD CONSTRAINT items_code_len CHECK (length(code) < 20)",
                            "add items code check"),
                    true);
            flyway.migrate();
            assertThat(m.status())
                    .extracting(Migrations.Entry::state)
                    .containsExactly(State.APPLIED, State.APPLIED, State.APPLIED);
        }
    }

    @Test
    void aDeclinedMigrationChangesAndRecordsNothing() throws Exception {
        try (PostgresAgent agent = agent(PERMISSIVE, declining())) {
            Migrations m = migrations(agent, declining());
            m.plan(new Migrations.Change("ALTER TABLE items ADD COLUMN flag boolean", "add items flag"), true);

            Migrations.ApplyReport r = m.apply();

            assertThat(r.succeeded()).isFalse();
            assertThat(r.migrations()).singleElement().satisfies(a -> {
                assertThat(a.result()).isEqualTo(Result.DECLINED);
                assertThat(a.message()).contains("not today").endsWith("; nothing ran");
            });
            assertThat(column("SELECT to_regclass('flyway_schema_history')::text"))
                    .containsOnlyNulls();
            assertThat(column("SELECT attname FROM pg_attribute WHERE attrelid = 'items'::regclass AND attnum > 0"))
                    .containsExactly("id", "code", "note");
            assertThat(m.status()).extracting(Migrations.Entry::state).containsExactly(State.PENDING);
        }
    }

    @Test
    void aDeclinedConcurrentIndexIsNotBuilt() {
        try (PostgresAgent agent = agent(PERMISSIVE, approving())) {
            Migrations m = migrations(agent, declining());
            m.plan(new Migrations.Change("CREATE INDEX CONCURRENTLY items_note_idx ON items (note)", ""), true);

            Migrations.ApplyReport r = m.apply();

            assertThat(r.migrations())
                    .singleElement()
                    .extracting(Migrations.Applied::result)
                    .isEqualTo(Result.DECLINED);
            assertThat(column("SELECT to_regclass('items_note_idx')::text")).containsOnlyNulls();
        }
    }

    @Test
    void aReadOnlyPolicyRefusesBeforeAnythingRuns() {
        SafetyPolicy readOnly =
                SafetyPolicy.builder().level(PolicyLevel.READ_ONLY).build();
        try (PostgresAgent agent = agent(readOnly, approving())) {
            Migrations m = migrations(agent, approving());
            m.plan(new Migrations.Change("ALTER TABLE items ADD COLUMN flag boolean", "add items flag"), true);

            Migrations.ApplyReport r = m.apply();

            // the validator denies schema changes below PERMISSIVE, so nothing is dry-run or shown either
            assertThat(r.migrations()).singleElement().satisfies(a -> {
                assertThat(a.result()).isEqualTo(Result.REFUSED);
                assertThat(a.message())
                        .startsWith("the policy refuses ALTER TABLE items ADD COLUMN flag boolean: ")
                        .contains("only PERMISSIVE allows schema changes");
            });
            assertThat(shown).isEmpty();
            assertThat(asked).isEmpty();
            assertThat(column("SELECT to_regclass('flyway_schema_history')::text"))
                    .containsOnlyNulls();
        }
    }

    @Test
    void aFailingDryRunStopsTheMigrationBeforeAnyoneIsAsked() {
        try (PostgresAgent agent = agent(PERMISSIVE, approving())) {
            Migrations m = migrations(agent, approving());
            m.plan(
                    new Migrations.Change(
                            "ALTER TABLE items ADD COLUMN flag boolean; "
                                    + "ALTER TABLE no_such_table ADD COLUMN x int",
                            "two changes"),
                    true);

            Migrations.ApplyReport r = m.apply();

            assertThat(r.migrations()).singleElement().satisfies(a -> {
                assertThat(a.result()).isEqualTo(Result.FAILED);
                assertThat(a.message()).contains("dry run failed", "no_such_table");
            });
            assertThat(asked).isEmpty();
            assertThat(column("SELECT attname FROM pg_attribute WHERE attrelid = 'items'::regclass AND attnum > 0"))
                    .containsExactly("id", "code", "note");
        }
    }

    @Test
    void aMigrationThatStopsPartWayIsRecordedAsFailedAsFlywayWould() throws Exception {
        try (PostgresAgent agent = agent(PERMISSIVE, approving())) {
            Migrations m = migrations(agent, approving());
            // CONCURRENTLY means no dry run; the unique index then fails on the duplicate codes, as a build would
            exec("UPDATE items SET code = 'same' WHERE id <= 2");
            m.plan(
                    new Migrations.Change(
                            "ALTER TABLE items ADD COLUMN flag boolean; "
                                    + "CREATE UNIQUE INDEX CONCURRENTLY items_code_key ON items (code)",
                            "flag and unique code"),
                    true);
            m.plan(new Migrations.Change("ALTER TABLE items ADD COLUMN later int", "later"), true);

            Migrations.ApplyReport r = m.apply();

            assertThat(r.migrations()).singleElement().satisfies(a -> {
                assertThat(a.result()).isEqualTo(Result.FAILED);
                assertThat(a.message())
                        .startsWith("statement 2 of 2 was failed (")
                        .contains("could not create unique index")
                        .endsWith("after 1 ran; recorded as failed");
            });
            assertThat(m.status()).extracting(Migrations.Entry::state).containsExactly(State.FAILED, State.PENDING);
            assertThat(column("SELECT success::text FROM flyway_schema_history"))
                    .containsExactly("false");
            assertThat(m.apply().migrations()).singleElement().satisfies(a -> {
                assertThat(a.result()).isEqualTo(Result.REFUSED);
                assertThat(a.message()).contains("is failed in the history");
            });
            assertThat(flyway().info().current().getState()).isEqualTo(MigrationState.FAILED);
        }
    }

    @Test
    void aChangedAppliedFileIsAChecksumMismatchThatBlocksApplying() throws Exception {
        try (PostgresAgent agent = agent(PERMISSIVE, approving())) {
            Migrations m = migrations(agent, approving());
            Migrations.Planned p =
                    m.plan(new Migrations.Change("ALTER TABLE items ADD COLUMN flag boolean", "add items flag"), true);
            assertThat(m.apply().succeeded()).isTrue();
            // CRLF line ends do not change Flyway's checksum; a changed statement does
            Files.writeString(p.file(), p.script().replace("\n", "\r\n"), StandardCharsets.UTF_8);
            assertThat(m.status()).extracting(Migrations.Entry::state).containsExactly(State.APPLIED);
            Files.writeString(p.file(), p.script().replace("boolean", "int"), StandardCharsets.UTF_8);
            m.plan(new Migrations.Change("ALTER TABLE items ADD COLUMN other int", "add other"), true);

            assertThat(m.status())
                    .extracting(Migrations.Entry::state)
                    .containsExactly(State.CHECKSUM_MISMATCH, State.PENDING);
            Migrations.ApplyReport r = m.apply();

            assertThat(r.migrations()).singleElement().satisfies(a -> {
                assertThat(a.result()).isEqualTo(Result.REFUSED);
                assertThat(a.message()).contains("checksum mismatch");
            });
            assertThat(flyway().validateWithResult().validationSuccessful).isFalse();
        }
    }

    @Test
    void readsAHistoryTableFlywayCreatedInANamedSchema() throws Exception {
        exec("CREATE SCHEMA meta");
        Files.writeString(dir.resolve("V1__first.sql"), "CREATE TABLE first_one (id int);\n");
        Flyway.configure()
                .dataSource(ds)
                .locations("filesystem:" + dir)
                .defaultSchema("meta")
                .schemas("meta")
                .load()
                .migrate();
        try (PostgresAgent agent = agent(PERMISSIVE, approving())) {
            Migrations m = Migrations.builder()
                    .path(agent.guardedPath("t"))
                    .dataSource(ds)
                    .directory(dir)
                    .schema("meta")
                    .confirmationHandler(approving())
                    .installedBy("carol")
                    .build();
            Migrations.Planned p =
                    m.plan(new Migrations.Change("ALTER TABLE items ADD COLUMN flag boolean", "add items flag"), true);

            assertThat(p.version()).isEqualTo("2");
            assertThat(m.apply().succeeded()).isTrue();
            assertThat(m.status()).extracting(Migrations.Entry::state).containsExactly(State.APPLIED, State.APPLIED);
            assertThat(column("SELECT installed_by FROM meta.flyway_schema_history WHERE version = '2'"))
                    .containsExactly("carol");
        }
    }
}
