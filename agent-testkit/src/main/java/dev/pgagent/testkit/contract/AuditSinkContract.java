package dev.pgagent.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Proves that an {@link AuditSink} keeps the contract pgagent relies on. Extend it in your test sources: give the
 * suite a fresh sink over storage of its own, and a way to read back what it has written, one entry per event.
 *
 * <pre>{@code
 * class MyAuditSinkContractTest extends AuditSinkContract {
 *     @TempDir Path dir;
 *     Path file;
 *
 *     @Override protected AuditSink newSink() {
 *         file = dir.resolve("audit-" + UUID.randomUUID() + ".log");
 *         return new MyFileAuditSink(file);
 *     }
 *
 *     @Override protected List<String> written() throws IOException {
 *         return Files.readAllLines(file);
 *     }
 * }
 * }</pre>
 *
 * <p>A sink whose storage can fail also implements {@link StorageFailures}, so the suite checks that such a failure
 * reaches the caller as an exception: that is what lets the agent's fail-closed audit policy stop an ask.
 *
 * <p>What it checks, from the Javadoc of {@link AuditSink} and {@link AuditEvent}:
 * <ul>
 *   <li>each event recorded is written once, in the order recorded, with every optional part missing too, and with
 *       awkward text (line breaks, quotes, backslashes, control characters, non-ASCII) that must not split or merge
 *       entries;
 *   <li>events recorded by several threads at once are all written, each once and whole, each thread's in its
 *       order;
 *   <li>the values of {@link #secrets()} (the sink's own credentials, and the values of attributes it promises to
 *       redact, see {@link #redactedAttributes()}) appear neither in what it writes nor in its {@code toString()}.
 * </ul>
 *
 * <p>Events hold no secrets (the producer sees to that, as {@link AuditEvent} says), so a sink is not asked to redact
 * anything unless it says it does.
 */
public abstract class AuditSinkContract {
    private static final Pattern MARKER = Pattern.compile("pgagent-contract-[0-9a-f]{8}-(\\d{1,6})-(\\d{1,6})");

    /** Creates the suite. */
    protected AuditSinkContract() {}

    /** Returns a new sink over fresh storage of its own; {@link #written()} reads what this sink writes. */
    protected abstract AuditSink newSink() throws Exception;

    /**
     * Returns what the sink last returned by {@link #newSink()} has written so far, one entry per event, oldest
     * first: the lines of a file, the messages of a logger, the rows of a table.
     */
    protected abstract List<String> written() throws Exception;

    /** Returns values this sink must never write or show (its own credentials, say). Default: none. */
    public List<String> secrets() {
        return List.of();
    }

    /**
     * Returns attributes whose values the sink promises to redact, added to each event of the secrets check; their
     * values count as secrets. Default: none (sinks are not asked to redact).
     */
    protected Map<String, String> redactedAttributes() {
        return Map.of();
    }

    /** Returns how many threads record at once in the concurrency check; default: 8. */
    protected int threads() {
        return 8;
    }

    /** Implemented by the tests of sinks whose storage can fail (a file, a database, a remote service). */
    public interface StorageFailures {
        /** Returns a sink whose storage fails on every write: an unwritable path, a closed connection. */
        AuditSink sinkWhoseStorageFails() throws Exception;

        /** Returns values the sink must never show; see {@link AuditSinkContract#secrets()}. */
        List<String> secrets();

        /** Checks that a failure to store reaches the caller as an exception, without a secret in it. */
        @Test
        default void aFailureToStoreReachesTheCallerAsAnException() throws Exception {
            AuditSink sink = sinkWhoseStorageFails();
            Throwable thrown = catchThrowable(() -> sink.record(
                    event(UUID.randomUUID().toString().substring(0, 8), 0, 0, AuditEventType.QUERY_EXECUTED)));

            assertThat(thrown).as("the failure surfaces").isInstanceOf(RuntimeException.class);
            for (Throwable t = thrown; t != null; t = t.getCause()) {
                for (String secret : secrets()) {
                    assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
                }
            }
        }
    }

    private static String marker(String run, int thread, int seq) {
        return "pgagent-contract-" + run + "-" + thread + "-" + seq;
    }

    static AuditEvent event(String run, int thread, int seq, AuditEventType type) {
        String m = marker(run, thread, seq);
        return AuditEvent.builder(type)
                .timestamp(Instant.parse("2025-01-02T03:04:05.678Z").plusSeconds(seq))
                .sessionId("session-" + thread)
                .askId("ask-" + seq)
                .sql("SELECT id, total FROM orders WHERE id = " + seq)
                .verdict(Verdict.allow(StatementKind.READ, "A read-only query.", Set.of("orders")))
                .outcome("executed")
                .attribute("rows", seq)
                .attribute("marker", m)
                .build();
    }

    private static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** Returns the markers of this run in {@code entry}, as "thread-seq". */
    private static List<String> markers(String run, String entry) {
        List<String> out = new ArrayList<>();
        Matcher m = MARKER.matcher(entry);
        while (m.find()) {
            if (m.group().startsWith("pgagent-contract-" + run + "-")) {
                out.add(m.group(1) + "-" + m.group(2));
            }
        }
        return out;
    }

    /** Returns, for each entry holding markers of this run, the single marker it holds; fails on merged entries. */
    private List<String> markersInOrder(String run) throws Exception {
        List<String> order = new ArrayList<>();
        for (String entry : written()) {
            List<String> found = markers(run, entry);
            assertThat(found.size()).as("events in one entry: %s", entry).isLessThanOrEqualTo(1);
            order.addAll(found);
        }
        return order;
    }

    @Test
    void writesEachEventOnceInTheOrderRecorded() throws Exception {
        AuditSink sink = newSink();
        String run = run();
        AuditEventType[] types = AuditEventType.values();
        List<String> expected = new ArrayList<>();
        for (int seq = 0; seq < 40; seq++) {
            sink.record(event(run, 0, seq, types[seq % types.length]));
            expected.add("0-" + seq);
        }

        assertThat(markersInOrder(run)).containsExactlyElementsOf(expected);
    }

    @Test
    void writesTheTypeOfEachEvent() throws Exception {
        AuditSink sink = newSink();
        String run = run();
        for (AuditEventType type : AuditEventType.values()) {
            sink.record(event(run, 0, type.ordinal(), type));
        }

        List<String> entries = new ArrayList<>();
        for (String entry : written()) {
            if (!markers(run, entry).isEmpty()) {
                entries.add(entry);
            }
        }
        assertThat(entries).hasSize(AuditEventType.values().length);
        for (AuditEventType type : AuditEventType.values()) {
            assertThat(entries.get(type.ordinal())).contains(type.name());
        }
    }

    @Test
    void writesAnEventWhoseOptionalPartsAreAllMissing() throws Exception {
        AuditSink sink = newSink();
        String run = run();
        sink.record(AuditEvent.builder(AuditEventType.ERROR)
                .timestamp(Instant.EPOCH)
                .build());
        sink.record(event(run, 0, 1, AuditEventType.ERROR));

        assertThat(markersInOrder(run)).containsExactly("0-1");
        assertThat(written()).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void keepsEntriesWholeWhateverTheTextHolds() throws Exception {
        AuditSink sink = newSink();
        String run = run();
        String awkward = "line one\nline two\r\nline \"three\" with \\backslash\\, 'quotes', tab\tand bell \u0007"
                + " und Umlaute äöü, 中文, emoji \uD83D\uDE00";
        for (int seq = 0; seq < 5; seq++) {
            sink.record(AuditEvent.builder(AuditEventType.QUERY_FAILED)
                    .sessionId("s\n" + seq)
                    .sql("SELECT '" + awkward + "'\n  FROM orders -- comment\n")
                    .verdict(new Verdict(
                            dev.pgagent.api.safety.Decision.DENY,
                            StatementKind.UNPARSEABLE,
                            awkward,
                            Set.of("weird \"table\"\n"),
                            ConfirmationKind.NONE))
                    .outcome("failed\nwith a break")
                    .attribute("error", awkward)
                    .attribute("marker", awkward + " " + marker(run, 0, seq) + " " + awkward)
                    .build());
        }

        assertThat(markersInOrder(run)).containsExactly("0-0", "0-1", "0-2", "0-3", "0-4");
    }

    @Test
    void writesEveryEventOnceWhenSeveralThreadsRecordAtOnce() throws Exception {
        AuditSink sink = newSink();
        String run = run();
        int perThread = 50;
        Concurrently.run(threads(), Duration.ofMinutes(2), t -> {
            for (int seq = 0; seq < perThread; seq++) {
                sink.record(event(run, t, seq, AuditEventType.QUERY_EXECUTED));
            }
        });

        List<String> order = markersInOrder(run);
        assertThat(order).hasSize(threads() * perThread).doesNotHaveDuplicates();
        for (int t = 0; t < threads(); t++) {
            String prefix = t + "-";
            List<String> own = order.stream().filter(m -> m.startsWith(prefix)).toList();
            List<String> expected = new ArrayList<>();
            for (int seq = 0; seq < perThread; seq++) {
                expected.add(prefix + seq);
            }
            assertThat(own).as("events of thread %s in order", t).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void neitherWritesNorShowsASecret() throws Exception {
        AuditSink sink = newSink();
        String run = run();
        List<String> secrets = new ArrayList<>(secrets());
        secrets.addAll(redactedAttributes().values());
        for (int seq = 0; seq < 3; seq++) {
            AuditEvent plain = event(run, 0, seq, AuditEventType.TOOL_CALL);
            AuditEvent.Builder b = AuditEvent.builder(plain.type())
                    .timestamp(plain.timestamp())
                    .sessionId(plain.sessionId())
                    .askId(plain.askId())
                    .sql(plain.sql())
                    .verdict(plain.verdict())
                    .outcome(plain.outcome());
            plain.attributes().forEach(b::attribute);
            redactedAttributes().forEach(b::attribute);
            sink.record(b.build());
        }

        assertThat(markersInOrder(run)).hasSize(3);
        for (String entry : written()) {
            for (String secret : secrets) {
                assertThat(entry).doesNotContain(secret);
            }
        }
        for (String secret : secrets) {
            assertThat(String.valueOf(sink)).doesNotContain(secret);
        }
    }
}
