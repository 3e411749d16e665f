package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.DatabaseException;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class PostgresDatabaseTest {
    private static final DataSource DS = PgDataSources.fromUrl("jdbc:postgresql://localhost:1/none", "u", "secret");

    @Test
    void keepsItsSettingsAndCopiesThemToANewBuilder() {
        PostgresDatabase db = PostgresDatabase.builder()
                .dataSource(DS)
                .includeSchemas("sales", "crm")
                .excludeSchemas("audit")
                .schemaCheckInterval(Duration.ofSeconds(30))
                .build();
        PostgresDatabase copy = db.toBuilder().build();
        assertThat(copy.dataSource()).isSameAs(DS);
        assertThat(copy.includeSchemas()).containsExactly("sales", "crm");
        assertThat(copy.excludeSchemas()).containsExactly("audit");
        assertThat(copy.schemaCheckInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(PostgresDatabase.of(DS).schemaCheckInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(db.toString()).doesNotContain("secret");
    }

    @Test
    void rejectsMissingOrInvalidSettings() {
        assertThatThrownBy(() -> PostgresDatabase.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("dataSource must be set but was null");
        assertThatThrownBy(() -> PostgresDatabase.builder().schemaCheckInterval(Duration.ofSeconds(-1)))
                .hasMessage("schemaCheckInterval must be >= 0 but was PT-1S");
        assertThatThrownBy(() -> PostgresDatabase.builder().includeSchemas(" "))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesSeveralStatementsBeforeConnecting() {
        PostgresDatabase db = PostgresDatabase.of(DS);
        assertThatThrownBy(
                        () -> db.read("SELECT 1; DELETE FROM t", ExecutionLimits.defaults(), new QueryCancellation()))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("exactly one statement but held 2");
    }

    @Test
    void reportsAnUnreachableServerWithoutThePassword() {
        PostgresDatabase db = PostgresDatabase.of(DS);
        assertThatThrownBy(() -> db.read("SELECT 1", ExecutionLimits.defaults(), new QueryCancellation()))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("cannot get a connection")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(db::schema).isInstanceOf(DatabaseException.class).hasMessageNotContaining("secret");
    }
}
