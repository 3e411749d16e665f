package dev.pgagent.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AuditFailurePolicy;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresAuditSink;
import dev.pgagent.db.postgres.PostgresHistoryStore;
import dev.pgagent.db.postgres.PostgresSessionStore;
import dev.pgagent.llm.openai.OpenAiLlmClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One node of {@link TwoNodeBenchmark}: a {@link PostgresAgent} with the OpenAI adapter, a {@link PostgresSessionStore},
 * a {@link PostgresHistoryStore} and a {@link PostgresAuditSink} (chain {@code node-<name>}, fail-closed) over the
 * shared database, driven over stdin/stdout with one JSON object a line. Commands ({@code id} echoed in the reply):
 * {@code {"op":"ask","session":s,"question":q}}, {@code {"op":"resume","session":s,"decisions":{id:"approve"|
 * "decline"}}} (either waits until {@code "at":epochMillis} when given, so that two nodes start at once) and {@code {"op":"stop"}},
 * which waits for the running commands, closes the agent and the audit sink (writing what is queued) and replies with
 * what the node audited. Logs go to stderr. Arguments: name, the model's base URL, the JDBC URL, the schema; the
 * database user and password come from {@code TWONODE_PG_USER} and {@code TWONODE_PG_PASSWORD}.
 */
public final class TwoNodeMain {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PrintStream OUT =
            new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);

    private TwoNodeMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: TwoNodeMain name modelBaseUrl jdbcUrl schema");
            System.exit(2);
        }
        // Everything the libraries print goes to stderr; stdout carries the protocol only.
        System.setOut(System.err);
        String name = args[0];
        PGSimpleDataSource physical = new PGSimpleDataSource();
        physical.setUrl(args[2]);
        physical.setUser(Objects.requireNonNullElse(System.getenv("TWONODE_PG_USER"), "postgres"));
        physical.setPassword(Objects.requireNonNullElse(System.getenv("TWONODE_PG_PASSWORD"), ""));
        physical.setApplicationName("twonode-" + name);
        BenchmarkPool pool = new BenchmarkPool(physical);
        String schema = args[3];
        PostgresAuditSink audit = PostgresAuditSink.builder()
                .dataSource(pool)
                .schema(schema)
                .chain("node-" + name)
                .timeout(Duration.ofSeconds(60))
                .build();
        Counting counting = new Counting(audit);
        PostgresAgent agent = PostgresAgent.builder()
                .llm(OpenAiLlmClient.builder()
                        .baseUrl(args[1])
                        .apiKey("sk-twonode-bench")
                        .model("gpt-4o-mini")
                        .streaming(false)
                        .retries(false)
                        .readTimeout(Duration.ofSeconds(60))
                        .build())
                .dataSource(pool)
                .policy(SafetyPolicy.builder().level(PolicyLevel.BALANCED).build())
                .confirmationHandler(dev.pgagent.api.safety.ConfirmationHandler.DEFER_ALL)
                .sessionStore(PostgresSessionStore.builder()
                        .dataSource(pool)
                        .schema(schema)
                        .build())
                .historyStore(PostgresHistoryStore.builder()
                        .dataSource(pool)
                        .schema(schema)
                        .build())
                .queryMemory(false)
                .schemaContextTokens(0)
                .valueGrounding(false)
                .addAuditSink(counting)
                .auditFailurePolicy(AuditFailurePolicy.FAIL_CLOSED)
                .timeout(Duration.ofSeconds(90))
                .build();
        new TwoNodeMain().serve(name, agent, audit, counting);
    }

    private final AtomicLong executedReported = new AtomicLong();

    private void serve(String name, PostgresAgent agent, PostgresAuditSink audit, Counting counting) throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(16);
        reply(JSON.createObjectNode().put("ready", true).put("node", name).put("chain", audit.chain()));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            JsonNode command = JSON.readTree(line);
            if (command.path("op").asText().equals("stop")) {
                workers.shutdown();
                boolean idle = workers.awaitTermination(5, TimeUnit.MINUTES);
                agent.close();
                audit.close();
                ObjectNode r = JSON.createObjectNode()
                        .put("id", command.path("id").asLong())
                        .put("ok", idle)
                        .put("chain", audit.chain())
                        .put("executed", executedReported.get())
                        .put("written", audit.written())
                        .put("failed", audit.failed())
                        .put("dropped", audit.dropped());
                ObjectNode types = r.putObject("audited");
                counting.byType.forEach((type, n) -> types.put(type, n.get()));
                reply(r);
                System.exit(0);
            }
            workers.execute(() -> reply(handle(agent, command)));
        }
        // The coordinator went away: write what is queued and leave.
        audit.close();
        System.exit(3);
    }

    private ObjectNode handle(PostgresAgent agent, JsonNode command) {
        ObjectNode r = JSON.createObjectNode().put("id", command.path("id").asLong());
        String session = command.path("session").asText();
        try {
            AgentResponse response;
            long t0;
            long wait = command.path("at").asLong() - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
            long startMs = System.currentTimeMillis();
            r.put("startMs", startMs);
            if (command.path("op").asText().equals("ask")) {
                t0 = System.nanoTime();
                response = agent.askInSession(session, command.path("question").asText());
            } else {
                Map<String, ConfirmationDecision> decisions = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> d : command.path("decisions").properties()) {
                    decisions.put(
                            d.getKey(),
                            d.getValue().asText().equals("approve")
                                    ? ConfirmationDecision.approve("twonode")
                                    : ConfirmationDecision.decline("twonode", "not today"));
                }
                t0 = System.nanoTime();
                response = agent.resumeSession(session, decisions);
            }
            long executed = response.statements().stream()
                    .filter(StatementOutcome::isExecuted)
                    .count();
            executedReported.addAndGet(executed);
            r.put("ok", true)
                    .put("nanos", System.nanoTime() - t0)
                    .put("endMs", System.currentTimeMillis())
                    .put("status", response.status().name())
                    .put("answer", response.answer())
                    .put("executed", executed);
            response.error().ifPresent(e -> r.put("message", e));
            for (ConfirmationRequest c : response.pendingConfirmations()) {
                r.withArray("pending").add(c.id());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r.put("ok", false).put("error", e.getClass().getSimpleName()).put("message", "interrupted");
        } catch (RuntimeException e) {
            r.put("ok", false)
                    .put("error", e.getClass().getSimpleName())
                    .put("message", String.valueOf(e.getMessage()));
        }
        return r;
    }

    private static void reply(ObjectNode r) {
        String line = r.toString();
        synchronized (OUT) {
            OUT.println(line);
            OUT.flush();
        }
    }

    /** Counts, by type, the events the sink took (returned from {@code record} without throwing). */
    private static final class Counting implements AuditSink {
        final AuditSink sink;
        final Map<String, AtomicLong> byType = new ConcurrentHashMap<>();

        Counting(AuditSink sink) {
            this.sink = sink;
        }

        @Override
        public void record(AuditEvent event) {
            sink.record(event);
            byType.computeIfAbsent(event.type().name(), t -> new AtomicLong()).incrementAndGet();
        }
    }
}
