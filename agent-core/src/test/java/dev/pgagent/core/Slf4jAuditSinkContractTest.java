package dev.pgagent.core;

import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.testkit.contract.AuditSinkContract;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link AuditSinks#slf4j()} keeps the contract of an audit sink: one log event per audit event, in order. The
 * tests' SLF4J binding (slf4j-simple) prints each log event with one {@code println} on {@code System.err}, which
 * this test captures; an entry is one such log event of the logger {@code dev.pgagent.audit}. Logging cannot fail
 * (SLF4J bindings swallow their own failures), so this sink has no storage failure to check.
 */
class Slf4jAuditSinkContractTest extends AuditSinkContract {
    private static final String LOGGER = " dev.pgagent.audit - ";

    private final List<String> entries = new ArrayList<>();
    private PrintStream original;

    @BeforeEach
    void captureStandardError() {
        original = System.err;
        PrintStream forward = original;
        System.setErr(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8) {
            @Override
            public void println(String line) {
                if (line != null && line.contains(LOGGER)) {
                    synchronized (entries) {
                        entries.add(line);
                    }
                } else {
                    forward.println(line);
                }
            }
        });
    }

    @AfterEach
    void restoreStandardError() {
        System.setErr(original);
    }

    @Override
    protected AuditSink newSink() {
        synchronized (entries) {
            entries.clear();
        }
        return AuditSinks.slf4j();
    }

    @Override
    protected List<String> written() {
        synchronized (entries) {
            return List.copyOf(entries);
        }
    }
}
