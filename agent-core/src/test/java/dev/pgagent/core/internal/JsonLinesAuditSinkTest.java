package dev.pgagent.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.core.AuditSinks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesAuditSinkTest {
    @TempDir
    Path dir;

    @Test
    void appendsOneJsonObjectPerLine() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditSink sink = AuditSinks.jsonLines(file);
        sink.record(AuditEvent.builder(AuditEventType.QUERY_REFUSED)
                .sessionId("s1")
                .askId("a1")
                .sql("drop table \"x\"\n")
                .verdict(Verdict.deny(StatementKind.DDL, "DDL is not allowed", Set.of("x")))
                .outcome("refused")
                .attribute("reason", "DDL is not allowed")
                .build());
        AuditSinks.jsonLines(file)
                .record(AuditEvent.builder(AuditEventType.ASK_FINISHED).build());

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("type").asText()).isEqualTo("QUERY_REFUSED");
        assertThat(first.get("sql").asText()).isEqualTo("drop table \"x\"\n");
        assertThat(first.get("verdict").get("kind").asText()).isEqualTo("DDL");
        assertThat(first.get("verdict").get("tables").get(0).asText()).isEqualTo("x");
        assertThat(first.get("attributes").get("reason").asText()).isEqualTo("DDL is not allowed");
        assertThat(new ObjectMapper().readTree(lines.get(1)).has("sql")).isFalse();
    }

    @Test
    void concurrentWritersNeverInterleaveLines() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditSink sink = AuditSinks.jsonLines(file);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 400; i++) {
            int n = i;
            pool.submit(() -> sink.record(AuditEvent.builder(AuditEventType.TOOL_CALL)
                    .attribute("n", n)
                    .attribute("pad", "y".repeat(500))
                    .build()));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();

        List<String> lines = Files.readAllLines(file);
        Set<String> ns = new HashSet<>();
        ObjectMapper mapper = new ObjectMapper();
        for (String line : lines) {
            ns.add(mapper.readTree(line).get("attributes").get("n").asText());
        }
        assertThat(lines).hasSize(400);
        assertThat(ns).hasSize(400);
    }
}
