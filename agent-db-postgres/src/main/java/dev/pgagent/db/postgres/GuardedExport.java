package dev.pgagent.db.postgres;

import dev.pgagent.api.DatabaseException;
import dev.pgagent.api.sql.ExportFormat;
import dev.pgagent.api.sql.ExportOptions;
import dev.pgagent.api.sql.ExportResult;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.Truncation;
import dev.pgagent.db.postgres.internal.ExportWriter;
import dev.pgagent.db.postgres.internal.SqlText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one read to an {@link ExportTarget} under the runtime guards for {@link PostgresDatabase#export}: a
 * rolled-back READ ONLY transaction, the limits' timeouts, role and plan check, the export's own row and byte limits,
 * cancellation. Plain CSV of a query goes through {@code COPY (query) TO STDOUT (FORMAT csv)} (PostgreSQL writes the
 * bytes); everything else through a cursor read with the limits' fetch size, formatted row by row. Memory stays
 * flat either way. Thread-safe (stateless).
 */
final class GuardedExport {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedExport.class);
    private static final Set<String> COPYABLE = Set.of("SELECT", "WITH", "VALUES", "TABLE");
    private static final int PROGRESS_ROWS = 10_000;
    private static final int REDACT_BATCH = 256;

    private final DataSource dataSource;

    GuardedExport(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Counts what was written and tells the progress listener. */
    private static final class Tally {
        final ExportOptions options;
        final ExportTarget target;
        long rows;
        long bytes;
        Truncation truncation = Truncation.NONE;

        Tally(ExportOptions options, ExportTarget target) {
            this.options = options;
            this.target = target;
        }

        void row(long size) {
            rows++;
            bytes += size;
            if (rows % PROGRESS_ROWS == 0) {
                options.progress().onProgress(rows, bytes);
            }
        }
    }

    ExportResult export(
            String sql,
            ExportOptions options,
            ExecutionLimits limits,
            QueryCancellation cancellation,
            ExportTarget target,
            @Nullable UnaryOperator<QueryResult> rowFilter) {
        Objects.requireNonNull(options, "options == null");
        Objects.requireNonNull(limits, "limits == null");
        Objects.requireNonNull(cancellation, "cancellation == null");
        Objects.requireNonNull(target, "target == null");
        SqlText text = GuardedExecutor.check(sql);
        GuardedExecutor.throwIfCancelled(cancellation);
        long start = System.nanoTime();
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw new DatabaseException("cannot get a connection: " + GuardedExecutor.describe(e), e.getSQLState(), e);
        }
        boolean restoreAutoCommit = true;
        boolean autoCommit = true;
        boolean began = false;
        try {
            GuardedExecutor.checkQueryMode(c);
            autoCommit = c.getAutoCommit();
            if (autoCommit) {
                c.setAutoCommit(false);
            } else {
                c.rollback();
            }
            began = true;
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION READ ONLY");
            }
            GuardedExecutor.setLocals(c, limits);
            if (options.format() == ExportFormat.JSON || options.format() == ExportFormat.JSONL) {
                try (Statement st = c.createStatement()) {
                    // intervals as ISO 8601 durations (P1DT2H), which JSON readers understand
                    st.executeQuery("SELECT set_config('IntervalStyle', 'iso_8601', true)")
                            .close();
                }
            }
            GuardedExecutor.checkReach(c, GuardedExecutor.reach(text), limits.denied());
            Tally tally = new Tally(options, target);
            String inner = copyable(sql, text, options, rowFilter, c);
            List<ResultColumn> columns = inner != null
                    ? copy(c, inner, options, limits, cancellation, tally)
                    : cursor(c, text.jdbcText(), options, limits, cancellation, tally, rowFilter);
            target.flush();
            options.progress().onProgress(tally.rows, tally.bytes);
            return new ExportResult(
                    options.format(),
                    columns,
                    tally.rows,
                    tally.bytes,
                    tally.truncation,
                    Duration.ofNanos(System.nanoTime() - start),
                    inner != null);
        } catch (SQLException e) {
            restoreAutoCommit = !GuardedExecutor.isBroken(e);
            throw GuardedExecutor.translate(e, cancellation, null, limits);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the export: " + e.getMessage(), e);
        } finally {
            if (began) {
                try {
                    c.rollback();
                } catch (SQLException e) {
                    LOG.warn("ROLLBACK failed: {}", e.getMessage());
                }
            }
            if (began && restoreAutoCommit && autoCommit) {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException e) {
                    LOG.warn("Could not restore autocommit: {}", e.getMessage());
                }
            }
            try {
                c.close();
            } catch (SQLException e) {
                LOG.warn("Could not close the connection: {}", e.getMessage());
            }
        }
    }

    /**
     * Returns the query to run under {@code COPY}, or null when the export must go through a cursor: only plain CSV
     * of a query (SELECT, WITH, VALUES, TABLE) without a semicolon, '?' or JDBC escape braces in its text. COPY runs
     * over the simple query protocol, so a text without any semicolon is certain to hold one statement whatever the
     * lexer; it is parsed by PostgreSQL on its own (extended protocol) before it is wrapped, so it cannot reach
     * past the parentheses around it.
     */
    private static @Nullable String copyable(
            String sql,
            SqlText text,
            ExportOptions options,
            @Nullable UnaryOperator<QueryResult> rowFilter,
            Connection c)
            throws SQLException {
        if (!options.isPlainCsv()
                || rowFilter != null
                || !COPYABLE.contains(text.firstKeyword())
                || !c.isWrapperFor(PGConnection.class)) {
            return null;
        }
        String inner = withoutTrailingSemicolons(sql);
        for (int i = 0; i < inner.length(); i++) {
            char ch = inner.charAt(i);
            if (ch == ';' || ch == '?' || ch == '{' || ch == '}') {
                return null;
            }
        }
        return inner;
    }

    /** Returns {@code sql} without trailing whitespace and semicolons. */
    static String withoutTrailingSemicolons(String sql) {
        int end = sql.length();
        while (end > 0 && (Character.isWhitespace(sql.charAt(end - 1)) || sql.charAt(end - 1) == ';')) {
            end--;
        }
        return sql.substring(0, end);
    }

    private static List<ResultColumn> columns(@Nullable ResultSetMetaData md) throws SQLException {
        if (md == null || md.getColumnCount() == 0) {
            throw new DatabaseException("refused: an export needs a statement that returns rows", null, null);
        }
        List<ResultColumn> columns = new ArrayList<>(md.getColumnCount());
        for (int i = 1; i <= md.getColumnCount(); i++) {
            String typeName = md.getColumnTypeName(i);
            columns.add(new ResultColumn(
                    md.getColumnLabel(i), typeName == null ? "unknown" : typeName, md.getColumnType(i)));
        }
        return columns;
    }

    /** Sends a server-side cancel for the connection's running command while the copy it guards runs. */
    private static final class CopyCanceller implements Runnable {
        private final PGConnection pg;
        private boolean active = true;

        CopyCanceller(PGConnection pg) {
            this.pg = pg;
        }

        @Override
        public synchronized void run() {
            if (!active) {
                return;
            }
            try {
                pg.cancelQuery();
            } catch (SQLException e) {
                LOG.warn("Could not send a cancel request: {}", e.getMessage());
            }
        }

        synchronized void stop() {
            active = false;
        }
    }

    private static List<ResultColumn> copy(
            Connection c,
            String inner,
            ExportOptions options,
            ExecutionLimits limits,
            QueryCancellation cancellation,
            Tally tally)
            throws SQLException, IOException {
        List<ResultColumn> columns;
        try (PreparedStatement ps = c.prepareStatement(inner)) {
            ps.unwrap(PGStatement.class).setPrepareThreshold(0);
            columns = columns(ps.getMetaData()); // Parse and Describe only: nothing runs
        }
        String delimiter = options.delimiter() == '\'' ? "''''" : "'" + options.delimiter() + "'";
        // The LIMIT ends the copy one row past the row limit, so that a cut copy finishes on its own: a cancel
        // request could arrive late and hit the next command on the connection.
        String limited = "SELECT * FROM (\n" + inner + "\n) AS pgagent_export LIMIT "
                + (options.maxRows() == Long.MAX_VALUE ? "ALL" : Long.toString(options.maxRows() + 1));
        String copySql = "COPY (" + limited + ") TO STDOUT WITH (FORMAT csv" + (options.header() ? ", HEADER" : "")
                + ", DELIMITER " + delimiter + ")";
        PGConnection pg = c.unwrap(PGConnection.class);
        CopyCanceller canceller = new CopyCanceller(pg);
        cancellation.register(canceller);
        try (CancellationWatchdog.Watch watch = CancellationWatchdog.watch(canceller, cancellation)) {
            try {
                GuardedExecutor.throwIfCancelled(cancellation);
                CopyOut copy = pg.getCopyAPI().copyOut(copySql);
                boolean header = options.header();
                boolean writing = true;
                byte[] buf;
                while ((buf = copy.readFromCopy()) != null) {
                    if (!writing) {
                        continue; // past a limit: read to the end (at most the LIMIT's rows), write nothing
                    }
                    if (header) {
                        header = false;
                        if (buf.length > options.maxBytes()) {
                            tally.truncation = Truncation.BYTE_LIMIT;
                            writing = false;
                            continue;
                        }
                        tally.target.write(buf, 0, buf.length);
                        tally.bytes += buf.length;
                        continue;
                    }
                    if (tally.rows >= options.maxRows()) {
                        tally.truncation = Truncation.ROW_LIMIT;
                        writing = false;
                        continue;
                    }
                    if (tally.bytes + buf.length > options.maxBytes()) {
                        tally.truncation = Truncation.BYTE_LIMIT;
                        writing = false;
                        continue;
                    }
                    tally.target.write(buf, 0, buf.length); // one CopyData message is one row
                    tally.row(buf.length);
                }
            } catch (SQLException e) {
                throw GuardedExecutor.translate(e, cancellation, watch, limits);
            }
        } finally {
            canceller.stop();
            cancellation.unregister(canceller);
        }
        return columns;
    }

    private static List<ResultColumn> cursor(
            Connection c,
            String jdbcSql,
            ExportOptions options,
            ExecutionLimits limits,
            QueryCancellation cancellation,
            Tally tally,
            @Nullable UnaryOperator<QueryResult> rowFilter)
            throws SQLException, IOException {
        try (PreparedStatement ps = c.prepareStatement(jdbcSql)) {
            if (ps.isWrapperFor(PGStatement.class)) {
                ps.unwrap(PGStatement.class).setPrepareThreshold(0); // text format: values as PostgreSQL prints them
            }
            ps.setFetchSize(limits.fetchSize());
            cancellation.register(ps);
            try (CancellationWatchdog.Watch watch = CancellationWatchdog.watch(ps, cancellation)) {
                try {
                    GuardedExecutor.throwIfCancelled(cancellation);
                    if (!ps.execute()) {
                        throw new DatabaseException(
                                "refused: an export needs a statement that returns rows", null, null);
                    }
                    try (ResultSet rs = ps.getResultSet()) {
                        return stream(rs, options, tally, rowFilter);
                    }
                } catch (SQLException e) {
                    throw GuardedExecutor.translate(e, cancellation, watch, limits);
                }
            } finally {
                cancellation.unregister(ps);
            }
        }
    }

    private static List<ResultColumn> stream(
            ResultSet rs, ExportOptions options, Tally tally, @Nullable UnaryOperator<QueryResult> rowFilter)
            throws SQLException, IOException {
        List<ResultColumn> columns = columns(rs.getMetaData());
        int n = columns.size();
        ExportWriter writer = ExportWriter.of(options, columns);
        StringBuilder sb = new StringBuilder(256);
        writer.begin(sb);
        long footer = writer.endAfterRows().getBytes(StandardCharsets.UTF_8).length;
        if (!write(sb, tally, footer, false)) {
            return columns;
        }
        List<@Nullable String[]> batch = rowFilter == null ? List.of() : new ArrayList<>(REDACT_BATCH);
        boolean more = true;
        while (more && rs.next()) {
            if (tally.rows + batch.size() >= options.maxRows()) {
                tally.truncation = Truncation.ROW_LIMIT;
                break;
            }
            String[] values = new String[n];
            for (int i = 0; i < n; i++) {
                values[i] = rs.getString(i + 1);
            }
            if (rowFilter == null) {
                more = row(writer, sb, values, tally, footer);
            } else {
                batch.add(values);
                if (batch.size() == REDACT_BATCH) {
                    more = flushBatch(writer, sb, batch, columns, rowFilter, tally, footer);
                }
            }
        }
        if (more && rowFilter != null && !batch.isEmpty()) {
            flushBatch(writer, sb, batch, columns, rowFilter, tally, footer);
        }
        sb.setLength(0);
        writer.end(sb, tally.rows);
        write(sb, tally, 0, false);
        return columns;
    }

    private static boolean flushBatch(
            ExportWriter writer,
            StringBuilder sb,
            List<@Nullable String[]> batch,
            List<ResultColumn> columns,
            UnaryOperator<QueryResult> rowFilter,
            Tally tally,
            long footer)
            throws IOException {
        QueryResult.Builder b = QueryResult.builder().columns(columns);
        for (String[] values : batch) {
            b.addRow(Arrays.asList(values));
        }
        batch.clear();
        QueryResult shown = rowFilter.apply(b.build());
        for (List<@Nullable String> values : shown.rows()) {
            if (!row(writer, sb, values.toArray(new String[0]), tally, footer)) {
                return false;
            }
        }
        return true;
    }

    private static boolean row(
            ExportWriter writer, StringBuilder sb, @Nullable String[] values, Tally tally, long footer)
            throws IOException {
        sb.setLength(0);
        writer.row(sb, values, tally.rows == 0);
        return write(sb, tally, footer, true);
    }

    /** Writes {@code sb} if it fits with room for the footer; marks a byte-limit cut when it does not. */
    private static boolean write(StringBuilder sb, Tally tally, long footer, boolean isRow) throws IOException {
        if (sb.length() == 0) {
            return true;
        }
        String s = sb.toString();
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (tally.bytes + utf8.length + footer > tally.options.maxBytes()) {
            tally.truncation = Truncation.BYTE_LIMIT;
            return false;
        }
        tally.target.write(s, utf8);
        if (isRow) {
            tally.row(utf8.length);
        } else {
            tally.bytes += utf8.length;
        }
        return true;
    }
}
