package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.ConfigurationException;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class PgDataSourcesTest {
    @Test
    void buildsFromAJdbcUrlWithoutShowingThePassword() throws Exception {
        DataSource ds = PgDataSources.fromUrl("jdbc:postgresql://db.example:6543/shop", "reader", "s3cret!");
        assertThat(ds.toString())
                .contains("db.example", "6543", "shop", "reader")
                .doesNotContain("s3cret");
        PGSimpleDataSource pg = ds.unwrap(PGSimpleDataSource.class);
        assertThat(pg.getUser()).isEqualTo("reader");
        assertThat(pg.getPassword()).isEqualTo("s3cret!");
    }

    @Test
    void rejectsOtherUrlsWithoutEchoingPasswords() {
        assertThatThrownBy(() -> PgDataSources.fromUrl("jdbc:mysql://u:topsecret@host/db", null, null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageNotContaining("topsecret");
    }

    @Test
    void readsLibpqSettings() throws Exception {
        DataSource ds = PgDataSources.fromEnvironment(Map.of(
                "PGHOST",
                "pg.internal",
                "PGPORT",
                "5433",
                "PGUSER",
                "app",
                "PGPASSWORD",
                "hunter2",
                "PGDATABASE",
                "sales"));
        PGSimpleDataSource pg = ds.unwrap(PGSimpleDataSource.class);
        assertThat(pg.getServerNames()).containsExactly("pg.internal");
        assertThat(pg.getPortNumbers()).containsExactly(5433);
        assertThat(pg.getDatabaseName()).isEqualTo("sales");
        assertThat(pg.getUser()).isEqualTo("app");
        assertThat(pg.getPassword()).isEqualTo("hunter2");
        assertThat(ds.toString()).doesNotContain("hunter2");
    }

    @Test
    void defaultsHostPortAndDatabaseLikeLibpq() throws Exception {
        PGSimpleDataSource pg =
                PgDataSources.fromEnvironment(Map.of("PGUSER", "alice")).unwrap(PGSimpleDataSource.class);
        assertThat(pg.getServerNames()).containsExactly("localhost");
        assertThat(pg.getPortNumbers()).containsExactly(5432);
        assertThat(pg.getDatabaseName()).isEqualTo("alice");
    }

    @Test
    void prefersADatabaseUrl() throws Exception {
        DataSource ds = PgDataSources.fromEnvironment(Map.of(
                "PGHOST",
                "ignored",
                "DATABASE_URL",
                "postgresql://bob:p%40ss%2Bw0rd@pg.example:5544/orders?sslmode=disable"));
        PGSimpleDataSource pg = ds.unwrap(PGSimpleDataSource.class);
        assertThat(pg.getServerNames()).containsExactly("pg.example");
        assertThat(pg.getPortNumbers()).containsExactly(5544);
        assertThat(pg.getDatabaseName()).isEqualTo("orders");
        assertThat(pg.getUser()).isEqualTo("bob");
        assertThat(pg.getPassword()).isEqualTo("p@ss+w0rd");
        assertThat(pg.getSslMode()).isEqualTo("disable");
        assertThat(ds.toString()).doesNotContain("p@ss").doesNotContain("p%40ss");
    }

    @Test
    void rejectsABadPortOrScheme() {
        assertThatThrownBy(() -> PgDataSources.fromEnvironment(Map.of("PGPORT", "eighty")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("PGPORT must be a port number 1-65535 but was eighty");
        assertThatThrownBy(() -> PgDataSources.fromEnvironment(Map.of("DATABASE_URL", "mysql://u:pw9876@h/db")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageNotContaining("pw9876");
    }

    @Test
    void aUriPortThatIsNotANumberIsAnErrorNotTheDefaultPort() {
        // java.net.URI reads "host:abc" as a registry authority with no host and no port
        assertThatThrownBy(() -> PgDataSources.fromEnvironment(
                        Map.of("DATABASE_URL", "postgresql://bob:pw4321@localhost:abc/db")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid port 'abc'")
                .hasMessageNotContaining("pw4321");
    }

    @Test
    void aJdbcUrlPortThatIsNotANumberIsAnErrorBeforeTheDriverSeesIt() {
        assertThatThrownBy(() -> PgDataSources.fromUrl("jdbc:postgresql://localhost:abc/db", null, null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid port 'abc'");
        assertThatThrownBy(() -> PgDataSources.fromUrl("jdbc:postgresql://h1:5432,h2:x/db", null, null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid port 'x'");
    }
}
