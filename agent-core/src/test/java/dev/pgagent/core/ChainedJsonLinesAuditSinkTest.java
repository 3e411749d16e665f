package dev.pgagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.audit.AuditChain;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.testkit.contract.AuditSinkContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AuditSinks#chainedJsonLines(Path)}: the sink contract, and a chain that verifies and continues. */
class ChainedJsonLinesAuditSinkTest extends AuditSinkContract implements AuditSinkContract.StorageFailures {
    @TempDir
    Path dir;

    private Path file;

    @Override
    protected AuditSink newSink() {
        file = dir.resolve("audit-" + UUID.randomUUID() + ".jsonl");
        return AuditSinks.chainedJsonLines(file);
    }

    @Override
    protected List<String> written() throws Exception {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    }

    @Override
    public AuditSink sinkWhoseStorageFails() {
        return AuditSinks.chainedJsonLines(dir.resolve("no-such-directory").resolve("audit.jsonl"));
    }

    private static AuditEvent event(int i) {
        return AuditEvent.builder(AuditEventType.QUERY_EXECUTED)
                .sql("SELECT " + i + " -- " + "x".repeat(i * 5000))
                .outcome("executed")
                .build();
    }

    private static AuditChain.Verification verify(Path file) throws Exception {
        AuditChain.Verifier v = AuditChain.verifier();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            v.acceptLine("line " + (i + 1), lines.get(i));
        }
        return v.result();
    }

    @Test
    void aNewSinkContinuesTheChainOfAnExistingFile() throws Exception {
        Path f = dir.resolve("chain.jsonl");
        for (int i = 0; i < 3; i++) {
            AuditSinks.chainedJsonLines(f).record(event(i));
        }
        // another JVM's sink: no state shared, the chain continues from the file's last line
        Path copy = dir.resolve("copy.jsonl");
        Files.copy(f, copy);
        new dev.pgagent.core.internal.JsonLinesAuditSink(copy, true).record(event(20));
        AuditSinks.chainedJsonLines(copy).record(event(1));

        assertThat(verify(f)).isEqualTo(new AuditChain.Verification(3, null, null));
        assertThat(verify(copy)).isEqualTo(new AuditChain.Verification(5, null, null));
        Files.writeString(copy, Files.readString(copy).replace("SELECT 20", "SELECT 21"));
        assertThat(verify(copy).brokenAt()).isEqualTo("line 4");
    }

    @Test
    void anEmptyFileStartsAChainAndAnUnchainedOneIsRefused() throws Exception {
        Path empty = dir.resolve("empty.jsonl");
        Files.writeString(empty, "\n");
        AuditSinks.chainedJsonLines(empty).record(event(1));
        assertThat(Files.readString(empty)).contains("\"prevHash\":\"" + AuditChain.GENESIS + "\"");

        Path plain = dir.resolve("plain.jsonl");
        AuditSinks.jsonLines(plain).record(event(1));
        assertThatThrownBy(() -> new dev.pgagent.core.internal.JsonLinesAuditSink(plain, true).record(event(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not a chained audit record");
    }
}
