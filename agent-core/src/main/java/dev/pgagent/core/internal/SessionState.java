package dev.pgagent.core.internal;

import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.SystemMessage;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.UserMessage;
import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.Decision;
import dev.pgagent.api.safety.DryRun;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.core.AgentStep;
import dev.pgagent.core.ToolInvocation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The stored state of a session, as a {@code SessionSnapshot} holds it: the kept history turns and, when an ask
 * waits for confirmations, that ask's in-flight state. Result tables (real values) are not kept: only what the model
 * was shown, the statements' outcomes without rows, and the pending requests without dry-run samples. Immutable.
 * {@link #encode()} and {@link #decode(byte[])} give a versioned binary form made of strings and numbers only.
 *
 * @param sessionId the session's identifier
 * @param historyTurns the kept past turns, oldest first, each a list of messages
 * @param waiting the ask waiting for confirmations, or null
 */
public record SessionState(
        String sessionId,
        List<List<ChatMessage>> historyTurns,
        @Nullable Waiting waiting) {
    private static final int MAGIC = 0x50474153;
    private static final int VERSION = 2; // 2: a pending item names its database

    /** Validates and copies the components. */
    public SessionState {
        Objects.requireNonNull(sessionId, "sessionId == null");
        historyTurns = historyTurns.stream().map(List::copyOf).toList();
    }

    /**
     * The state of an ask waiting for confirmations.
     *
     * @param askId the ask's identifier
     * @param question the question asked
     * @param turn the ask's messages so far (the question, completed steps' calls and results)
     * @param steps the steps so far, the pending one last, without result tables
     * @param statements the outcomes of completed steps' statements, without rows
     * @param usage the tokens used so far
     * @param rowsLeft the rows left of the ask's budget
     * @param bytesLeft the bytes left of the ask's budget
     * @param resolved ids of pending requests already decided
     * @param stepIndex the pending step's number
     * @param message the pending step's assistant message
     * @param stepUsage the pending step's model usage
     * @param stepElapsed the pending step's time
     * @param records the pending step's tool calls with their results, outcomes and pending items
     */
    public record Waiting(
            String askId,
            String question,
            List<ChatMessage> turn,
            List<AgentStep> steps,
            List<StatementOutcome> statements,
            TokenUsage usage,
            long rowsLeft,
            long bytesLeft,
            Set<String> resolved,
            int stepIndex,
            AssistantMessage message,
            TokenUsage stepUsage,
            Duration stepElapsed,
            List<CallRecord> records) {
        /** Copies the components. */
        public Waiting {
            turn = List.copyOf(turn);
            steps = List.copyOf(steps);
            statements = List.copyOf(statements);
            resolved = Set.copyOf(resolved);
            records = records.stream()
                    .map(r -> new CallRecord(
                            r.call(),
                            r.result(),
                            r.modelContent(),
                            r.elapsed(),
                            List.copyOf(r.outcomes()),
                            List.copyOf(r.pending())))
                    .toList();
        }

        /** Returns the requests still waiting for a decision. */
        public List<ConfirmationRequest> pendingRequests() {
            List<ConfirmationRequest> out = new ArrayList<>();
            for (CallRecord r : records) {
                for (CallRecord.PendingItem p : r.pending()) {
                    if (!resolved.contains(p.request().id())) {
                        out.add(p.request());
                    }
                }
            }
            return List.copyOf(out);
        }
    }

    /** Returns every kept history message, oldest first. */
    public List<ChatMessage> historyMessages() {
        List<ChatMessage> out = new ArrayList<>();
        historyTurns.forEach(out::addAll);
        return List.copyOf(out);
    }

    /** Returns an outcome without its result rows. */
    static StatementOutcome withoutRows(StatementOutcome o) {
        return o.result() == null
                ? o
                : new StatementOutcome(
                        o.sql(), o.verdict(), o.status(), null, o.affectedRows(), o.error(), o.sqlState(), o.elapsed());
    }

    /** Returns a tool result without its tables. */
    static ToolResult withoutTables(ToolResult r) {
        return r.tables().isEmpty() ? r : new ToolResult(r.content(), r.error(), List.of());
    }

    // ---------------------------------------------------------------- encoding

    /** Returns the binary form. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            str(out, sessionId);
            out.writeInt(historyTurns.size());
            for (List<ChatMessage> t : historyTurns) {
                messages(out, t);
            }
            Waiting w = waiting;
            out.writeBoolean(w != null);
            if (w != null) {
                waiting(out, w);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void waiting(DataOutputStream out, Waiting w) throws IOException {
        str(out, w.askId());
        str(out, w.question());
        messages(out, w.turn());
        out.writeInt(w.steps().size());
        for (AgentStep s : w.steps()) {
            out.writeInt(s.index());
            message(out, s.message());
            out.writeInt(s.toolInvocations().size());
            for (ToolInvocation i : s.toolInvocations()) {
                call(out, i.call());
                str(out, i.result().content());
                out.writeBoolean(i.result().error());
                out.writeLong(i.elapsed().toNanos());
            }
            usage(out, s.usage());
            out.writeLong(s.elapsed().toNanos());
        }
        outcomes(out, w.statements());
        usage(out, w.usage());
        out.writeLong(w.rowsLeft());
        out.writeLong(w.bytesLeft());
        out.writeInt(w.resolved().size());
        for (String id : new TreeSet<>(w.resolved())) {
            str(out, id);
        }
        out.writeInt(w.stepIndex());
        message(out, w.message());
        usage(out, w.stepUsage());
        out.writeLong(w.stepElapsed().toNanos());
        out.writeInt(w.records().size());
        for (CallRecord r : w.records()) {
            call(out, r.call());
            str(out, r.result().content());
            out.writeBoolean(r.result().error());
            str(out, r.modelContent());
            out.writeLong(r.elapsed().toNanos());
            outcomes(out, r.outcomes());
            out.writeInt(r.pending().size());
            for (CallRecord.PendingItem p : r.pending()) {
                request(out, p.request());
                out.writeInt(p.outcomeIndex());
                str(out, p.database());
            }
        }
    }

    private static void str(DataOutputStream out, @Nullable String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static void messages(DataOutputStream out, List<ChatMessage> messages) throws IOException {
        out.writeInt(messages.size());
        for (ChatMessage m : messages) {
            message(out, m);
        }
    }

    private static void message(DataOutputStream out, ChatMessage m) throws IOException {
        if (m instanceof SystemMessage s) {
            out.writeByte('S');
            str(out, s.text());
        } else if (m instanceof UserMessage u) {
            out.writeByte('U');
            str(out, u.text());
        } else if (m instanceof AssistantMessage a) {
            out.writeByte('A');
            str(out, a.text());
            out.writeInt(a.toolCalls().size());
            for (ToolCall c : a.toolCalls()) {
                call(out, c);
            }
        } else if (m instanceof ToolResultMessage t) {
            out.writeByte('T');
            str(out, t.toolCallId());
            str(out, t.toolName());
            str(out, t.content());
            out.writeBoolean(t.error());
        } else {
            throw new IllegalStateException(
                    "unknown message type " + m.getClass().getName());
        }
    }

    private static void call(DataOutputStream out, ToolCall c) throws IOException {
        str(out, c.id());
        str(out, c.name());
        str(out, c.arguments());
    }

    private static void usage(DataOutputStream out, TokenUsage u) throws IOException {
        out.writeLong(u.inputTokens());
        out.writeLong(u.outputTokens());
    }

    private static void verdict(DataOutputStream out, Verdict v) throws IOException {
        str(out, v.decision().name());
        str(out, v.kind().name());
        str(out, v.reason());
        out.writeInt(v.tables().size());
        for (String t : v.tables()) {
            str(out, t);
        }
        str(out, v.confirmation().name());
    }

    private static void outcomes(DataOutputStream out, List<StatementOutcome> outcomes) throws IOException {
        out.writeInt(outcomes.size());
        for (StatementOutcome o : outcomes) {
            str(out, o.sql());
            verdict(out, o.verdict());
            str(out, o.status().name());
            out.writeLong(o.affectedRows());
            str(out, o.error());
            str(out, o.sqlState());
            out.writeLong(o.elapsed().toNanos());
        }
    }

    private static void request(DataOutputStream out, ConfirmationRequest r) throws IOException {
        str(out, r.id());
        str(out, r.sessionId());
        str(out, r.sql());
        verdict(out, r.verdict());
        out.writeLong(r.dryRun().affectedRows());
        str(out, r.dryRun().error());
        out.writeBoolean(r.dryRun().estimated());
        out.writeLong(r.requestedAt().getEpochSecond());
        out.writeInt(r.requestedAt().getNano());
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Reads the binary form.
     *
     * @throws IllegalArgumentException if {@code data} is not a well-formed session state of a known version
     */
    public static SessionState decode(byte[] data) {
        Objects.requireNonNull(data, "data == null");
        Reader in = new Reader(data);
        try {
            int magic = in.in.readInt();
            if (magic != MAGIC) {
                throw new IllegalArgumentException("data must start with the session state marker but did not");
            }
            int version = in.in.readInt();
            if (version != 1 && version != VERSION) {
                throw new IllegalArgumentException(
                        "session state version must be 1 or " + VERSION + " but was " + version);
            }
            in.version = version;
            String sessionId = in.string();
            int turns = in.count();
            List<List<ChatMessage>> history = new ArrayList<>(turns);
            for (int i = 0; i < turns; i++) {
                history.add(in.messages());
            }
            Waiting waiting = in.in.readBoolean() ? in.waiting() : null;
            if (in.in.available() != 0) {
                throw new IllegalArgumentException(
                        "session state must end after its content but " + in.in.available() + " bytes follow");
            }
            return new SessionState(sessionId, history, waiting);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "session state must be complete but was cut short or malformed: " + e, e);
        } catch (NullPointerException e) {
            throw new IllegalArgumentException(
                    "session state must hold every required field but lacked one: " + e.getMessage(), e);
        }
    }

    /** Reads the binary form with bounds checks on every count and length. */
    private static final class Reader {
        int version = VERSION;
        final DataInputStream in;
        private final int size;

        Reader(byte[] data) {
            this.in = new DataInputStream(new ByteArrayInputStream(data));
            this.size = data.length;
        }

        int count() throws IOException {
            int n = in.readInt();
            if (n < 0 || n > size) {
                throw new IllegalArgumentException(
                        "a count in the session state must be in [0, " + size + "] but was " + n);
            }
            return n;
        }

        @Nullable
        String nullableString() throws IOException {
            int n = in.readInt();
            if (n == -1) {
                return null;
            }
            if (n < 0 || n > in.available()) {
                throw new IllegalArgumentException(
                        "a string length in the session state must be in [0, " + in.available() + "] but was " + n);
            }
            byte[] b = new byte[n];
            in.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }

        String string() throws IOException {
            String s = nullableString();
            if (s == null) {
                throw new IllegalArgumentException(
                        "a required string in the session state must be present but " + "was null");
            }
            return s;
        }

        <E extends Enum<E>> E constant(Class<E> type) throws IOException {
            return Enum.valueOf(type, string());
        }

        Duration nanos() throws IOException {
            return Duration.ofNanos(in.readLong());
        }

        List<ChatMessage> messages() throws IOException {
            int n = count();
            List<ChatMessage> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(message());
            }
            return out;
        }

        ChatMessage message() throws IOException {
            int tag = in.readByte();
            return switch (tag) {
                case 'S' -> new SystemMessage(string());
                case 'U' -> new UserMessage(string());
                case 'A' -> assistant();
                case 'T' -> new ToolResultMessage(string(), string(), string(), in.readBoolean());
                default -> throw new IllegalArgumentException("a message tag must be S, U, A or T but was " + tag);
            };
        }

        AssistantMessage assistant() throws IOException {
            String text = nullableString();
            int n = count();
            List<ToolCall> calls = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                calls.add(call());
            }
            return new AssistantMessage(text, calls);
        }

        AssistantMessage assistantTagged() throws IOException {
            ChatMessage m = message();
            if (m instanceof AssistantMessage a) {
                return a;
            }
            throw new IllegalArgumentException("a step's message must be an assistant message but was " + m.role());
        }

        ToolCall call() throws IOException {
            return new ToolCall(string(), string(), string());
        }

        TokenUsage usage() throws IOException {
            return new TokenUsage(in.readLong(), in.readLong());
        }

        Verdict verdict() throws IOException {
            Decision decision = constant(Decision.class);
            StatementKind kind = constant(StatementKind.class);
            String reason = string();
            int n = count();
            Set<String> tables = new LinkedHashSet<>();
            for (int i = 0; i < n; i++) {
                tables.add(string());
            }
            return new Verdict(decision, kind, reason, tables, constant(ConfirmationKind.class));
        }

        List<StatementOutcome> outcomes() throws IOException {
            int n = count();
            List<StatementOutcome> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String sql = string();
                Verdict v = verdict();
                StatementOutcome.Status status = constant(StatementOutcome.Status.class);
                long affected = in.readLong();
                out.add(new StatementOutcome(
                        sql, v, status, null, affected, nullableString(), nullableString(), nanos()));
            }
            return out;
        }

        ConfirmationRequest request() throws IOException {
            String id = string();
            String sessionId = string();
            String sql = string();
            Verdict v = verdict();
            DryRun dry = new DryRun(in.readLong(), null, nullableString(), version >= 2 && in.readBoolean());
            Instant at = Instant.ofEpochSecond(in.readLong(), in.readInt());
            return new ConfirmationRequest(id, sessionId, sql, v, dry, at);
        }

        Waiting waiting() throws IOException {
            String askId = string();
            String question = string();
            List<ChatMessage> turn = messages();
            int stepCount = count();
            List<AgentStep> steps = new ArrayList<>(stepCount);
            for (int i = 0; i < stepCount; i++) {
                int index = in.readInt();
                AssistantMessage message = assistantTagged();
                int n = count();
                List<ToolInvocation> invocations = new ArrayList<>(n);
                for (int j = 0; j < n; j++) {
                    ToolCall c = call();
                    ToolResult result = new ToolResult(string(), in.readBoolean(), List.of());
                    invocations.add(new ToolInvocation(c, result, nanos()));
                }
                steps.add(new AgentStep(index, message, invocations, usage(), nanos()));
            }
            List<StatementOutcome> statements = outcomes();
            TokenUsage usage = usage();
            long rowsLeft = in.readLong();
            long bytesLeft = in.readLong();
            int resolvedCount = count();
            Set<String> resolved = new LinkedHashSet<>();
            for (int i = 0; i < resolvedCount; i++) {
                resolved.add(string());
            }
            int stepIndex = in.readInt();
            AssistantMessage message = assistantTagged();
            TokenUsage stepUsage = usage();
            Duration stepElapsed = nanos();
            int recordCount = count();
            List<CallRecord> records = new ArrayList<>(recordCount);
            for (int i = 0; i < recordCount; i++) {
                ToolCall c = call();
                ToolResult result = new ToolResult(string(), in.readBoolean(), List.of());
                String modelContent = string();
                Duration elapsed = nanos();
                List<StatementOutcome> outcomes = outcomes();
                int pendingCount = count();
                List<CallRecord.PendingItem> pending = new ArrayList<>(pendingCount);
                for (int j = 0; j < pendingCount; j++) {
                    ConfirmationRequest request = request();
                    int at = in.readInt();
                    if (at < 0 || at >= outcomes.size()) {
                        throw new IllegalArgumentException(
                                "a pending item's outcome index must be in [0, " + outcomes.size() + ") but was " + at);
                    }
                    String database = version >= 2 ? Objects.requireNonNull(string(), "database") : "";
                    pending.add(new CallRecord.PendingItem(request, at, database));
                }
                records.add(new CallRecord(c, result, modelContent, elapsed, outcomes, pending));
            }
            return new Waiting(
                    askId,
                    question,
                    turn,
                    steps,
                    statements,
                    usage,
                    rowsLeft,
                    bytesLeft,
                    resolved,
                    stepIndex,
                    message,
                    stepUsage,
                    stepElapsed,
                    records);
        }
    }
}
