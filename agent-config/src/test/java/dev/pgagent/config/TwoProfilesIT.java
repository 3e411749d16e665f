package dev.pgagent.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.testsupport.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A two-profile file pointing at two real databases (a fresh one, and the server's own): the resolved URLs, users
 * and passwords connect with pgjdbc.
 * (A server that trusts local connections accepts any password, so the password's value is checked by assertion.)
 */
class TwoProfilesIT {
    private static final String ROLE =
            "cfg_it_reader_" + ProcessHandle.current().pid();
    private static String salesDb;
    private static String hrDb;

    @TempDir
    Path dir;

    @BeforeAll
    static void databases() throws SQLException {
        salesDb = name(TestPostgres.freshDatabase("cfg_sales"));
        // the server's own database is the second one: each DROP DATABASE at exit waits for a checkpoint
        hrDb = TestPostgres.server().defaultDatabase();
        try (Connection c = TestPostgres.server().dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("DROP ROLE IF EXISTS " + ROLE);
            st.execute("CREATE ROLE " + ROLE + " LOGIN PASSWORD 'sales-secret'");
        }
    }

    @AfterAll
    static void dropRole() throws SQLException {
        try (Connection c = TestPostgres.server().dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("DROP ROLE IF EXISTS " + ROLE);
        }
    }

    private static String name(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void bothProfilesConnectWithTheirResolvedUrlsAndCredentials() throws IOException, SQLException {
        TestPostgres.Server server = TestPostgres.server();
        String serverPassword = server.password().isEmpty() ? "trust-anything" : server.password();
        Path pgpass = dir.resolve(".pgpass");
        Files.writeString(
                pgpass,
                "# written by the test\n" + server.host() + ":" + server.port() + ":*:"
                        + server.user().replace(":", "\\:") + ":" + serverPassword.replace(":", "\\:") + "\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        Fixture fx = new Fixture(dir).env("PGPASSWORD_SALES", "sales-secret");
        fx.env.remove("PGUSER");
        AgentConfig config = fx.load("""
                default: hr
                policy:
                  level: read-only
                  statementTimeout: 10s
                databases:
                  - name: sales
                    description: Orders and customers.
                    url: postgresql://%s@%s:%d/%s?ApplicationName=pgagent-config-it
                    passwordEnv: PGPASSWORD_SALES
                  - name: hr
                    description: People.
                    host: %s
                    port: %d
                    database: %s
                    user: %s
                    policy:
                      level: balanced
                """.formatted(
                ROLE, server.host(), server.port(), salesDb, server.host(), server.port(), hrDb, server.user()));

        assertThat(config.database().name()).isEqualTo("hr");
        DatabaseProfile sales = config.database("sales").orElseThrow();
        assertThat(sales.jdbcUrl())
                .isEqualTo("jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + salesDb
                        + "?ApplicationName=pgagent-config-it");
        assertThat(sales.user()).isEqualTo(ROLE);
        assertThat(sales.password().orElseThrow().reveal()).isEqualTo("sales-secret");
        assertThat(sales.policy().level()).isEqualTo(PolicyLevel.READ_ONLY);
        assertThat(connect(sales)).containsExactly(salesDb, ROLE, "pgagent-config-it");

        DatabaseProfile hr = config.database();
        assertThat(hr.password().orElseThrow().reveal()).isEqualTo(serverPassword);
        assertThat(hr.password().orElseThrow().source()).isEqualTo(pgpass + " line 2");
        assertThat(hr.policy().level()).isEqualTo(PolicyLevel.BALANCED);
        assertThat(hr.policy().statementTimeout()).hasSeconds(10);
        assertThat(connect(hr)).containsExactly(hrDb, server.user(), "PostgreSQL JDBC Driver");
    }

    private static String[] connect(DatabaseProfile p) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", p.user());
        p.password().ifPresent(s -> props.setProperty("password", s.reveal()));
        try (Connection c = DriverManager.getConnection(p.jdbcUrl(), props);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT current_database(), current_user, current_setting('application_name')")) {
            rs.next();
            return new String[] {rs.getString(1), rs.getString(2), rs.getString(3)};
        }
    }
}
