package dev.pgagent.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresDatabase;
import dev.pgagent.testsupport.TestPostgres;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MCP server in this JVM over Streamable HTTP, driven by the MCP SDK's client against a real PostgreSQL: a
 * BALANCED server whose "writer" token uses it and whose "reader" token is limited to a read-only agent.
 */
class McpHttpIT {
    static final String READER = "reader-secret-0123456789";
    static final String WRITER = "writer-secret-0123456789";

    static DataSource ds;
    static PostgresAgent balanced;
    static PostgresAgent readOnly;
    static PgAgentMcpServer server;
    static McpHttpServer http;
    static final List<McpSyncClient> clients = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        ds = TestPostgres.freshDatabase("mcp_http");
        TestDatabase.create(ds);
        PostgresDatabase db = PostgresDatabase.of(ds);
        McpConfirmations confirmations = McpConfirmations.create();
        balanced = PostgresAgent.builder()
                .llm(PgAgentMcpServer.noModel())
                .database(db)
                .policy(SafetyPolicy.builder()
                        .level(PolicyLevel.BALANCED)
                        .maxRows(10)
                        .build())
                .confirmationHandler(confirmations)
                .build();
        readOnly = PostgresAgent.builder()
                .llm(PgAgentMcpServer.noModel())
                .database(db)
                .policy(SafetyPolicy.builder().maxRows(10).build())
                .confirmationHandler(confirmations)
                .build();
        server = PgAgentMcpServer.builder()
                .agent(balanced)
                .confirmations(confirmations)
                .build();
        http = server.serveHttp(McpHttpOptions.builder()
                .port(0)
                .addToken(McpToken.of("writer", WRITER))
                .addToken(McpToken.of("reader", READER).withAgent(readOnly))
                .maxRequestBytes(64 * 1024)
                .build());
    }

    @AfterAll
    static void stop() {
        clients.forEach(McpSyncClient::closeGracefully);
        http.close();
        server.close();
        balanced.close();
        readOnly.close();
    }

    static McpSyncClient client(
            String secret,
            @Nullable CancellingTransport[] transport,
            @Nullable Function<McpSchema.ElicitFormRequest, McpSchema.ElicitResult> elicitation) {
        HttpClientStreamableHttpTransport t = HttpClientStreamableHttpTransport.builder(
                        "http://127.0.0.1:" + http.port())
                .endpoint("/mcp")
                .httpRequestCustomizer((b, method, uri, body, ctx) -> b.header("Authorization", "Bearer " + secret))
                .build();
        CancellingTransport ct = new CancellingTransport(t);
        if (transport != null) {
            transport[0] = ct;
        }
        McpClient.SyncSpec spec = McpClient.sync(ct)
                .clientInfo(McpSchema.Implementation.builder("it-client", "1.0").build())
                .requestTimeout(Duration.ofMinutes(2));
        if (elicitation != null) {
            spec.capabilities(
                            McpSchema.ClientCapabilities.builder().elicitation().build())
                    .elicitation(elicitation);
        }
        McpSyncClient c = spec.build();
        clients.add(c);
        c.initialize();
        return c;
    }

    static McpSchema.CallToolResult query(McpSyncClient c, String sql) {
        return c.callTool(McpSchema.CallToolRequest.builder("execute_query")
                .arguments(Map.of("sql", sql))
                .build());
    }

    static String text(McpSchema.CallToolResult r) {
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> structured(McpSchema.CallToolResult r) {
        return (Map<String, Object>) r.structuredContent();
    }

    @Test
    void listsEveryGuardedToolWithAnnotationsFollowingEachTokensPolicy() {
        McpSyncClient reader = client(READER, null, null);
        McpSyncClient writer = client(WRITER, null, null);

        List<McpSchema.Tool> readerTools = reader.listTools().tools();
        assertThat(readerTools)
                .extracting(McpSchema.Tool::name)
                .containsExactlyElementsOf(readOnly.guardedPath("t").tools().stream()
                        .map(t -> t.name())
                        .toList())
                .contains(
                        "execute_query",
                        "list_tables",
                        "describe_table",
                        "get_schema",
                        "explain_query",
                        "search_schema");
        McpSchema.Tool readQuery = tool(readerTools, "execute_query");
        assertThat(readQuery.annotations().readOnlyHint()).isTrue();
        assertThat(readQuery.annotations().destructiveHint()).isFalse();
        assertThat(readQuery.description()).contains("read-only").contains("untrusted-data");
        assertThat(readQuery.inputSchema()).containsKey("properties");
        assertThat(readQuery.outputSchema()).containsKey("properties");
        assertThat(readerTools)
                .filteredOn(t -> !t.name().equals("execute_query"))
                .allSatisfy(t -> assertThat(t.annotations().destructiveHint()).isFalse());

        McpSchema.Tool writeQuery = tool(writer.listTools().tools(), "execute_query");
        assertThat(writeQuery.annotations().readOnlyHint()).isFalse();
        assertThat(writeQuery.annotations().destructiveHint()).isTrue();
        assertThat(tool(writer.listTools().tools(), "list_tables").annotations().readOnlyHint())
                .isTrue();
        assertThat(reader.getServerInstructions()).contains("read-only").contains("untrusted-data");
        assertThat(writer.getServerInstructions()).contains("balanced");
    }

    @Test
    void returnsRowsAsUntrustedDataWithStructuredContent() {
        McpSyncClient c = client(READER, null, null);

        McpSchema.CallToolResult r = query(c, "SELECT id, name, note FROM items WHERE id <= 8 ORDER BY id");

        assertThat(r.isError()).isFalse();
        String text = text(r);
        int open = text.indexOf('>', text.indexOf("\n<untrusted-data-"));
        String tag = text.substring(text.indexOf("\n<untrusted-data-") + 2, open);
        int close = text.lastIndexOf("</" + tag + ">");
        assertThat(close).isGreaterThan(open);
        // the injection stored in the table sits inside the block; the block closes only with the random tag
        assertThat(text.indexOf("IGNORE ALL PREVIOUS INSTRUCTIONS")).isBetween(open, close);
        assertThat(text.substring(0, text.indexOf('\n'))).contains("8 rows").contains("complete");
        assertThat(text).contains("item 8").contains("comes from the database");
        Map<String, Object> s = structured(r);
        assertThat(s)
                .containsEntry("status", "executed")
                .containsEntry("moreRows", false)
                .containsEntry("rowCount", 8)
                .containsEntry("truncatedBy", "none");
        assertThat((List<?>) s.get("rows"))
                .hasSize(8)
                .element(6)
                .isEqualTo(List.of("7", "item 7", TestDatabase.INJECTION));
        assertThat((List<?>) s.get("columns")).hasSize(3);
    }

    @Test
    void saysExactlyWhetherMoreRowsExist() {
        McpSyncClient c = client(READER, null, null);

        Map<String, Object> exactlyTen = structured(query(c, "SELECT id FROM items WHERE id <= 10 ORDER BY id"));
        Map<String, Object> eleven = structured(query(c, "SELECT id FROM items WHERE id <= 11 ORDER BY id"));
        McpSchema.CallToolResult all = query(c, "SELECT id FROM items ORDER BY id");

        assertThat(exactlyTen).containsEntry("rowCount", 10).containsEntry("moreRows", false);
        assertThat(eleven)
                .containsEntry("rowCount", 10)
                .containsEntry("moreRows", true)
                .containsEntry("truncatedBy", "row_limit");
        assertThat(structured(all)).containsEntry("moreRows", true);
        assertThat(text(all)).contains("MORE ROWS EXIST");
    }

    @Test
    void refusesTheAttackCorpusAndLeavesTheDatabaseUnchanged() throws Exception {
        String before = TestDatabase.fingerprint(ds);
        McpSyncClient reader = client(READER, null, null);
        McpSyncClient writerWithoutElicitation = client(WRITER, null, null);

        for (String attack : TestDatabase.ATTACKS) {
            McpSchema.CallToolResult r = query(reader, attack);
            assertThat(r.isError()).as(attack).isTrue();
            assertThat(structured(r)).as(attack).containsEntry("status", "refused");
            McpSchema.CallToolResult w = query(writerWithoutElicitation, attack);
            assertThat(w.isError()).as(attack).isTrue();
            assertThat(structured(w).get("status")).as(attack).isIn("refused", "declined");
        }

        assertThat(TestDatabase.fingerprint(ds)).isEqualTo(before);
    }

    @Test
    void asksTheClientsUserBeforeAWriteAndDeclinesWithoutAWayToAsk() throws Exception {
        List<McpSchema.ElicitFormRequest> asked = new CopyOnWriteArrayList<>();
        McpSyncClient approving = client(WRITER, null, request -> {
            asked.add(request);
            return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, Map.of("approve", true));
        });
        McpSyncClient refusing = client(
                WRITER, null, request -> new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.DECLINE, null));
        McpSyncClient cannotAsk = client(WRITER, null, null);

        McpSchema.CallToolResult declined = query(refusing, "UPDATE items SET name = 'declined' WHERE id = 2");
        McpSchema.CallToolResult noWay = query(cannotAsk, "UPDATE items SET name = 'unasked' WHERE id = 2");
        McpSchema.CallToolResult approved = query(approving, "UPDATE items SET name = 'renamed' WHERE id = 1");

        assertThat(structured(declined)).containsEntry("status", "declined");
        assertThat(structured(noWay)).containsEntry("status", "declined");
        assertThat(text(noWay)).contains("elicitation");
        assertThat(approved.isError()).as(text(approved)).isFalse();
        assertThat(structured(approved)).containsEntry("status", "executed").containsEntry("affectedRows", 1);
        assertThat(asked).singleElement().satisfies(a -> {
            assertThat(a.message())
                    .contains("UPDATE items SET name = 'renamed' WHERE id = 1")
                    .contains("1 row");
            assertThat(a.requestedSchema()).containsKey("properties");
        });
        assertThat(names()).containsEntry(1, "renamed").containsEntry(2, "item 2");
    }

    @Test
    void cancelsASlowStatementOnTheServer() throws Exception {
        CancellingTransport[] t = new CancellingTransport[1];
        McpSyncClient c = client(READER, t, null);
        CompletableFuture<McpSchema.CallToolResult> call =
                CompletableFuture.supplyAsync(() -> query(c, TestDatabase.SLOW_SQL));
        TestDatabase.awaitRunning(ds, "generate_series(1, 200000) a", true);

        t[0].cancel(t[0].toolCallIds.get(t[0].toolCallIds.size() - 1));

        TestDatabase.awaitRunning(ds, "generate_series(1, 200000) a", false);
        McpSchema.CallToolResult r = call.get();
        assertThat(r.isError()).isTrue();
        assertThat(text(r)).containsIgnoringCase("cancelled");
    }

    @Test
    void servesFiftyClientsAtOnceWhileAnotherRunsASlowStatement() throws Exception {
        // a cold JVM on two cores parses slowly; the validator refuses (fail-closed) what it cannot parse in 2 s
        McpSyncClient warm = client(READER, null, null);
        for (int i = 0; i < 20; i++) {
            query(warm, "SELECT id, name FROM items WHERE id = " + (i + 1));
        }
        CancellingTransport[] t = new CancellingTransport[1];
        McpSyncClient slow = client(READER, t, null);
        CompletableFuture<McpSchema.CallToolResult> slowCall =
                CompletableFuture.supplyAsync(() -> query(slow, TestDatabase.SLOW_SQL));
        TestDatabase.awaitRunning(ds, "generate_series(1, 200000) a", true);

        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<Map<String, Object>>> results = new ArrayList<>();
            for (int i = 1; i <= 50; i++) {
                int id = (i % 30) + 1;
                results.add(pool.submit(() -> {
                    McpSyncClient c = client(i2(id) ? WRITER : READER, null, null);
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

        assertThat(TestDatabase.running(ds, "generate_series(1, 200000) a")).isOne();
        assertThat(slowCall).isNotDone();
        t[0].cancel(t[0].toolCallIds.get(0));
        assertThat(slowCall.get().isError()).isTrue();
        TestDatabase.awaitRunning(ds, "generate_series(1, 200000) a", false);
    }

    private static boolean i2(int id) {
        return id % 2 == 0;
    }

    @Test
    void offersEachTablesSchemaAsAResource() {
        McpSyncClient c = client(READER, null, null);

        List<McpSchema.Resource> resources = c.listResources().resources();
        McpSchema.Resource items = resources.stream()
                .filter(r -> r.name().equals("public.items"))
                .findFirst()
                .orElseThrow();
        McpSchema.ReadResourceResult read = c.readResource(items);

        assertThat(items.uri()).isEqualTo("pgagent://schema/default/public.items");
        assertThat(((McpSchema.TextResourceContents) read.contents().get(0)).text())
                .contains("untrusted-data")
                .contains("name")
                .contains("Things for sale");
    }

    @Test
    void refusesMissingAndWrongTokensWrongOriginsWrongHostsAndLargeBodies() throws Exception {
        HttpClient h = HttpClient.newHttpClient();
        URI uri = http.endpoint();
        String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";

        assertThat(post(h, uri, init, null, null).statusCode()).isEqualTo(401);
        HttpResponse<String> wrong = post(h, uri, init, "Bearer not-the-secret-0123456789", null);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(post(h, uri, init, "Bearer " + READER, "http://evil.example").statusCode())
                .isEqualTo(403);
        assertThat(post(h, uri, init, "Bearer " + READER, "http://localhost.evil.example:80")
                        .statusCode())
                .isEqualTo(403);
        assertThat(post(h, uri, init, "Bearer " + READER, "http://localhost:6274")
                        .statusCode())
                .isEqualTo(200);
        assertThat(post(h, uri, init, "Bearer " + READER, null).statusCode()).isEqualTo(200);
        // the server answers 413 from the Content-Length and closes the connection; a client still writing the body
        // may see the close before it reads the answer: either way the body was refused
        int large;
        try {
            large = post(h, uri, "{\"pad\":\"" + "x".repeat(70_000) + "\"}", "Bearer " + READER, null)
                    .statusCode();
        } catch (java.io.IOException closedWhileSending) {
            large = 413;
        }
        assertThat(large).isEqualTo(413);
        assertThat(rawStatus("evil.example:" + http.port(), init)).isEqualTo(421);
        assertThat(rawStatus("127.0.0.1:" + http.port(), init)).isEqualTo(200);
    }

    @Test
    void limitsTheRateOfEachToken() throws Exception {
        PgAgentMcpServer limited =
                PgAgentMcpServer.builder().agent(readOnly).tableResources(false).build();
        try (McpHttpServer s = limited.serveHttp(McpHttpOptions.builder()
                .port(0)
                .addToken(McpToken.of("one", READER))
                .rateLimit(1, 2)
                .build())) {
            HttpClient h = HttpClient.newHttpClient();
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                statuses.add(
                        post(h, s.endpoint(), "{}", "Bearer " + READER, null).statusCode());
            }
            assertThat(statuses).contains(429);
        } finally {
            limited.close();
        }
    }

    private static McpSchema.Tool tool(List<McpSchema.Tool> tools, String name) {
        return tools.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static HttpResponse<String> post(
            HttpClient h, URI uri, String body, @Nullable String auth, @Nullable String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        return h.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends a request with the given Host header (which java.net.http does not let a caller set). */
    private static int rawStatus(String host, String body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", http.port())) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(("POST /mcp HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + READER
                            + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                            + "Content-Length: " + b.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.write(b);
            out.flush();
            String status =
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    private static Map<Integer, String> names() throws Exception {
        Map<Integer, String> out = new java.util.HashMap<>();
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, name FROM items")) {
            while (rs.next()) {
                out.put(rs.getInt(1), rs.getString(2));
            }
        }
        return out;
    }
}
