package dev.pgagent.core;

import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.testkit.contract.AuditSinkContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;

/** {@link AuditSinks#jsonLines(Path)} keeps the contract of an audit sink: one JSON line per event, in order. */
class JsonLinesAuditSinkContractTest extends AuditSinkContract implements AuditSinkContract.StorageFailures {
    @TempDir
    Path dir;

    private Path file;

    @Override
    protected AuditSink newSink() {
        file = dir.resolve("audit-" + UUID.randomUUID() + ".jsonl");
        return AuditSinks.jsonLines(file);
    }

    @Override
    protected List<String> written() throws Exception {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    }

    /** The directory of the file does not exist, and the sink creates only the file. */
    @Override
    public AuditSink sinkWhoseStorageFails() {
        return AuditSinks.jsonLines(dir.resolve("no-such-directory").resolve("audit.jsonl"));
    }
}
