package dev.pgagent.cli;

import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentListener;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Shows what an ask is doing on one status line of standard error, redrawn ten times a second: the model thinking,
 * the SQL running (first line, cut to the terminal's width), a tool running, each with its elapsed time and a
 * spinner. For a person at a terminal only: a disabled progress ({@link #NONE}) ignores every event and prints
 * nothing. Other output printed during an ask goes through {@link #print(Runnable)}, which clears the line first
 * and draws it again after. Thread-safe.
 */
final class Progress implements AgentListener, AutoCloseable {
    /** A progress that shows nothing. */
    static final Progress NONE = new Progress(null, () -> 80);

    private static final char[] SPINNER = {'|', '/', '-', '\\'};
    private static final long TICK_MILLIS = 100;

    private final @Nullable PrintStream err;
    private final IntSupplier width;
    private final Object lock = new Object();
    private final List<Activity> running = new ArrayList<>();
    private @Nullable Activity thinking;
    private boolean drawn;
    private int paused;
    private int frame;
    private @Nullable Thread ticker;

    private record Activity(String key, String text, long since) {}

    private Progress(@Nullable PrintStream err, IntSupplier width) {
        this.err = err;
        this.width = width;
    }

    /** Returns a progress drawn on {@code err}, a terminal {@code width} columns wide (asked on each draw). */
    static Progress on(PrintStream err, IntSupplier width) {
        return new Progress(err, width);
    }

    /** Returns whether this progress draws anything. */
    boolean enabled() {
        return err != null;
    }

    @Override
    public void onEvent(AgentEvent event) {
        if (err == null) {
            return;
        }
        long now = System.nanoTime();
        synchronized (lock) {
            if (event instanceof AgentEvent.ModelCallStarted m) {
                thinking = new Activity("model", "thinking (model turn " + m.step() + ")", now);
            } else if (event instanceof AgentEvent.ModelCallFinished) {
                thinking = null;
            } else if (event instanceof AgentEvent.ToolCallStarted t) {
                running.add(new Activity(
                        "tool:" + t.call().id(), "calling " + t.call().name(), now));
            } else if (event instanceof AgentEvent.ToolCallFinished t) {
                remove("tool:" + t.call().id());
            } else if (event instanceof AgentEvent.StatementStarted s) {
                // shown before the tool call that runs it, which started first
                running.add(
                        0,
                        new Activity(
                                "sql:" + s.sql(),
                                (s.explain() ? "explaining: " : "running: ") + oneLine(s.sql()),
                                now));
            } else if (event instanceof AgentEvent.StatementFinished s) {
                remove("sql:" + s.outcome().sql());
            } else if (event instanceof AgentEvent.ConfirmationAsked) {
                paused++;
                clear();
            } else if (event instanceof AgentEvent.ConfirmationAnswered) {
                paused = Math.max(0, paused - 1);
            } else if (event instanceof AgentEvent.AskFinished) {
                running.clear();
                thinking = null;
                clear();
                return;
            }
            startTicker();
            draw();
        }
    }

    /** Runs {@code printing} (which writes whole lines) with the status line cleared, then draws it again. */
    void print(Runnable printing) {
        synchronized (lock) {
            clear();
            printing.run();
            draw();
        }
    }

    /** Stops drawing and clears the line. */
    @Override
    public void close() {
        Thread t;
        synchronized (lock) {
            running.clear();
            thinking = null;
            clear();
            t = ticker;
            ticker = null;
            lock.notifyAll();
        }
        if (t != null) {
            t.interrupt();
        }
    }

    private void remove(String key) {
        for (int i = running.size() - 1; i >= 0; i--) {
            if (running.get(i).key().equals(key)) {
                running.remove(i);
                return;
            }
        }
    }

    private void startTicker() {
        if (ticker != null) {
            return;
        }
        Thread t = new Thread(this::tick, "pg-agent-progress");
        t.setDaemon(true);
        ticker = t;
        t.start();
    }

    private void tick() {
        synchronized (lock) {
            while (ticker == Thread.currentThread()) {
                try {
                    lock.wait(TICK_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                frame++;
                draw();
            }
        }
    }

    /** Draws the line for the current state (lock held). */
    private void draw() {
        PrintStream e = err;
        if (e == null) {
            return;
        }
        String text = line(System.nanoTime());
        if (text == null || paused > 0) {
            clear();
            return;
        }
        e.print("\r\033[2K" + text);
        e.flush();
        drawn = true;
    }

    private @Nullable String line(long now) {
        // a statement runs inside a tool call: show the statement, and count only the other statements
        List<Activity> statements =
                running.stream().filter(r -> r.key().startsWith("sql:")).toList();
        Activity a = !statements.isEmpty() ? statements.get(0) : !running.isEmpty() ? running.get(0) : thinking;
        if (a == null) {
            return null;
        }
        String more = statements.size() > 1 ? " (+" + (statements.size() - 1) + " more)" : "";
        String head = SPINNER[frame % SPINNER.length] + " " + seconds(now - a.since()) + "  ";
        int room = Math.max(20, width.getAsInt() - 1) - head.length() - more.length();
        String text = a.text();
        if (text.length() > room) {
            text = text.substring(0, Math.max(0, room - 3)) + "...";
        }
        return head + text + more;
    }

    private void clear() {
        PrintStream e = err;
        if (drawn && e != null) {
            e.print("\r\033[2K");
            e.flush();
            drawn = false;
        }
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    private static String oneLine(String sql) {
        return sql.strip().replaceAll("\\s+", " ");
    }
}
