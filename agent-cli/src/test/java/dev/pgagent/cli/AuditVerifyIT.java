package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.core.AuditSinks;
import dev.pgagent.db.postgres.PostgresAuditSink;
import dev.pgagent.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pg-agent audit verify}: a chained file and the audit table, intact and tampered with. */
class AuditVerifyIT {
    @TempDir
    Path dir;

    private static AuditEvent event(int i) {
        return AuditEvent.builder(AuditEventType.QUERY_EXECUTED)
                .sql("SELECT " + i)
                .outcome("executed")
                .attribute("database", "shop")
                .attribute("ms", i)
                .build();
    }

    @Test
    void verifiesAFileAndReportsItsFirstBrokenLine() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditSink sink = AuditSinks.chainedJsonLines(file);
        for (int i = 0; i < 4; i++) {
            sink.record(event(i));
        }

        CliResult ok = CliResult.run("audit", "verify", file.toString());
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("OK: 4 audit record(s)");

        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        lines.set(2, lines.get(2).replace("SELECT 2", "SELECT 7"));
        Files.write(file, lines, StandardCharsets.UTF_8);
        CliResult broken = CliResult.run("audit", "verify", file.toString());
        assertThat(broken.exitCode()).isEqualTo(1);
        assertThat(broken.out())
                .contains("BROKEN at line 3")
                .contains("changed")
                .contains("2 record(s)");

        assertThat(CliResult.run("audit", "verify").exitCode()).isEqualTo(2);
        assertThat(CliResult.run("audit", "verify", dir.resolve("none").toString())
                        .err())
                .contains("no such file");
        assertThat(CliResult.run("audit").exitCode()).isEqualTo(2);
    }

    @Test
    void verifiesTheAuditTable() throws Exception {
        DataSource ds = TestPostgres.freshDatabase("cli_audit");
        try (PostgresAuditSink sink =
                PostgresAuditSink.builder().dataSource(ds).schema("audit").build()) {
            for (int i = 0; i < 3; i++) {
                sink.record(event(i));
            }
        }
        String url = DemoData.urlOf(ds);

        CliResult ok = CliResult.run(DemoData.env(Map.of()), "", "audit", "verify", "--jdbc", url, "--schema", "audit");
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("OK: 3 audit record(s) in audit.audit_events");

        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute("DELETE FROM audit.audit_events WHERE id = (SELECT min(id) FROM audit.audit_events)");
        }
        CliResult broken =
                CliResult.run(DemoData.env(Map.of()), "", "audit", "verify", "--jdbc", url, "--schema", "audit");
        assertThat(broken.exitCode()).isEqualTo(1);
        assertThat(broken.out()).contains("BROKEN at row 2").contains("removed");
        assertThat(CliResult.run(DemoData.env(Map.of()), "", "audit", "verify", "--jdbc", url, "--schema", "a-b")
                        .exitCode())
                .isEqualTo(2);
    }
}
