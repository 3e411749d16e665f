package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.testsupport.TestPostgres;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code pg-agent mcp} as a subprocess (the shaded jar), driven by the MCP SDK's client over stdio and over
 * Streamable HTTP against a real PostgreSQL: tools, a read, the attack corpus, cancellation, authentication and
 * Origin checks, and fifty clients at once.
 */
class McpCommandIT {
    private static final String TOKEN = "it-token-0123456789abcdef";
    private static final String SLOW = "generate_series(1, 200000) a";

    static DataSource ds;
    static String url;
    static Process httpServer;
    static URI endpoint;
    static final List<McpSyncClient> clients = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        ds = TestPostgres.freshDatabase("mcp_cli");
        McpTestDatabase.create(ds);
        url = TestPostgres.server().jdbcUrl(McpTestDatabase.databaseName(ds));
        ProcessBuilder pb = new ProcessBuilder(command(
                "--transport",
                "http",
                "--port",
                "0",
                // one token serves every test of the class (fifty clients among them): rate limits are McpHttpIT's
                "--rate-limit",
                "100000",
                "--burst",
                "100000"));
        pb.environment().putAll(env());
        pb.environment().put("PGAGENT_MCP_TOKEN", TOKEN);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        httpServer = pb.start();
        BufferedReader err =
                new BufferedReader(new InputStreamReader(httpServer.getErrorStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder seen = new StringBuilder();
        while ((line = err.readLine()) != null && !line.contains("listening on ")) {
            seen.append(line).append('\n');
        }
        assertThat(line).as("the server's standard error:\n%s", seen).isNotNull();
        endpoint = URI.create(line.replaceAll(".*listening on (\\S+).*", "$1"));
        Thread drain = new Thread(() -> err.lines().forEach(l -> {}), "drain-mcp-stderr");
        drain.setDaemon(true);
        drain.start();
    }

    @AfterAll
    static void stop() throws Exception {
        clients.forEach(McpSyncClient::closeGracefully);
        if (httpServer != null) {
            httpServer.destroy();
            assertThat(httpServer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    static List<String> command(String... extra) {
        Path jar = Path.of("target", "pg-agent.jar");
        assertThat(jar).as("the shaded jar, built in the package phase").exists();
        List<String> c = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toAbsolutePath().toString(),
                "mcp",
                "--url",
                url,
                "--user",
                TestPostgres.server().user()));
        c.addAll(List.of(extra));
        return c;
    }

    static Map<String, String> env() {
        return Map.of("PGPASSWORD", TestPostgres.server().password());
    }

    static McpSyncClient stdioClient(McpTestTransport[] out) {
        List<String> c = command();
        ServerParameters params = ServerParameters.builder(c.get(0))
                .args(c.subList(1, c.size()))
                .env(env())
                .build();
        return connect(
                new StdioClientTransport(
                        params, new JacksonMcpJsonMapper(new com.fasterxml.jackson.databind.ObjectMapper())),
                out);
    }

    static McpSyncClient httpClient(McpTestTransport[] out) {
        return connect(
                HttpClientStreamableHttpTransport.builder(endpoint.getScheme() + "://" + endpoint.getAuthority())
                        .endpoint(endpoint.getPath())
                        .httpRequestCustomizer(
                                (b, method, uri, body, ctx) -> b.header("Authorization", "Bearer " + TOKEN))
                        .build(),
                out);
    }

    static McpSyncClient connect(McpClientTransport transport, McpTestTransport[] out) {
        McpTestTransport t = new McpTestTransport(transport);
        if (out != null) {
            out[0] = t;
        }
        McpSyncClient c = McpClient.sync(t)
                .clientInfo(McpSchema.Implementation.builder("cli-it", "1.0").build())
                .requestTimeout(Duration.ofMinutes(2))
                .initializationTimeout(Duration.ofMinutes(1))
                .build();
        clients.add(c);
        c.initialize();
        return c;
    }

    static McpSchema.CallToolResult query(McpSyncClient c, String sql) {
        return c.callTool(McpSchema.CallToolRequest.builder("execute_query")
                .arguments(Map.of("sql", sql))
                .build());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> structured(McpSchema.CallToolResult r) {
        return (Map<String, Object>) r.structuredContent();
    }

    static String text(McpSchema.CallToolResult r) {
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    @Test
    void servesToolsReadsRefusalsAndCancellationOverStdio() throws Exception {
        McpTestTransport[] t = new McpTestTransport[1];
        exercise(stdioClient(t), () -> t[0]);
    }

    @Test
    void servesToolsReadsRefusalsAndCancellationOverHttp() throws Exception {
        McpTestTransport[] t = new McpTestTransport[1];
        exercise(httpClient(t), () -> t[0]);
    }

    private static void exercise(McpSyncClient c, Supplier<McpTestTransport> transport) throws Exception {
        List<McpSchema.Tool> tools = c.listTools().tools();
        assertThat(tools)
                .extracting(McpSchema.Tool::name)
                .contains(
                        "execute_query",
                        "list_tables",
                        "describe_table",
                        "get_schema",
                        "explain_query",
                        "search_schema");
        McpSchema.Tool execute = tools.stream()
                .filter(x -> x.name().equals("execute_query"))
                .findFirst()
                .orElseThrow();
        assertThat(execute.annotations().readOnlyHint()).isTrue();
        assertThat(execute.annotations().destructiveHint()).isFalse();

        McpSchema.CallToolResult read = query(c, "SELECT id, name FROM items WHERE id <= 3 ORDER BY id");
        assertThat(read.isError()).as(text(read)).isFalse();
        assertThat(structured(read)).containsEntry("rowCount", 3).containsEntry("moreRows", false);
        assertThat((List<?>) structured(read).get("rows")).element(2).isEqualTo(List.of("3", "item 3"));
        assertThat(text(read)).contains("item 2").contains("untrusted-data");

        String before = McpTestDatabase.fingerprint(ds);
        for (String attack : McpTestDatabase.ATTACKS) {
            McpSchema.CallToolResult r = query(c, attack);
            assertThat(r.isError()).as(attack).isTrue();
            assertThat(structured(r)).as(attack).containsEntry("status", "refused");
        }
        assertThat(McpTestDatabase.fingerprint(ds)).isEqualTo(before);

        int calls = transport.get().toolCallIds.size();
        CompletableFuture<McpSchema.CallToolResult> slow =
                CompletableFuture.supplyAsync(() -> query(c, McpTestDatabase.SLOW_SQL));
        McpTestDatabase.awaitRunning(ds, SLOW, true);
        transport.get().cancel(transport.get().toolCallIds.get(calls));
        McpTestDatabase.awaitRunning(ds, SLOW, false);
        assertThat(text(slow.get())).containsIgnoringCase("cancelled");
    }

    @Test
    void refusesMissingAndWrongTokensAndWrongOrigins() throws Exception {
        HttpClient h = HttpClient.newHttpClient();
        String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";

        assertThat(post(h, init, null, null)).isEqualTo(401);
        assertThat(post(h, init, "Bearer wrong-token-0123456789abcdef", null)).isEqualTo(401);
        assertThat(post(h, init, "Bearer " + TOKEN.substring(0, TOKEN.length() - 1), null))
                .isEqualTo(401);
        assertThat(post(h, init, "Bearer " + TOKEN, "https://attacker.example")).isEqualTo(403);
        assertThat(post(h, init, "Bearer " + TOKEN, null)).isEqualTo(200);
    }

    @Test
    void servesFiftyHttpClientsAtOnce() throws Exception {
        // a cold JVM on two cores parses slowly; the validator refuses (fail-closed) what it cannot parse in 2 s
        McpSyncClient warm = httpClient(null);
        for (int i = 0; i < 20; i++) {
            query(warm, "SELECT id, name FROM items WHERE id = " + (i + 1));
        }
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<Map<String, Object>>> results = new ArrayList<>();
            for (int i = 1; i <= 50; i++) {
                int id = (i % 30) + 1;
                results.add(pool.submit(() -> {
                    McpSyncClient c = httpClient(null);
                    assertThat(c.listTools().tools()).isNotEmpty();
                    return structured(query(c, "SELECT id, name FROM items WHERE id = " + id));
                }));
            }
            for (Future<Map<String, Object>> f : results) {
                assertThat(f.get()).containsEntry("status", "executed").containsEntry("rowCount", 1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void writesTheAuditTrailWithTheClientAsCaller() throws Exception {
        Path audit = Files.createTempFile("mcp-audit", ".jsonl");
        List<String> c = command("--audit", audit.toString());
        McpSyncClient client = connect(
                new StdioClientTransport(
                        ServerParameters.builder(c.get(0))
                                .args(c.subList(1, c.size()))
                                .env(env())
                                .build(),
                        new JacksonMcpJsonMapper(new com.fasterxml.jackson.databind.ObjectMapper())),
                null);

        query(client, "SELECT count(*) FROM items");
        query(client, "DROP TABLE items");
        client.closeGracefully();

        String trail = Files.readString(audit);
        assertThat(trail).contains("mcp:cli-it:").contains("QUERY_EXECUTED").contains("QUERY_REFUSED");
    }

    private static int post(HttpClient h, String body, String auth, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        return h.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
