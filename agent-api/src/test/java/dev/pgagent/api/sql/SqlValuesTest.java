package dev.pgagent.api.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SqlValuesTest {
    private static final List<ResultColumn> COLUMNS =
            List.of(new ResultColumn("id", "int4", Types.INTEGER), new ResultColumn("name", "text", Types.VARCHAR));

    @Test
    void queryResultCopiesRowsAndChecksTheirWidth() {
        List<String> row = new ArrayList<>(List.of("1", "ada"));
        QueryResult r = QueryResult.builder()
                .columns(COLUMNS)
                .addRow(row)
                .addRow(Arrays.asList("2", null))
                .truncation(Truncation.ROW_LIMIT)
                .byteCount(12)
                .elapsed(Duration.ofMillis(3))
                .build();
        row.set(1, "changed");
        assertThat(r.rows()).containsExactly(List.of("1", "ada"), Arrays.asList("2", null));
        assertThat(r.rowCount()).isEqualTo(2);
        assertThat(r.isTruncated()).isTrue();
        assertThat(r.byteCount()).isEqualTo(12);
        assertThat(r.elapsed()).isEqualTo(Duration.ofMillis(3));
        assertThat(r.columns()).isEqualTo(COLUMNS);
        assertThat(r).hasToString("QueryResult{columns=2, rows=2, truncation=ROW_LIMIT, elapsed=PT0.003S}");
        assertThatThrownBy(() -> r.rows().get(0).set(0, "x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> QueryResult.builder().columns(COLUMNS).addRow(List.of("1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row must have 2 values but had 1");
        assertThatThrownBy(() -> QueryResult.builder().byteCount(-1)).hasMessage("byteCount must be >= 0 but was -1");
        assertThatThrownBy(() -> QueryResult.builder().truncation(null)).hasMessage("truncation == null");
    }

    @Test
    void queryResultsAreEqualByColumnsRowsAndTruncationOnly() {
        QueryResult a = QueryResult.builder()
                .columns(COLUMNS)
                .addRow(List.of("1", "x"))
                .elapsed(Duration.ofSeconds(1))
                .build();
        QueryResult b = QueryResult.builder()
                .columns(COLUMNS)
                .addRow(List.of("1", "x"))
                .elapsed(Duration.ofSeconds(9))
                .byteCount(100)
                .build();
        QueryResult c = QueryResult.builder()
                .columns(COLUMNS)
                .addRow(List.of("1", "x"))
                .truncation(Truncation.BYTE_LIMIT)
                .build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
        assertThat(a.isTruncated()).isFalse();
        assertThat(QueryResult.builder().build().rowCount()).isZero();
    }

    @Test
    void exportFormatsComeFromFileNamesAndNames() {
        assertThat(ExportFormat.fromFileName("out.CSV")).hasValue(ExportFormat.CSV);
        assertThat(ExportFormat.fromFileName("a.b.ndjson")).hasValue(ExportFormat.JSONL);
        assertThat(ExportFormat.fromFileName("report.markdown")).hasValue(ExportFormat.MARKDOWN);
        assertThat(ExportFormat.fromFileName("x.json")).hasValue(ExportFormat.JSON);
        assertThat(ExportFormat.fromFileName("noextension")).isEmpty();
        assertThat(ExportFormat.fromFileName("data.xlsx")).isEmpty();
        assertThat(ExportFormat.of(" jsonl ")).isEqualTo(ExportFormat.JSONL);
        assertThat(ExportFormat.MARKDOWN.extension()).isEqualTo("md");
        assertThatThrownBy(() -> ExportFormat.of("xml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("format must be csv, json, jsonl or md but was 'xml'");
    }

    @Test
    void exportOptionsHaveDocumentedDefaultsAndRoundTripThroughToBuilder() {
        ExportOptions d = ExportOptions.DEFAULTS;
        assertThat(d.format()).isEqualTo(ExportFormat.CSV);
        assertThat(d.delimiter()).isEqualTo(',');
        assertThat(d.header()).isTrue();
        assertThat(d.byteaEncoding()).isEqualTo(ExportOptions.ByteaEncoding.HEX);
        assertThat(d.redact()).isFalse();
        assertThat(d.maxRows()).isEqualTo(ExportOptions.DEFAULT_MAX_ROWS);
        assertThat(d.maxBytes()).isEqualTo(ExportOptions.DEFAULT_MAX_BYTES);
        assertThat(d.timeout()).isEqualTo(ExportOptions.DEFAULT_TIMEOUT);
        assertThat(d.progress()).isSameAs(ExportProgress.NONE);
        assertThat(d.isPlainCsv()).isTrue();

        ExportOptions o = ExportOptions.of(ExportFormat.JSONL).toBuilder()
                .delimiter('\t')
                .header(false)
                .byteaEncoding(ExportOptions.ByteaEncoding.BASE64)
                .redact(true)
                .maxRows(5)
                .maxBytes(1024)
                .timeout(Duration.ofSeconds(30))
                .build();
        ExportOptions copy = o.toBuilder().build();
        assertThat(copy.format()).isEqualTo(ExportFormat.JSONL);
        assertThat(copy.delimiter()).isEqualTo('\t');
        assertThat(copy.header()).isFalse();
        assertThat(copy.byteaEncoding()).isEqualTo(ExportOptions.ByteaEncoding.BASE64);
        assertThat(copy.redact()).isTrue();
        assertThat(copy.maxRows()).isEqualTo(5);
        assertThat(copy.maxBytes()).isEqualTo(1024);
        assertThat(copy.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(copy.isPlainCsv()).isFalse();
        assertThat(copy.toString()).contains("format=JSONL", "redact=true", "maxRows=5");
        assertThat(ExportOptions.builder().redact(true).build().isPlainCsv()).isFalse();
    }

    @Test
    void exportOptionsRejectBadValues() {
        ExportOptions.Builder b = ExportOptions.builder();
        for (char bad : new char[] {'"', '\n', '\r', '\\', (char) 200, (char) 7}) {
            assertThatThrownBy(() -> b.delimiter(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("delimiter must be a printable ASCII character or a tab");
        }
        assertThat(b.delimiter(';').build().delimiter()).isEqualTo(';');
        assertThatThrownBy(() -> b.maxRows(0)).hasMessage("maxRows must be >= 1 but was 0");
        assertThatThrownBy(() -> b.maxBytes(0)).hasMessage("maxBytes must be >= 1 but was 0");
        assertThatThrownBy(() -> b.timeout(Duration.ZERO)).hasMessageStartingWith("timeout must be positive");
        assertThatThrownBy(() -> b.timeout(Duration.ofDays(30))).hasMessageStartingWith("timeout must be positive");
        assertThatThrownBy(() -> b.timeout(null)).hasMessage("timeout == null");
        assertThatThrownBy(() -> b.format(null)).hasMessage("format == null");
        assertThatThrownBy(() -> b.byteaEncoding(null)).hasMessage("byteaEncoding == null");
        assertThatThrownBy(() -> b.progress(null)).hasMessage("progress == null");
    }

    @Test
    void exportResultValidatesAndReplacesItsElapsedTime() {
        ExportResult r = new ExportResult(ExportFormat.CSV, COLUMNS, 10, 200, Truncation.NONE, Duration.ZERO, true);
        ExportResult later = r.withElapsed(Duration.ofSeconds(2));
        assertThat(later.elapsed()).isEqualTo(Duration.ofSeconds(2));
        assertThat(later.rowCount()).isEqualTo(10);
        assertThat(later.serverCopy()).isTrue();
        assertThat(later.isTruncated()).isFalse();
        assertThat(new ExportResult(ExportFormat.CSV, COLUMNS, 1, 1, Truncation.BYTE_LIMIT, Duration.ZERO, false)
                        .isTruncated())
                .isTrue();
        assertThatThrownBy(
                        () -> new ExportResult(ExportFormat.CSV, COLUMNS, -1, 0, Truncation.NONE, Duration.ZERO, false))
                .hasMessage("rowCount and byteCount must be >= 0 but were -1, 0");
    }

    @Test
    void statementOutcomesSayWhatHappened() {
        Verdict allow = Verdict.allow(StatementKind.READ, "read-only query", Set.of("public.t"));
        QueryResult result = QueryResult.builder()
                .columns(COLUMNS)
                .addRow(List.of("1", "a"))
                .elapsed(Duration.ofMillis(4))
                .build();
        StatementOutcome executed = StatementOutcome.executed("SELECT 1", allow, result);
        assertThat(executed.isExecuted()).isTrue();
        assertThat(executed.resultTable()).hasValue(result);
        assertThat(executed.affectedRowCount()).isEmpty();
        assertThat(executed.elapsed()).isEqualTo(Duration.ofMillis(4));

        StatementOutcome applied = StatementOutcome.applied("UPDATE t SET a = 1", allow, 3, Duration.ofMillis(2));
        assertThat(applied.affectedRowCount()).hasValue(3);
        assertThat(applied.resultTable()).isEmpty();

        Verdict deny = Verdict.deny(StatementKind.DDL, "DDL is not allowed");
        StatementOutcome refused = StatementOutcome.refused("DROP TABLE t", deny);
        assertThat(refused.status()).isEqualTo(StatementOutcome.Status.REFUSED);
        assertThat(refused.error()).isEqualTo("DDL is not allowed");
        assertThat(refused.isExecuted()).isFalse();

        StatementOutcome failed =
                StatementOutcome.failed("SELECT x", allow, "column x does not exist", "42703", Duration.ofMillis(1));
        assertThat(failed.status()).isEqualTo(StatementOutcome.Status.FAILED);
        assertThat(failed.sqlState()).isEqualTo("42703");
        assertThatThrownBy(() -> StatementOutcome.refused(null, deny)).hasMessage("sql == null");
        assertThatThrownBy(() -> new ResultColumn("c", null, 0)).hasMessage("typeName == null");
    }
}
