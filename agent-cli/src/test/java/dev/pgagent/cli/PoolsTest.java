package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.DatabaseException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.OptionalInt;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/** Pool sizes, and a pool that fails, or is closed, the way the driver alone would. */
class PoolsTest {
    private static Cli cli(Map<String, String> env) {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, java.nio.charset.StandardCharsets.UTF_8);
        return new Cli(new ByteArrayInputStream(new byte[0]), sink, sink, env, false, Terminals.NONE);
    }

    /** A port nothing listens on: a connection to it is refused at once. */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void longRunningCommandsGetTenConnectionsAndTheOthersFour() {
        Pools pools = new Pools();
        assertThat(pools.defaultMaxSize()).as("no command: the terminal UI").isEqualTo(10);
        for (String c : new String[] {"mcp", "chat", "tui", "ask", "eval", "demo"}) {
            pools.command(c);
            assertThat(pools.maxSize(cli(Map.of()))).as(c).isEqualTo(Pools.LONG_RUNNING_MAX_SIZE);
        }
        for (String c : new String[] {"schema", "export", "explain", "health", "config"}) {
            pools.command(c);
            assertThat(pools.maxSize(cli(Map.of()))).as(c).isEqualTo(Pools.ONE_SHOT_MAX_SIZE);
        }
    }

    @Test
    void theConfigurationWinsOverTheVariableWhichWinsOverTheDefault() {
        Pools pools = new Pools();
        pools.command("schema");
        assertThat(pools.maxSize(cli(Map.of("PGAGENT_POOL_MAX_SIZE", " 7 ")))).isEqualTo(7);
        pools.configuredMaxSize(OptionalInt.of(3));
        assertThat(pools.maxSize(cli(Map.of("PGAGENT_POOL_MAX_SIZE", "7")))).isEqualTo(3);
    }

    @Test
    void aBadVariableIsAUsageError() {
        Pools pools = new Pools();
        for (String bad : new String[] {"0", "1001", "ten", "-1"}) {
            assertThatThrownBy(() -> pools.maxSize(cli(Map.of("PGAGENT_POOL_MAX_SIZE", bad))))
                    .isInstanceOf(UserException.class)
                    .hasMessage("PGAGENT_POOL_MAX_SIZE must be a number of connections 1-1000 but was '" + bad + "'")
                    .satisfies(e -> assertThat(((UserException) e).status()).isEqualTo(2));
        }
    }

    @Test
    void aServerThatCannotBeReachedFailsAtOnceWithTheDriversException() throws Exception {
        PGSimpleDataSource driver = new PGSimpleDataSource();
        driver.setUrl("jdbc:postgresql://127.0.0.1:" + closedPort() + "/db");
        driver.setUser("someone");
        driver.setPassword("hunter2-secret");
        try (Pools pools = new Pools()) {
            DataSource pool = pools.pool(driver, 2, 10, "main");
            assertThatThrownBy(pool::getConnection)
                    .isInstanceOf(PSQLException.class)
                    .hasMessageContaining("refused");
            assertThat(((Pools.Pool) pool).started()).isFalse(); // the next borrow tries again
            assertThatThrownBy(pool::getConnection).isInstanceOf(PSQLException.class);
            assertThat(pool.toString()).isEqualTo(driver.toString()).doesNotContain("hunter2-secret");
            assertThat(pool.unwrap(PGSimpleDataSource.class)).isSameAs(driver);
            assertThat(pool.isWrapperFor(Pools.Pool.class)).isTrue();
            assertThat(pool.getLoginTimeout()).isEqualTo(driver.getLoginTimeout());
        }
    }

    @Test
    void aClosedPoolRefusesConnectionsAndTheRunsPoolsRefuseNewOnes() throws Exception {
        Pools pools = new Pools();
        DataSource pool = pools.pool(new PGSimpleDataSource(), 2, 10, null);
        pools.close();
        assertThatThrownBy(pool::getConnection)
                .isInstanceOf(SQLException.class)
                .hasMessageMatching("the connection pool pg-agent-\\d+ is closed");
        assertThatThrownBy(() -> pools.pool(new PGSimpleDataSource(), 2, 10, null))
                .isInstanceOf(IllegalStateException.class);
        assertThat(pools.pools()).hasSize(1);
    }

    @Test
    void errorsDescribeThePoolsTimeoutByTheDriversFailure() {
        PSQLException refused = new PSQLException(
                "Connection to db:5432 refused. Check that the hostname and port are correct",
                PSQLState.CONNECTION_UNABLE_TO_CONNECT);
        SQLTransientConnectionException timeout = new SQLTransientConnectionException(
                "pg-agent-1 - Connection is not available, request timed out after 10000ms.", "08001", refused);
        assertThat((Object) Errors.driverFailure(timeout)).isSameAs(refused);
        Cli cli = cli(Map.of());
        assertThat(Errors.describe(timeout, cli))
                .isEqualTo("Connection to db:5432 refused. Check that the hostname and port are correct");
        DatabaseException wrapped = new DatabaseException("cannot get a connection: 08001: x", "08001", timeout);
        assertThat(Errors.describe(wrapped, cli))
                .isEqualTo("cannot connect to the database: Connection to db:5432 refused. Check that the hostname "
                        + "and port are correct");
        SQLTransientConnectionException busy =
                new SQLTransientConnectionException("pg-agent-1 - Connection is not available");
        assertThat((Object) Errors.driverFailure(busy)).isSameAs(busy);
    }

    @Test
    void replacingAnAgentClosesThePoolsOnlyTheOldOneUsed() throws Exception {
        try (Pools pools = new Pools()) {
            PGSimpleDataSource refused = new PGSimpleDataSource();
            refused.setUrl("jdbc:postgresql://127.0.0.1:" + closedPort() + "/db");
            DataSource kept = pools.pool(refused, 2, 10, "kept");
            DataSource left = pools.pool(new PGSimpleDataSource(), 2, 10, "left");
            DataSource foreign = new PGSimpleDataSource();

            pools.closeExcept(java.util.List.of(kept, left, foreign), java.util.List.of(kept));

            assertThat(pools.pools()).containsExactly(kept);
            assertThatThrownBy(left::getConnection)
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("is closed");
            assertThatThrownBy(kept::getConnection)
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("is closed"));
        }
    }
}
