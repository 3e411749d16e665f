package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.testsupport.TestPostgres;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client's connections come from a pool: statements reuse its connections (one server process serves several
 * statements), and no connection is left on the server once the command ended. Connections are told apart by
 * application_name, one per test.
 */
class PoolIT {
    private static final String KEY = "sk-test-0123456789abcdef";
    private static final String PID = "SELECT pg_backend_pid() AS backend_pid";
    private static final Pattern BACKEND_PID = Pattern.compile("backend_pid[^0-9]{1,40}?(\\d{2,9})");

    static DataSource ds;
    static String database;

    @BeforeAll
    static void setUp() throws SQLException {
        ds = TestPostgres.freshDatabase("pool_cli");
        database = McpTestDatabase.databaseName(ds);
    }

    private static String url(String application) {
        return TestPostgres.server().jdbcUrl(database) + "?ApplicationName=" + application;
    }

    private static String application(String what) {
        return "pool_it_" + what + "_" + ProcessHandle.current().pid() + "_" + System.nanoTime();
    }

    /** Returns the server processes connected with this application_name. */
    static Set<Integer> backends(String application) throws SQLException {
        Set<Integer> pids = new HashSet<>();
        try (Connection c = ds.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, application);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                }
            }
        }
        return pids;
    }

    /** Waits (up to a minute) until no connection of this application_name is left on the server. */
    static Set<Integer> awaitNoBackends(String application) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        Set<Integer> left = backends(application);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            left = backends(application);
        }
        return left;
    }

    private static int backendPid(String text) {
        Matcher m = BACKEND_PID.matcher(text);
        Integer last = null;
        while (m.find()) {
            last = Integer.parseInt(m.group(1)); // the last one: the newest tool result
        }
        assertThat(last).as("a backend pid in %s", text).isNotNull();
        return last;
    }

    @Test
    void chatRunsItsStatementsOnPooledConnectionsAndClosesThemAtTheEnd() throws Exception {
        String app = application("chat");
        try (ScriptedModel model = new ScriptedModel()) {
            model.then(AskIT.toolCall("call_1", "execute_query", PID, 100, 10));
            CountDownLatch firstAnswer = model.thenWhenReleased(AskIT.answer("One.", 100, 10));
            model.then(AskIT.toolCall("call_2", "execute_query", PID, 100, 10));
            model.then(AskIT.answer("Two.", 100, 10));
            Map<String, String> env = Map.of(
                    "OPENAI_API_KEY", KEY,
                    "OPENAI_BASE_URL", model.baseUrl(),
                    "PGPASSWORD", TestPostgres.server().password());
            CompletableFuture<CliResult> chat = CompletableFuture.supplyAsync(() -> CliResult.run(
                    env,
                    "first?\nsecond?\n/quit\n",
                    "chat",
                    "--plain",
                    "--url",
                    url(app),
                    "--user",
                    TestPostgres.server().user()));

            // the model holds its first answer: the statement ended, and its connection stays open in the pool
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (model.requests().size() < 2 && System.nanoTime() < deadline && !chat.isDone()) {
                Thread.sleep(50);
            }
            assertThat(model.requests()).hasSizeGreaterThanOrEqualTo(2);
            int first = backendPid(model.requests().get(1));
            Set<Integer> pooled = backends(app);
            assertThat(pooled)
                    .as("the pool's connections while the model thinks")
                    .contains(first);
            assertThat(pooled.size()).isLessThanOrEqualTo(Pools.LONG_RUNNING_MAX_SIZE);
            firstAnswer.countDown();

            CliResult r = chat.get();
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).contains("One.").contains("Two.");
            List<String> requests = model.requests();
            assertThat(requests).hasSize(4);
            int second = backendPid(requests.get(3));
            assertThat(pooled)
                    .as("the second question's statement ran on a pooled connection")
                    .contains(second);
            assertThat(awaitNoBackends(app))
                    .as("connections left after the command")
                    .isEmpty();
        }
    }

    @Test
    void aOneShotCommandClosesItsPoolWhenItEnds() throws Exception {
        String app = application("schema");
        CliResult r = CliResult.run(
                Map.of("PGPASSWORD", TestPostgres.server().password()),
                "",
                "schema",
                "--url",
                url(app),
                "--user",
                TestPostgres.server().user());
        assertThat(r.exitCode()).as(r.err()).isZero();
        // this JVM lives on: only closing the pool ends the connection (Hikari would keep it idle for minutes)
        assertThat(awaitNoBackends(app)).isEmpty();
    }

    @Test
    void mcpServesStatementsFromItsPoolAndLeavesNoConnectionAtExit() throws Exception {
        String app = application("mcp");
        String saved = McpCommandIT.url;
        McpCommandIT.url = url(app);
        McpSyncClient client;
        try {
            client = McpCommandIT.stdioClient(null);
        } finally {
            McpCommandIT.url = saved;
        }
        McpSchema.CallToolResult one = McpCommandIT.query(client, PID);
        McpSchema.CallToolResult two = McpCommandIT.query(client, PID);
        assertThat(one.isError()).as(McpCommandIT.text(one)).isFalse();
        assertThat(two.isError()).as(McpCommandIT.text(two)).isFalse();
        int first = backendPid(McpCommandIT.text(one));
        int second = backendPid(McpCommandIT.text(two));
        Set<Integer> pooled = backends(app);
        assertThat(pooled).as("the server's open connections between calls").contains(first, second);
        assertThat(pooled.size()).isLessThanOrEqualTo(Pools.LONG_RUNNING_MAX_SIZE);

        client.closeGracefully();
        McpCommandIT.clients.remove(client);
        assertThat(awaitNoBackends(app))
                .as("connections left after the server ended")
                .isEmpty();
    }
}
