package dev.pgagent.cli;

import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.IndexInfo;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.sql.ExportFormat;
import dev.pgagent.api.sql.ExportOptions;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.config.DatabaseProfile;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentListener;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentSession;
import dev.pgagent.core.AgentStatus;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jline.keymap.BindingReader;
import org.jline.keymap.KeyMap;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;
import org.jspecify.annotations.Nullable;

/**
 * The full-screen terminal UI. JLine does the terminal work (raw mode, the alternate screen, key sequences from
 * terminfo, drawing only what changed, resize signals, colour downgrades); this class keeps the state of the views
 * and draws them as lines. One lock guards the state: the key loop, the ask's thread and the agent's events all take
 * it before they change anything and draw.
 */
final class Tui implements AutoCloseable {
    private static final int MAX_TRANSCRIPT = 5_000;
    private static final int MAX_CELL = 40;
    private static final List<String> KEYWORDS = List.of(
            "SELECT",
            "FROM",
            "WHERE",
            "JOIN",
            "LEFT",
            "RIGHT",
            "INNER",
            "OUTER",
            "ON",
            "GROUP",
            "BY",
            "ORDER",
            "LIMIT",
            "OFFSET",
            "HAVING",
            "AS",
            "AND",
            "OR",
            "NOT",
            "IN",
            "IS",
            "NULL",
            "INSERT",
            "INTO",
            "VALUES",
            "UPDATE",
            "SET",
            "DELETE",
            "WITH",
            "UNION",
            "ALL",
            "DISTINCT",
            "CASE",
            "WHEN",
            "THEN",
            "ELSE",
            "END",
            "CREATE",
            "ALTER",
            "DROP",
            "TABLE",
            "INDEX",
            "DESC",
            "ASC",
            "EXPLAIN",
            "COUNT",
            "SUM",
            "AVG",
            "MIN",
            "MAX",
            "LIKE",
            "ILIKE",
            "BETWEEN",
            "EXISTS",
            "TRUNCATE");

    enum Op {
        SELF_INSERT,
        ENTER,
        NEWLINE,
        BACKSPACE,
        DELETE,
        LEFT,
        RIGHT,
        UP,
        DOWN,
        PAGE_UP,
        PAGE_DOWN,
        HOME,
        END,
        TAB,
        BACKTAB,
        ESC,
        CTRL_C,
        CTRL_D,
        CTRL_P,
        CTRL_Q,
        CTRL_L,
        F1,
        F2,
        F3,
        F4
    }

    enum View {
        CHAT,
        RESULTS,
        SCHEMA
    }

    /** One line kind of the conversation. */
    enum Kind {
        USER,
        ASSISTANT,
        SQL,
        OK,
        REFUSED,
        ERROR,
        INFO
    }

    record Entry(Kind kind, String text) {}

    record Result(String database, String sql, QueryResult table) {}

    /** A modal box over the view. */
    private abstract static class Overlay {
        final String title;

        Overlay(String title) {
            this.title = title;
        }

        abstract List<AttributedString> body(int width, int height);

        /** Handles a key; returns false to close. */
        abstract boolean key(Op op, String typed);
    }

    private final Cli cli;
    private final Terminal terminal;
    private final TuiCommand options;
    private final boolean colour;
    private final Display display;
    private final BindingReader reader;
    private final KeyMap<Op> keys = new KeyMap<>();
    private final ExecutorService asks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pg-agent-tui-ask");
        t.setDaemon(true);
        return t;
    });
    private final @Nullable Attributes original;
    private final java.util.concurrent.atomic.AtomicBoolean restored = new java.util.concurrent.atomic.AtomicBoolean();
    private final Thread restoreOnExit = new Thread(this::restoreTerminal, "pg-agent-tui-restore");

    private LlmClient llm;
    private PostgresDatabase db;
    private PostgresAgent agent;
    private AgentSession session;
    private @Nullable SafetyPolicy sessionPolicy;

    private View view = View.CHAT;
    private final List<Entry> transcript = new ArrayList<>();
    private int chatScroll;
    private final StringBuilder input = new StringBuilder();
    private int cursor;
    private @Nullable Overlay overlay;
    private boolean quit;

    private final List<Result> results = new ArrayList<>();
    private int resultIndex;
    private int rowTop;
    private int rowSel;
    private int colLeft;

    private SchemaModel schema;
    private final StringBuilder filter = new StringBuilder();
    private List<TableInfo> shownTables = List.of();
    private int tableSel;
    private int tableTop;

    private String running = "";
    private boolean busy;
    private @Nullable AskCancel cancel;
    private long inputTokens;
    private long outputTokens;
    private long askMillis;
    private int streamedEntry = -1;
    private String flash = "";
    private int toolCalls;
    private String databaseName;

    Tui(Cli cli, Terminal terminal, TuiCommand options, LlmClient llm, PostgresDatabase db) {
        this.cli = cli;
        this.terminal = terminal;
        this.options = options;
        this.llm = llm;
        this.db = db;
        this.colour = cli.env("NO_COLOR") == null;
        this.display = new Display(terminal, true);
        this.reader = new BindingReader(terminal.reader());
        this.original = terminal.enterRawMode();
        Runtime.getRuntime().addShutdownHook(restoreOnExit);
        Attributes raw = terminal.getAttributes();
        raw.setLocalFlag(Attributes.LocalFlag.ISIG, false); // Ctrl-C is a key here, not a signal
        raw.setInputFlag(Attributes.InputFlag.IXON, false);
        terminal.setAttributes(raw);
        bindKeys();
        this.schema = db.schema();
        this.databaseName = nameOf(db);
        this.agent = buildAgent();
        this.session = agent.newSession();
        applyFilter();
    }

    private void bindKeys() {
        keys.setAmbiguousTimeout(150);
        keys.setUnicode(Op.SELF_INSERT);
        keys.bind(Op.SELF_INSERT, KeyMap.range(" -~"));
        keys.bind(Op.ENTER, "\r", "\n");
        keys.bind(Op.NEWLINE, KeyMap.alt('\r'), KeyMap.alt('\n'));
        keys.bind(Op.BACKSPACE, KeyMap.del(), "\b");
        bind(Op.DELETE, Capability.key_dc, "\033[3~");
        bind(Op.LEFT, Capability.key_left, "\033[D", "\033OD");
        bind(Op.RIGHT, Capability.key_right, "\033[C", "\033OC");
        bind(Op.UP, Capability.key_up, "\033[A", "\033OA");
        bind(Op.DOWN, Capability.key_down, "\033[B", "\033OB");
        bind(Op.PAGE_UP, Capability.key_ppage, "\033[5~");
        bind(Op.PAGE_DOWN, Capability.key_npage, "\033[6~");
        bind(Op.HOME, Capability.key_home, "\033[H", "\033OH", "\033[1~");
        bind(Op.END, Capability.key_end, "\033[F", "\033OF", "\033[4~");
        bind(Op.BACKTAB, Capability.key_btab, "\033[Z");
        bind(Op.F1, Capability.key_f1, "\033OP", "\033[11~");
        bind(Op.F2, Capability.key_f2, "\033OQ", "\033[12~");
        bind(Op.F3, Capability.key_f3, "\033OR", "\033[13~");
        bind(Op.F4, Capability.key_f4, "\033OS", "\033[14~");
        keys.bind(Op.TAB, "\t");
        keys.bind(Op.ESC, KeyMap.esc());
        keys.bind(Op.CTRL_C, KeyMap.ctrl('C'));
        keys.bind(Op.CTRL_D, KeyMap.ctrl('D'));
        keys.bind(Op.CTRL_P, KeyMap.ctrl('P'));
        keys.bind(Op.CTRL_Q, KeyMap.ctrl('Q'));
        keys.bind(Op.CTRL_L, KeyMap.ctrl('L'));
    }

    private void bind(Op op, Capability cap, String... fallbacks) {
        String seq = KeyMap.key(terminal, cap);
        if (seq != null && !seq.isEmpty()) {
            keys.bind(op, seq);
        }
        for (String f : fallbacks) {
            keys.bind(op, f);
        }
    }

    /** Runs until the user leaves; returns the exit status. */
    int run() {
        terminal.puts(Capability.enter_ca_mode);
        terminal.puts(Capability.keypad_xmit);
        terminal.flush();
        terminal.handle(Terminal.Signal.WINCH, s -> redraw());
        DatabaseProfile p = options.database.profile();
        add(
                Kind.INFO,
                "Connected" + (p == null ? "" : " to " + p.name()) + ": "
                        + schema.tables().size()
                        + " tables and views. Type a question and press Enter. F1 lists the keys; Ctrl-P opens the palette.");
        redraw();
        while (true) {
            Op op = reader.readBinding(keys, null, true);
            synchronized (this) {
                if (op == null) {
                    quit = true;
                } else {
                    flash = "";
                    handle(op, reader.getLastBinding());
                }
                if (quit) {
                    break;
                }
                draw();
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------------------------------------ the agent

    private PostgresAgent buildAgent() {
        AgentOptions a = options.agentOptions;
        ConfirmationHandler confirmations = this::confirm;
        AgentListener listener = this::onEvent;
        if (sessionPolicy != null) {
            // a level lowered for the session: the agent is rebuilt with it (never raised above the configuration)
            PolicyLevel chosen = sessionPolicy.level();
            a = copyWithLevel(a, chosen);
        }
        return Agents.build(cli, llm, db, a, listener, confirmations, options.history.configure(cli, db));
    }

    private static AgentOptions copyWithLevel(AgentOptions from, PolicyLevel level) {
        AgentOptions a = new AgentOptions();
        a.maxSteps = from.maxSteps;
        a.audit = from.audit;
        a.policy = level;
        a.config = from.config;
        if (from.config != null) {
            // the file's policy with a lower level: every profile at most this level
            a.config = null;
            a.policy = level;
            a.maxSteps = from.config.agent().maxSteps();
            a.audit = from.config.audit().jsonl().orElse(null);
        }
        return a;
    }

    private synchronized void onEvent(AgentEvent e) {
        if (e instanceof AgentEvent.ToolCallStarted) {
            toolCalls++;
            return;
        }
        if (e instanceof AgentEvent.ToolCallFinished) {
            toolCalls = Math.max(0, toolCalls - 1);
            return;
        }
        if ((e instanceof AgentEvent.StatementStarted || e instanceof AgentEvent.StatementFinished) && toolCalls == 0) {
            return; // the agent's own reads (value sampling for the prompt) are not the conversation's statements
        }
        if (e instanceof AgentEvent.ModelCallStarted m) {
            running = "thinking (model turn " + (m.step() + 1) + ")";
        } else if (e instanceof AgentEvent.TextDelta d) {
            if (streamedEntry < 0) {
                add(Kind.ASSISTANT, "");
                streamedEntry = transcript.size() - 1;
            }
            Entry old = transcript.get(streamedEntry);
            transcript.set(streamedEntry, new Entry(Kind.ASSISTANT, old.text() + d.text()));
        } else if (e instanceof AgentEvent.ModelCallFinished) {
            running = "";
        } else if (e instanceof AgentEvent.StatementStarted s) {
            running = "running: " + firstLine(s.sql());
            add(
                    Kind.SQL,
                    "[" + s.database() + "] " + s.sql().strip() + "  -- "
                            + s.verdict().decision() + " " + s.verdict().kind());
        } else if (e instanceof AgentEvent.StatementFinished f) {
            running = "";
            finished(f.database(), f.outcome());
        } else if (e instanceof AgentEvent.ConfirmationAnswered c) {
            add(
                    c.decision().isApproved() ? Kind.OK : Kind.REFUSED,
                    c.decision().isApproved() ? "-> confirmed" : "-> declined at the dialog");
        } else {
            return;
        }
        draw();
    }

    private void finished(String database, StatementOutcome o) {
        switch (o.status()) {
            case EXECUTED -> {
                QueryResult t = o.result();
                if (t != null) {
                    results.add(new Result(database, o.sql(), t));
                    add(
                            Kind.OK,
                            "-> " + count(t.rowCount(), "row")
                                    + (t.isTruncated()
                                            ? " (cut: " + t.truncation().name().toLowerCase(Locale.ROOT) + ")"
                                            : "")
                                    + ", "
                                    + o.elapsed().toMillis() + " ms  [result " + results.size() + ", F3 to view]");
                } else {
                    add(
                            Kind.OK,
                            "-> " + count(o.affectedRows(), "row") + " changed, "
                                    + o.elapsed().toMillis() + " ms");
                }
            }
            case REFUSED -> add(Kind.REFUSED, "-> refused: " + o.error());
            case DECLINED -> add(Kind.REFUSED, "-> declined: nothing changed");
            case CANCELLED -> add(Kind.ERROR, "-> cancelled" + (o.error() == null ? "" : ": " + o.error()));
            default ->
                add(
                        Kind.ERROR,
                        "-> " + o.status().name().toLowerCase(Locale.ROOT)
                                + (o.error() == null ? "" : ": " + o.error()));
        }
    }

    private ConfirmationDecision confirm(ConfirmationRequest request) {
        CompletableFuture<ConfirmationDecision> answer = new CompletableFuture<>();
        synchronized (this) {
            overlay = new ConfirmDialog(request, answer);
            draw();
        }
        try {
            return answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ConfirmationDecision.decline("terminal", "interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            return ConfirmationDecision.decline("terminal", "the dialog failed");
        }
    }

    private void ask(String question) {
        add(Kind.USER, question);
        busy = true;
        running = "thinking";
        streamedEntry = -1;
        AgentSession s = session;
        AskCancel c = new AskCancel(s);
        cancel = c;
        asks.submit(() -> {
            long start = System.nanoTime();
            AgentResponse r = null;
            String failure = null;
            try {
                r = s.ask(question);
            } catch (RuntimeException e) {
                failure = Errors.describe(e, cli);
            }
            c.awaitSent();
            synchronized (this) {
                busy = false;
                running = "";
                cancel = null;
                askMillis += (System.nanoTime() - start) / 1_000_000;
                if (r != null) {
                    inputTokens += r.usage().inputTokens();
                    outputTokens += r.usage().outputTokens();
                    if (c.requested() || r.status() == AgentStatus.CANCELLED) {
                        add(Kind.ERROR, "(cancelled; the conversation is kept)");
                    } else {
                        String answer = r.answer().strip();
                        if (streamedEntry >= 0) {
                            transcript.set(streamedEntry, new Entry(Kind.ASSISTANT, answer));
                        } else if (!answer.isEmpty()) {
                            add(Kind.ASSISTANT, answer);
                        }
                        if (r.status() != AgentStatus.COMPLETED) {
                            add(
                                    Kind.ERROR,
                                    "(the ask ended " + r.status().name().toLowerCase(Locale.ROOT)
                                            + r.error().map(x -> ": " + x).orElse("") + ")");
                        }
                    }
                } else {
                    add(Kind.ERROR, failure == null ? "(failed)" : failure);
                }
                streamedEntry = -1;
                draw();
            }
        });
    }

    // ------------------------------------------------------------------------------------------------ keys

    private void handle(Op op, String typed) {
        Overlay o = overlay;
        if (o != null) {
            if (!o.key(op, typed)) {
                if (overlay == o) {
                    overlay = null;
                }
            }
            return;
        }
        switch (op) {
            case CTRL_C -> {
                AskCancel c = cancel;
                if (c != null && busy) {
                    running = "cancelling";
                    Thread t = new Thread(c::request, "pg-agent-tui-cancel");
                    t.setDaemon(true);
                    t.start();
                } else if (view == View.CHAT && input.length() > 0) {
                    input.setLength(0);
                    cursor = 0;
                } else {
                    flash = "nothing is running; Ctrl-Q leaves";
                }
                return;
            }
            case CTRL_Q -> {
                quit = true;
                return;
            }
            case CTRL_P -> {
                overlay = new Palette();
                return;
            }
            case F1 -> {
                overlay = help();
                return;
            }
            case F2 -> {
                view = View.CHAT;
                return;
            }
            case F3 -> {
                view = View.RESULTS;
                return;
            }
            case F4 -> {
                view = View.SCHEMA;
                return;
            }
            case TAB -> {
                view = View.values()[(view.ordinal() + 1) % View.values().length];
                return;
            }
            case BACKTAB -> {
                view = View.values()[(view.ordinal() + View.values().length - 1) % View.values().length];
                return;
            }
            case CTRL_L -> {
                clearConversation();
                return;
            }
            default -> {
                // the view's own keys
            }
        }
        switch (view) {
            case CHAT -> chatKey(op, typed);
            case RESULTS -> resultsKey(op, typed);
            case SCHEMA -> schemaKey(op, typed);
        }
    }

    private void chatKey(Op op, String typed) {
        switch (op) {
            case SELF_INSERT -> {
                input.insert(cursor, typed);
                cursor += typed.length();
            }
            case NEWLINE -> {
                input.insert(cursor, '\n');
                cursor++;
            }
            case BACKSPACE -> {
                if (cursor > 0) {
                    input.deleteCharAt(--cursor);
                }
            }
            case DELETE -> {
                if (cursor < input.length()) {
                    input.deleteCharAt(cursor);
                }
            }
            case LEFT -> cursor = Math.max(0, cursor - 1);
            case RIGHT -> cursor = Math.min(input.length(), cursor + 1);
            case HOME -> cursor = 0;
            case END -> cursor = input.length();
            case PAGE_UP -> chatScroll += Math.max(1, rows() - 6);
            case PAGE_DOWN -> chatScroll = Math.max(0, chatScroll - Math.max(1, rows() - 6));
            case CTRL_D -> {
                if (input.length() == 0) {
                    quit = true;
                }
            }
            case ENTER -> {
                String q = input.toString().strip();
                if (q.isEmpty()) {
                    return;
                }
                if (busy) {
                    flash = "a question is running; Ctrl-C cancels it";
                    return;
                }
                input.setLength(0);
                cursor = 0;
                chatScroll = 0;
                if (q.equals("/quit") || q.equals("/exit")) {
                    quit = true;
                } else if (q.equals("/clear") || q.equals("/reset")) {
                    clearConversation();
                } else {
                    ask(q);
                }
            }
            default -> {
                // not a chat key
            }
        }
    }

    private void resultsKey(Op op, String typed) {
        if (results.isEmpty()) {
            return;
        }
        Result r = results.get(resultIndex);
        int n = r.table().rowCount();
        int page = Math.max(1, tableRows());
        switch (op) {
            case UP -> rowSel = Math.max(0, rowSel - 1);
            case DOWN -> rowSel = Math.min(Math.max(0, n - 1), rowSel + 1);
            case PAGE_DOWN -> rowSel = Math.min(Math.max(0, n - 1), rowSel + page);
            case PAGE_UP -> rowSel = Math.max(0, rowSel - page);
            case HOME -> rowSel = 0;
            case END -> rowSel = Math.max(0, n - 1);
            case LEFT -> colLeft = Math.max(0, colLeft - 1);
            case RIGHT -> colLeft = Math.min(Math.max(0, r.table().columns().size() - 1), colLeft + 1);
            case ENTER -> overlay = rowView(r, rowSel);
            case SELF_INSERT -> {
                switch (typed) {
                    case "[" -> selectResult(resultIndex - 1);
                    case "]" -> selectResult(resultIndex + 1);
                    case "e" -> overlay = exportPrompt(r);
                    case "x" -> explain(r);
                    case "c" -> copy(r.sql());
                    default -> {
                        // no key
                    }
                }
            }
            default -> {
                // no key
            }
        }
        if (rowSel < rowTop) {
            rowTop = rowSel;
        } else if (rowSel >= rowTop + page) {
            rowTop = rowSel - page + 1;
        }
    }

    private void selectResult(int i) {
        if (i >= 0 && i < results.size()) {
            resultIndex = i;
            rowSel = 0;
            rowTop = 0;
            colLeft = 0;
        }
    }

    private void schemaKey(Op op, String typed) {
        int page = Math.max(1, rows() - 4);
        switch (op) {
            case SELF_INSERT -> {
                filter.append(typed);
                applyFilter();
            }
            case BACKSPACE -> {
                if (filter.length() > 0) {
                    filter.setLength(filter.length() - 1);
                    applyFilter();
                }
            }
            case ESC -> {
                filter.setLength(0);
                applyFilter();
            }
            case UP -> tableSel = Math.max(0, tableSel - 1);
            case DOWN -> tableSel = Math.min(Math.max(0, shownTables.size() - 1), tableSel + 1);
            case PAGE_UP -> tableSel = Math.max(0, tableSel - page);
            case PAGE_DOWN -> tableSel = Math.min(Math.max(0, shownTables.size() - 1), tableSel + page);
            case HOME -> tableSel = 0;
            case END -> tableSel = Math.max(0, shownTables.size() - 1);
            default -> {
                // no key
            }
        }
        if (tableSel < tableTop) {
            tableTop = tableSel;
        } else if (tableSel >= tableTop + page) {
            tableTop = tableSel - page + 1;
        }
    }

    private void applyFilter() {
        String f = filter.toString().toLowerCase(Locale.ROOT);
        List<TableInfo> out = new ArrayList<>();
        for (TableInfo t : schema.tables()) {
            if (f.isEmpty() || t.qualifiedName().toLowerCase(Locale.ROOT).contains(f)) {
                out.add(t);
            }
        }
        shownTables = out;
        tableSel = 0;
        tableTop = 0;
    }

    private void clearConversation() {
        if (busy) {
            flash = "a question is running; Ctrl-C cancels it first";
            return;
        }
        session = agent.newSession();
        transcript.clear();
        results.clear();
        resultIndex = 0;
        add(Kind.INFO, "(new conversation)");
    }

    // ------------------------------------------------------------------------------------------------ actions

    private void explain(Result r) {
        if (busy) {
            flash = "a question is running";
            return;
        }
        busy = true;
        running = "explaining";
        asks.submit(() -> {
            StatementOutcome o;
            try {
                o = agent.guardedPath("pg-agent-tui").explain(r.database(), r.sql());
            } catch (RuntimeException e) {
                o = null;
                synchronized (this) {
                    busy = false;
                    running = "";
                    overlay = new TextBox("Explain", List.of(Errors.describe(e, cli)));
                    draw();
                }
                return;
            }
            List<String> lines = new ArrayList<>();
            QueryResult t = o.result();
            if (t != null) {
                for (List<@Nullable String> row : t.rows()) {
                    for (String v : row) {
                        if (v != null) {
                            lines.addAll(v.lines().toList());
                        }
                    }
                }
            } else {
                lines.add(o.status().name().toLowerCase(Locale.ROOT) + (o.error() == null ? "" : ": " + o.error()));
            }
            synchronized (this) {
                busy = false;
                running = "";
                overlay = new TextBox("Plan of result " + (results.indexOf(r) + 1), lines);
                draw();
            }
        });
    }

    private void copy(String sql) {
        // OSC 52 asks the terminal (and tmux, with set-clipboard) to put the text on the clipboard
        String b64 = Base64.getEncoder().encodeToString(sql.getBytes(StandardCharsets.UTF_8));
        terminal.writer().write("\033]52;c;" + b64 + "\007");
        terminal.flush();
        flash = "SQL copied to the clipboard (where the terminal allows it)";
    }

    private Overlay exportPrompt(Result r) {
        return new Prompt(
                "Export result " + (results.indexOf(r) + 1) + " in full to (.csv .json .jsonl .md):",
                "result-" + (results.indexOf(r) + 1) + ".csv",
                file -> export(r, file));
    }

    private void export(Result r, String file) {
        Path target = Path.of(file.strip());
        ExportFormat format;
        try {
            format = ExportCommand.format(target.toString(), null);
        } catch (RuntimeException e) {
            flash = e.getMessage();
            return;
        }
        busy = true;
        running = "exporting to " + target;
        asks.submit(() -> {
            String message;
            try (OutputStream out = Files.newOutputStream(target)) {
                var result =
                        agent.guardedPath("pg-agent-tui").export(r.database(), r.sql(), out, ExportOptions.of(format));
                message = "exported " + count(result.rowCount(), "row") + " to " + target
                        + (result.isTruncated() ? " (cut by a limit)" : "");
            } catch (IOException | RuntimeException e) {
                message = "export failed: " + Errors.describe(e, cli);
            }
            synchronized (this) {
                busy = false;
                running = "";
                flash = message;
                add(Kind.INFO, message);
                draw();
            }
        });
    }

    private void switchProfile(DatabaseProfile p) {
        if (busy) {
            flash = "a question is running";
            return;
        }
        try {
            options.database.profile = p.name();
            Configs.apply(cli, options.database, options.model, options.agentOptions);
            PostgresDatabase next = options.database.database(cli);
            schema = next.schema();
            db = next;
            databaseName = nameOf(next);
            llm = options.model.client(cli);
            sessionPolicy = null;
            PostgresAgent old = agent;
            agent = buildAgent();
            session = agent.restoreSession(session.snapshot());
            old.close();
            cli.pools.closeReplaced(old, agent);
            results.clear();
            resultIndex = 0;
            filter.setLength(0);
            applyFilter();
            add(
                    Kind.INFO,
                    "(profile " + p.name() + ": " + schema.tables().size() + " tables; policy "
                            + AgentOptions.name(options.agentOptions.policy().level()) + ")");
        } catch (RuntimeException e) {
            add(Kind.ERROR, "cannot switch to " + p.name() + ": " + Errors.describe(e, cli));
        }
    }

    private void lowerPolicy(PolicyLevel level) {
        if (busy) {
            flash = "a question is running";
            return;
        }
        sessionPolicy = SafetyPolicy.builder().level(level).build();
        PostgresAgent old = agent;
        agent = buildAgent();
        session = agent.restoreSession(session.snapshot());
        old.close();
        cli.pools.closeReplaced(old, agent);
        add(Kind.INFO, "(policy for this session: " + AgentOptions.name(level) + ")");
    }

    private PolicyLevel level() {
        return sessionPolicy != null
                ? sessionPolicy.level()
                : options.agentOptions.policy().level();
    }

    // ------------------------------------------------------------------------------------------------ drawing

    private int rows() {
        return Math.max(5, terminal.getHeight());
    }

    private int cols() {
        return Math.max(20, terminal.getWidth());
    }

    private int tableRows() {
        return rows() - 5;
    }

    private synchronized void redraw() {
        display.clear();
        draw();
    }

    private synchronized void draw() {
        int h = rows();
        int w = cols();
        display.resize(h, w);
        List<AttributedString> lines = switch (view) {
            case CHAT -> chatLines(h - 1, w);
            case RESULTS -> resultLines(h - 1, w);
            case SCHEMA -> schemaLines(h - 1, w);
        };
        lines = new ArrayList<>(lines);
        while (lines.size() < h - 1) {
            lines.add(AttributedString.EMPTY);
        }
        Overlay o = overlay;
        if (o != null) {
            drawOverlay(lines, o, h - 1, w);
        }
        lines.add(statusBar(w));
        int cursorPos = -1;
        if (view == View.CHAT && o == null) {
            int inputRow = h - 2;
            String before = lastLine(input.substring(0, cursor));
            cursorPos = inputRow * w
                    + Math.min(
                            w - 1, AttributedString.fromAnsi(prompt() + before).columnLength());
        } else {
            cursorPos = (h - 1) * w + w - 1;
        }
        display.update(lines, cursorPos);
        terminal.flush();
    }

    private String prompt() {
        return "pg-agent> ";
    }

    private List<AttributedString> chatLines(int height, int width) {
        List<AttributedString> all = new ArrayList<>();
        for (Entry e : transcript) {
            AttributedStyle style = style(e.kind());
            String prefix = switch (e.kind()) {
                case USER -> "you> ";
                case ASSISTANT -> "";
                case SQL -> "  ";
                case OK, REFUSED, ERROR -> "  ";
                case INFO -> "";
            };
            if (e.kind() == Kind.SQL) {
                for (String l : e.text().split("\n", -1)) {
                    for (AttributedString piece : wrap(highlight("  " + l), width)) {
                        all.add(piece);
                    }
                }
                continue;
            }
            for (String l : (prefix + e.text()).split("\n", -1)) {
                for (AttributedString piece : wrap(new AttributedString(l, style), width)) {
                    all.add(piece);
                }
            }
        }
        int available = height - 2;
        int maxScroll = Math.max(0, all.size() - available);
        chatScroll = Math.min(chatScroll, maxScroll);
        int end = all.size() - chatScroll;
        int start = Math.max(0, end - available);
        List<AttributedString> out = new ArrayList<>(all.subList(start, end));
        while (out.size() < available) {
            out.add(0, AttributedString.EMPTY);
        }
        out.add(new AttributedString("-".repeat(width), faint()));
        String in = input.toString();
        String shown = lastLine(in);
        String more = in.contains("\n") ? "(" + (in.split("\n", -1).length) + " lines) " : "";
        AttributedStringBuilder sb = new AttributedStringBuilder();
        sb.style(bold()).append(prompt()).style(AttributedStyle.DEFAULT).append(shown);
        if (!more.isEmpty()) {
            sb.style(faint()).append("  " + more);
        }
        out.add(sb.toAttributedString().columnSubSequence(0, width));
        return out;
    }

    private List<AttributedString> resultLines(int height, int width) {
        List<AttributedString> out = new ArrayList<>();
        if (results.isEmpty()) {
            out.add(new AttributedString(
                    "No results yet: ask a question (F2) and each statement's result appears" + " here.", faint()));
            return out;
        }
        Result r = results.get(resultIndex);
        QueryResult t = r.table();
        out.add(new AttributedString(
                        String.format(
                                Locale.ROOT,
                                "Result %d of %d  [%s]  %s%s",
                                resultIndex + 1,
                                results.size(),
                                r.database(),
                                count(t.rowCount(), "row"),
                                t.isTruncated()
                                        ? " (cut: " + t.truncation().name().toLowerCase(Locale.ROOT) + ")"
                                        : ""),
                        bold())
                .columnSubSequence(0, width));
        out.add(highlight(firstLine(r.sql())).columnSubSequence(0, width));
        List<String> names = t.columns().stream().map(c -> c.name()).toList();
        int[] widths = new int[names.size()];
        int page = Math.max(1, tableRows());
        for (int c = 0; c < names.size(); c++) {
            int wc = names.get(c).length();
            for (int i = rowTop; i < Math.min(t.rowCount(), rowTop + page); i++) {
                String v = t.rows().get(i).get(c);
                wc = Math.max(wc, v == null ? 4 : cell(v).length());
            }
            widths[c] = Math.min(MAX_CELL, Math.max(1, wc));
        }
        AttributedStringBuilder header = new AttributedStringBuilder();
        for (int c = colLeft; c < names.size(); c++) {
            header.style(bold().underline())
                    .append(pad(names.get(c), widths[c]))
                    .style(AttributedStyle.DEFAULT)
                    .append(" | ");
        }
        out.add(header.toAttributedString().columnSubSequence(0, width));
        for (int i = rowTop; i < Math.min(t.rowCount(), rowTop + page); i++) {
            AttributedStringBuilder row = new AttributedStringBuilder();
            boolean selected = i == rowSel;
            for (int c = colLeft; c < names.size(); c++) {
                String v = t.rows().get(i).get(c);
                AttributedStyle s = selected ? AttributedStyle.DEFAULT.inverse() : AttributedStyle.DEFAULT;
                if (v == null) {
                    row.style(selected ? s : faint()).append(pad("NULL", widths[c]));
                } else {
                    row.style(s).append(pad(cell(v), widths[c]));
                }
                row.style(s).append(" | ");
            }
            out.add(row.toAttributedString().columnSubSequence(0, width));
        }
        while (out.size() < height - 1) {
            out.add(AttributedString.EMPTY);
        }
        out.add(new AttributedString(
                        String.format(
                                Locale.ROOT,
                                "row %d of %d, columns %d-%d of %d.  Up/Down PgUp/PgDn"
                                        + " Left/Right  Enter: whole row  [ ]: other result  e: export  x: explain  c: copy SQL",
                                rowSel + 1,
                                t.rowCount(),
                                colLeft + 1,
                                names.size(),
                                names.size()),
                        faint())
                .columnSubSequence(0, width));
        return out;
    }

    private List<AttributedString> schemaLines(int height, int width) {
        List<AttributedString> out = new ArrayList<>();
        int left = Math.min(40, Math.max(20, width / 3));
        List<AttributedString> detail =
                shownTables.isEmpty() ? List.of() : tableDetail(shownTables.get(tableSel), width - left - 2);
        out.add(new AttributedString(
                        pad("Filter: " + filter + "_", left) + "  " + shownTables.size() + " of "
                                + schema.tables().size() + " tables",
                        bold())
                .columnSubSequence(0, width));
        int page = Math.max(1, height - 2);
        for (int i = 0; i < page; i++) {
            int idx = tableTop + i;
            AttributedStringBuilder sb = new AttributedStringBuilder();
            if (idx < shownTables.size()) {
                String name = shownTables.get(idx).qualifiedName();
                sb.style(idx == tableSel ? AttributedStyle.DEFAULT.inverse() : AttributedStyle.DEFAULT)
                        .append(pad(name.length() > left ? name.substring(0, left - 1) + "~" : name, left));
            } else {
                sb.append(" ".repeat(left));
            }
            sb.style(faint()).append("| ").style(AttributedStyle.DEFAULT);
            if (i < detail.size()) {
                sb.append(detail.get(i));
            }
            out.add(sb.toAttributedString().columnSubSequence(0, width));
        }
        out.add(new AttributedString(
                        "Type to filter; Backspace; Esc clears; Up/Down PgUp/PgDn choose a table.", faint())
                .columnSubSequence(0, width));
        return out;
    }

    private List<AttributedString> tableDetail(TableInfo t, int width) {
        List<AttributedString> out = new ArrayList<>();
        out.add(new AttributedString(
                t.qualifiedName() + "  (" + t.kind().name().toLowerCase(Locale.ROOT) + ", "
                        + (t.rowEstimate() < 0 ? "not analysed" : "about " + count(t.rowEstimate(), "row")) + ")",
                bold()));
        if (t.comment() != null && !t.comment().isBlank()) {
            out.add(new AttributedString(t.comment(), faint()));
        }
        for (ColumnInfo c : t.columns()) {
            String key = t.primaryKey().contains(c.name()) ? "PK " : "   ";
            String fk = t.foreignKeys().stream().anyMatch(f -> f.columns().contains(c.name())) ? "FK " : "   ";
            out.add(new AttributedString(
                    key + fk + pad(c.name(), 24) + " " + c.type() + (c.nullable() ? "" : " not null")
                            + (c.defaultValue() == null ? "" : " default " + c.defaultValue())));
        }
        if (!t.indexes().isEmpty()) {
            out.add(new AttributedString("Indexes:", bold()));
            for (IndexInfo i : t.indexes()) {
                out.add(new AttributedString("  " + i.definition()));
            }
        }
        List<String> outgoing = new ArrayList<>();
        for (ForeignKey f : t.foreignKeys()) {
            outgoing.add(f.referencedQualifiedName() + " (" + String.join(", ", f.columns()) + ")");
        }
        List<String> incoming = new ArrayList<>();
        for (TableInfo other : schema.tables()) {
            for (ForeignKey f : other.foreignKeys()) {
                if (f.referencedQualifiedName().equals(t.qualifiedName())) {
                    incoming.add(other.qualifiedName() + " (" + String.join(", ", f.columns()) + ")");
                }
            }
        }
        out.add(new AttributedString(
                "References (" + outgoing.size() + ") and referenced by (" + incoming.size() + "):", bold()));
        int n = Math.max(Math.max(incoming.size(), outgoing.size()), 1);
        int side = Math.max(10, (width - t.name().length() - 12) / 2);
        // referencing tables on the left, the table in the middle, the tables it references on the right
        int inWidth =
                Math.min(side, incoming.stream().mapToInt(String::length).max().orElse(0));
        for (int i = 0; i < Math.min(n, 12); i++) {
            String in = i < incoming.size() ? incoming.get(i) : "";
            String outName = i < outgoing.size() ? outgoing.get(i) : "";
            String mid = i == 0 ? "[" + t.name() + "]" : " ".repeat(t.name().length() + 2);
            String l = (inWidth == 0 ? "" : pad(cut(in, inWidth), inWidth) + (in.isEmpty() ? "    " : " -> "))
                    + mid
                    + (outName.isEmpty()
                            ? ""
                            : " -> "
                                    + cut(
                                            outName,
                                            Math.max(
                                                    10,
                                                    width - inWidth - t.name().length() - 10)));
            out.add(new AttributedString(l));
        }
        if (n > 12) {
            out.add(new AttributedString("... and " + (n - 12) + " more", faint()));
        }
        return out;
    }

    private AttributedString statusBar(int width) {
        DatabaseProfile p = options.database.profile();
        String where = (p == null ? "" : p.name() + ": ") + databaseName();
        String left = " " + where + " | connected | " + AgentOptions.name(level()) + " | "
                + options.model.model(cli) + " | " + tokens(inputTokens + outputTokens) + " tokens | "
                + String.format(Locale.ROOT, "%.1f s", askMillis / 1000.0) + " | "
                + view.name().toLowerCase(Locale.ROOT)
                + " ";
        String right = !flash.isEmpty() ? flash : !running.isEmpty() ? running : busy ? "working" : "F1 help";
        // what runs now stays visible: the left part gives way first
        String shownRight = cut(right, Math.max(10, width * 2 / 3));
        String text = cut(left, Math.max(0, width - shownRight.length() - 2)) + "| " + shownRight;
        AttributedStyle s = colour
                ? AttributedStyle.DEFAULT.background(AttributedStyle.BLUE).foreground(AttributedStyle.WHITE)
                : AttributedStyle.DEFAULT.inverse();
        return new AttributedString(pad(cut(text, width), width), s);
    }

    private String databaseName() {
        return databaseName;
    }

    /** Reads the database's name once; "database" when it cannot be read. */
    private static String nameOf(PostgresDatabase db) {
        try (java.sql.Connection c = db.dataSource().getConnection();
                java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT current_database()")) {
            return rs.next() ? rs.getString(1) : "database";
        } catch (java.sql.SQLException e) {
            return "database";
        }
    }

    private void drawOverlay(List<AttributedString> lines, Overlay o, int height, int width) {
        int w = Math.min(width - 4, Math.max(40, width * 3 / 4));
        int h = Math.min(height - 2, Math.max(6, height * 2 / 3));
        int top = (height - h) / 2;
        int leftPad = (width - w) / 2;
        List<AttributedString> body = o.body(w - 4, h - 2);
        AttributedStyle frame =
                colour ? AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN) : AttributedStyle.DEFAULT;
        for (int i = 0; i < h; i++) {
            AttributedStringBuilder sb = new AttributedStringBuilder();
            sb.append(" ".repeat(leftPad));
            if (i == 0) {
                String title = " " + o.title + " ";
                sb.style(frame).append("+" + cut(title + "-".repeat(Math.max(0, w - 2 - title.length())), w - 2) + "+");
            } else if (i == h - 1) {
                sb.style(frame).append("+" + "-".repeat(w - 2) + "+");
            } else {
                AttributedString content = i - 1 < body.size() ? body.get(i - 1) : AttributedString.EMPTY;
                sb.style(frame).append("| ").style(AttributedStyle.DEFAULT).append(content.columnSubSequence(0, w - 4));
                int used = Math.min(w - 4, content.columnLength());
                sb.append(" ".repeat(w - 4 - used)).style(frame).append(" |");
            }
            if (top + i < lines.size()) {
                lines.set(top + i, sb.toAttributedString().columnSubSequence(0, width));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ overlays

    private Overlay help() {
        return new TextBox(
                "Keys (F1)",
                List.of(
                        "Tab / Shift-Tab   next / previous view; F2 chat, F3 results, F4 schema",
                        "Ctrl-P            command palette: profile, policy, history, export, explain, ...",
                        "Enter             chat: ask; results: the selected row in full",
                        "Alt-Enter         chat: a new line in the question",
                        "PgUp / PgDn       scroll the conversation, page through a result or the table list",
                        "Left / Right      results: scroll sideways",
                        "[ / ]             results: previous / next result",
                        "e / x / c         results: export in full / explain / copy the SQL",
                        "typing            schema: filter the tables; Esc clears the filter",
                        "Ctrl-C            cancel the running question (the statement stops on the server)",
                        "Ctrl-L            clear the conversation",
                        "Ctrl-Q, Ctrl-D    leave (Ctrl-D at an empty input)",
                        "Esc               close this box"));
    }

    private Overlay rowView(Result r, int row) {
        List<String> lines = new ArrayList<>();
        QueryResult t = r.table();
        if (row >= t.rowCount()) {
            return new TextBox("Row", List.of("(no rows)"));
        }
        for (int c = 0; c < t.columns().size(); c++) {
            String v = t.rows().get(row).get(c);
            String name = t.columns().get(c).name();
            if (v == null) {
                lines.add(name + ": NULL");
            } else {
                List<String> parts = v.lines().toList();
                lines.add(name + ": " + (parts.isEmpty() ? "" : parts.get(0)));
                for (int i = 1; i < parts.size(); i++) {
                    lines.add("    " + parts.get(i));
                }
            }
        }
        return new TextBox("Row " + (row + 1) + " of result " + (resultIndex + 1), lines);
    }

    /** A scrollable text box. */
    private final class TextBox extends Overlay {
        private final List<String> text;
        private int top;

        TextBox(String title, List<String> text) {
            super(title);
            this.text = List.copyOf(text);
        }

        @Override
        List<AttributedString> body(int width, int height) {
            List<AttributedString> wrapped = new ArrayList<>();
            for (String l : text) {
                wrapped.addAll(wrap(new AttributedString(l), width));
            }
            top = Math.max(0, Math.min(top, wrapped.size() - height + 1));
            List<AttributedString> out = new ArrayList<>(
                    wrapped.subList(Math.min(top, wrapped.size()), Math.min(wrapped.size(), top + height - 1)));
            while (out.size() < height - 1) {
                out.add(AttributedString.EMPTY);
            }
            out.add(new AttributedString("Esc closes; Up/Down/PgUp/PgDn scroll", faint()));
            return out;
        }

        @Override
        boolean key(Op op, String typed) {
            switch (op) {
                case UP -> top = Math.max(0, top - 1);
                case DOWN -> top++;
                case PAGE_UP -> top = Math.max(0, top - 10);
                case PAGE_DOWN -> top += 10;
                case ESC, ENTER, CTRL_C -> {
                    return false;
                }
                case SELF_INSERT -> {
                    return !typed.equals("q");
                }
                default -> {
                    // stays open
                }
            }
            return true;
        }
    }

    /** One line of text to type, then Enter. */
    private final class Prompt extends Overlay {
        private final StringBuilder text;
        private final Consumer<String> then;

        Prompt(String title, String initial, Consumer<String> then) {
            super(title);
            this.text = new StringBuilder(initial);
            this.then = then;
        }

        @Override
        List<AttributedString> body(int width, int height) {
            return List.of(
                    new AttributedString("> " + text + "_"),
                    new AttributedString("Enter accepts, Esc cancels", faint()));
        }

        @Override
        boolean key(Op op, String typed) {
            switch (op) {
                case SELF_INSERT -> text.append(typed);
                case BACKSPACE -> {
                    if (text.length() > 0) {
                        text.setLength(text.length() - 1);
                    }
                }
                case ENTER -> {
                    overlay = null;
                    then.accept(text.toString());
                    return overlay != null;
                }
                case ESC, CTRL_C -> {
                    return false;
                }
                default -> {
                    // stays open
                }
            }
            return true;
        }
    }

    /** The dialog of a statement waiting for a person: yes/no, or the typed text for destructive ones. */
    private final class ConfirmDialog extends Overlay {
        private final ConfirmationRequest request;
        private final CompletableFuture<ConfirmationDecision> answer;
        private final StringBuilder typedText = new StringBuilder();

        ConfirmDialog(ConfirmationRequest request, CompletableFuture<ConfirmationDecision> answer) {
            super("Confirm: " + request.verdict().kind());
            this.request = request;
            this.answer = answer;
        }

        @Override
        List<AttributedString> body(int width, int height) {
            List<AttributedString> out = new ArrayList<>();
            if (request.kind() == ConfirmationKind.TYPED) {
                out.add(new AttributedString(
                        "Type '" + request.expectedTypedText() + "' and Enter to run it; Esc declines: " + typedText
                                + "_",
                        bold()));
            } else {
                out.add(new AttributedString("Run it? y = yes, n or Esc = no", bold()));
            }
            out.add(new AttributedString(
                    "Why it needs you: " + request.verdict().reason()));
            out.add(new AttributedString("The model wants to run:", bold()));
            for (String l : request.sql().strip().split("\n")) {
                out.addAll(wrap(highlight("  " + l), width));
            }
            var dry = request.dryRun();
            if (dry.failed()) {
                out.add(new AttributedString("The dry run failed: " + dry.error()));
            } else if (dry.estimated()) {
                out.add(new AttributedString("The planner estimates about " + count(dry.affectedRows(), "row")
                        + " (an estimate; nothing ran)."));
            } else if (dry.affectedRows() >= 0) {
                out.add(new AttributedString(
                        "The dry run changed " + count(dry.affectedRows(), "row") + ", then was rolled back."));
            }
            dry.sampleRows().ifPresent(sample -> {
                out.add(new AttributedString("Sample of the rows it changes:", faint()));
                for (String l : TextTable.render(sample, 3).split("\n")) {
                    out.add(new AttributedString("  " + l));
                }
            });
            return out;
        }

        @Override
        boolean key(Op op, String typed) {
            if (request.kind() == ConfirmationKind.TYPED) {
                switch (op) {
                    case SELF_INSERT -> typedText.append(typed);
                    case BACKSPACE -> {
                        if (typedText.length() > 0) {
                            typedText.setLength(typedText.length() - 1);
                        }
                    }
                    case ENTER -> {
                        String a = typedText.toString().strip();
                        answer.complete(
                                a.equals(request.expectedTypedText())
                                        ? ConfirmationDecision.approveTyped(a, "terminal")
                                        : ConfirmationDecision.decline("terminal", "the typed text did not match"));
                        return false;
                    }
                    case ESC, CTRL_C -> {
                        answer.complete(ConfirmationDecision.decline("terminal", "declined at the terminal"));
                        return false;
                    }
                    default -> {
                        // stays open
                    }
                }
                return true;
            }
            if (op == Op.SELF_INSERT && (typed.equals("y") || typed.equals("Y"))) {
                answer.complete(ConfirmationDecision.approve("terminal"));
                return false;
            }
            if ((op == Op.SELF_INSERT && (typed.equals("n") || typed.equals("N"))) || op == Op.ESC || op == Op.CTRL_C) {
                answer.complete(ConfirmationDecision.decline("terminal", "declined at the terminal"));
                return false;
            }
            return true;
        }
    }

    /** The command palette: filter-as-you-type over every action. */
    private final class Palette extends Overlay {
        private record Action(String label, Runnable run) {}

        private final StringBuilder query = new StringBuilder();
        private final List<Action> actions = new ArrayList<>();
        private int sel;

        Palette() {
            super("Command palette (Ctrl-P)");
            dev.pgagent.config.AgentConfig c = options.database.config;
            DatabaseProfile current = options.database.profile();
            if (c != null) {
                for (DatabaseProfile p : c.databases()) {
                    if (current == null || !p.name().equals(current.name())) {
                        actions.add(new Action(
                                "Switch profile: " + p.name()
                                        + p.description().map(d -> " - " + d).orElse(""),
                                () -> switchProfile(p)));
                    }
                }
            }
            for (PolicyLevel l : PolicyLevel.values()) {
                if (l.compareTo(level()) < 0) {
                    actions.add(new Action(
                            "Lower the policy for this session: " + AgentOptions.name(l), () -> lowerPolicy(l)));
                }
            }
            actions.add(new Action("Show history", Tui.this::showHistory));
            actions.add(new Action("Export the current result", () -> {
                if (!results.isEmpty()) {
                    overlay = exportPrompt(results.get(resultIndex));
                }
            }));
            actions.add(new Action("Explain the current result's statement", () -> {
                if (!results.isEmpty()) {
                    explain(results.get(resultIndex));
                }
            }));
            actions.add(new Action("Open the schema browser", () -> view = View.SCHEMA));
            actions.add(new Action("Open the results", () -> view = View.RESULTS));
            actions.add(new Action("Open the chat", () -> view = View.CHAT));
            actions.add(new Action("Clear the conversation", Tui.this::clearConversation));
            actions.add(new Action("Help: keys", () -> overlay = help()));
            actions.add(new Action("Quit", () -> quit = true));
        }

        private List<Action> shown() {
            String q = query.toString().toLowerCase(Locale.ROOT);
            return actions.stream()
                    .filter(a -> a.label().toLowerCase(Locale.ROOT).contains(q))
                    .toList();
        }

        @Override
        List<AttributedString> body(int width, int height) {
            List<AttributedString> out = new ArrayList<>();
            out.add(new AttributedString("> " + query + "_", bold()));
            List<Action> s = shown();
            sel = Math.min(sel, Math.max(0, s.size() - 1));
            for (int i = 0; i < s.size() && i < height - 2; i++) {
                out.add(new AttributedString(
                        (i == sel ? "> " : "  ") + s.get(i).label(),
                        i == sel ? AttributedStyle.DEFAULT.inverse() : AttributedStyle.DEFAULT));
            }
            return out;
        }

        @Override
        boolean key(Op op, String typed) {
            switch (op) {
                case SELF_INSERT -> {
                    query.append(typed);
                    sel = 0;
                }
                case BACKSPACE -> {
                    if (query.length() > 0) {
                        query.setLength(query.length() - 1);
                    }
                }
                case UP -> sel = Math.max(0, sel - 1);
                case DOWN -> sel++;
                case ENTER -> {
                    List<Action> s = shown();
                    if (!s.isEmpty()) {
                        overlay = null;
                        s.get(Math.min(sel, s.size() - 1)).run().run();
                        return overlay != null;
                    }
                    return true;
                }
                case ESC, CTRL_C, CTRL_P -> {
                    return false;
                }
                default -> {
                    // stays open
                }
            }
            return true;
        }
    }

    private void showHistory() {
        dev.pgagent.db.postgres.PostgresHistoryStore store = options.history.store(cli);
        List<String> lines = new ArrayList<>();
        if (store == null) {
            for (Entry e : transcript) {
                if (e.kind() == Kind.USER) {
                    lines.add(e.text());
                }
            }
            if (lines.isEmpty()) {
                lines.add("(no questions yet; with --history URL every ask is kept across runs)");
            }
        } else {
            for (var r : store.search(
                    dev.pgagent.api.history.HistoryQuery.builder().limit(50).build())) {
                lines.add(HistoryCommand.shortId(r.id()) + "  " + r.status().toLowerCase(Locale.ROOT) + "  "
                        + r.question());
            }
        }
        overlay = new TextBox("History", lines);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void add(Kind kind, String text) {
        transcript.add(new Entry(kind, cli.scrub(text)));
        if (transcript.size() > MAX_TRANSCRIPT) {
            transcript.remove(0);
            if (streamedEntry >= 0) {
                streamedEntry--;
            }
        }
    }

    private AttributedStyle style(Kind k) {
        if (!colour) {
            return k == Kind.USER ? AttributedStyle.BOLD : AttributedStyle.DEFAULT;
        }
        return switch (k) {
            case USER -> AttributedStyle.BOLD.foreground(AttributedStyle.CYAN);
            case ASSISTANT -> AttributedStyle.DEFAULT;
            case SQL -> AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW);
            case OK -> AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN);
            case REFUSED, ERROR -> AttributedStyle.DEFAULT.foreground(AttributedStyle.RED);
            case INFO -> faint();
        };
    }

    private AttributedStyle bold() {
        return AttributedStyle.BOLD;
    }

    private AttributedStyle faint() {
        return colour ? AttributedStyle.DEFAULT.faint() : AttributedStyle.DEFAULT;
    }

    /** Colours SQL keywords, strings and numbers (no colour under NO_COLOR). */
    private AttributedString highlight(String sql) {
        AttributedStringBuilder sb = new AttributedStringBuilder();
        if (!colour) {
            return new AttributedString(sql);
        }
        int i = 0;
        while (i < sql.length()) {
            char ch = sql.charAt(i);
            if (ch == '\'') {
                int j = sql.indexOf('\'', i + 1);
                j = j < 0 ? sql.length() : j + 1;
                sb.style(AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN))
                        .append(sql, i, j);
                i = j;
            } else if (Character.isLetter(ch) || ch == '_') {
                int j = i;
                while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
                    j++;
                }
                String word = sql.substring(i, j);
                sb.style(
                                KEYWORDS.contains(word.toUpperCase(Locale.ROOT))
                                        ? AttributedStyle.BOLD.foreground(AttributedStyle.MAGENTA)
                                        : AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW))
                        .append(word);
                i = j;
            } else if (Character.isDigit(ch)) {
                int j = i;
                while (j < sql.length() && (Character.isDigit(sql.charAt(j)) || sql.charAt(j) == '.')) {
                    j++;
                }
                sb.style(AttributedStyle.DEFAULT.foreground(AttributedStyle.BLUE))
                        .append(sql, i, j);
                i = j;
            } else {
                sb.style(AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW))
                        .append(ch);
                i++;
            }
        }
        return sb.toAttributedString();
    }

    private static List<AttributedString> wrap(AttributedString s, int width) {
        List<AttributedString> out = new ArrayList<>();
        if (s.columnLength() <= width) {
            out.add(s);
            return out;
        }
        int start = 0;
        int len = s.columnLength();
        while (start < len) {
            out.add(s.columnSubSequence(start, Math.min(len, start + width)));
            start += width;
        }
        return out;
    }

    private static String cell(String v) {
        String flat = v.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
        return flat.length() > MAX_CELL ? flat.substring(0, MAX_CELL - 1) + "~" : flat;
    }

    private static String pad(String s, int width) {
        int len = AttributedString.fromAnsi(s).columnLength();
        return len >= width ? s : s + " ".repeat(width - len);
    }

    private static String cut(String s, int width) {
        return s.length() <= width ? s : s.substring(0, Math.max(0, width - 1)) + "~";
    }

    private static String firstLine(String sql) {
        String s = sql.strip();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl) + " ...";
    }

    private static String lastLine(String s) {
        int nl = s.lastIndexOf('\n');
        return nl < 0 ? s : s.substring(nl + 1);
    }

    private static String count(long n, String noun) {
        return ResponsePrinter.count(n, noun);
    }

    private static String tokens(long n) {
        return n < 1000 ? Long.toString(n) : String.format(Locale.ROOT, "%.1fk", n / 1000.0);
    }

    @Override
    public void close() {
        AskCancel c = cancel;
        if (c != null) {
            c.request();
            c.awaitSent();
        }
        asks.shutdownNow();
        try {
            asks.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        agent.close();
        restoreTerminal();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting: the hook has run
        }
        try {
            terminal.close();
        } catch (IOException | RuntimeException e) {
            // the terminal went away
        }
    }

    /**
     * Leaves the alternate screen and puts the terminal's modes back, once; from {@link #close()}, or from a shutdown
     * hook when the process is ended otherwise (SIGTERM, a closed window), so the shell is never left in raw mode.
     */
    private void restoreTerminal() {
        if (!restored.compareAndSet(false, true)) {
            return;
        }
        try {
            terminal.puts(Capability.keypad_local);
            terminal.puts(Capability.exit_ca_mode);
            terminal.flush();
            if (original != null) {
                terminal.setAttributes(original);
            }
        } catch (RuntimeException e) {
            // the terminal went away
        }
    }

    /** For tests: the size JLine reports. */
    Size size() {
        return terminal.getSize();
    }
}
