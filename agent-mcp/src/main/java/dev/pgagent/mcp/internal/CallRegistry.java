package dev.pgagent.mcp.internal;

import dev.pgagent.core.GuardedPath;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The MCP tool calls in flight, keyed by {@code <session>#<JSON-RPC id>}: what {@code notifications/cancelled}
 * cancels (the call's statements on the server, through its own {@link GuardedPath}), what a closed session cancels,
 * and where a confirmation finds the exchange to elicit through. Thread-safe.
 */
public final class CallRegistry {
    /** The {@code _meta} key under which the message tagger passes a call's key to its handler. */
    public static final String META_KEY = "dev.pgagent/call";

    private static final int MAX_EARLY_CANCELS = 1_000;

    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    /** Cancellations that arrived before their call was registered (the request is still on its way in). */
    private final Map<String, Boolean> early = new EarlyCancels();

    /** Insertion-ordered, keeping the newest {@code MAX_EARLY_CANCELS}; static so its size() is unambiguous. */
    private static final class EarlyCancels extends LinkedHashMap<String, Boolean> {
        private static final long serialVersionUID = 1L;

        EarlyCancels() {
            super(16, 0.75f, false);
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_EARLY_CANCELS;
        }
    }

    /** Returns the key of the call with JSON-RPC id {@code idJson} (its JSON text) in {@code session}. */
    public static String key(String session, String idJson) {
        return session + '#' + idJson;
    }

    /** Returns the session part of a key. */
    static String sessionOf(String key) {
        int i = key.lastIndexOf('#');
        return i < 0 ? key : key.substring(0, i);
    }

    /** Registers a call; it is cancelled at once if its cancellation came first. */
    public Call open(String key, String caller, McpAsyncServerExchange exchange, @Nullable String sql) {
        Call c = new Call(key, caller, exchange, sql);
        calls.put(key, c);
        synchronized (early) {
            if (early.remove(key) != null) {
                c.cancel();
            }
        }
        return c;
    }

    /** Forgets a finished call. */
    public void close(Call call) {
        calls.remove(call.key, call);
    }

    /** Cancels the call under {@code key}, or remembers the cancellation if the call has not started yet. */
    public void cancel(String key) {
        Call c = calls.get(key);
        if (c != null) {
            c.cancel();
            return;
        }
        synchronized (early) {
            early.put(key, Boolean.TRUE);
        }
    }

    /** Cancels every call of a session (the client closed it or went away). */
    public void cancelSession(String session) {
        for (Call c : new ArrayList<>(calls.values())) {
            if (sessionOf(c.key).equals(session)) {
                c.cancel();
            }
        }
    }

    /** Cancels every call. */
    public void cancelAll() {
        for (Call c : new ArrayList<>(calls.values())) {
            c.cancel();
        }
    }

    /**
     * Returns the call a confirmation belongs to: of the calls made as {@code caller}, the one whose SQL is
     * {@code sql}, else the oldest; null when none is in flight.
     */
    public @Nullable Call forConfirmation(String caller, String sql) {
        List<Call> mine = new ArrayList<>();
        for (Call c : calls.values()) {
            if (c.caller.equals(caller)) {
                mine.add(c);
            }
        }
        mine.sort((a, b) -> Long.compare(a.startedNanos, b.startedNanos));
        for (Call c : mine) {
            if (sql.equals(c.sql)) {
                return c;
            }
        }
        return mine.isEmpty() ? null : mine.get(0);
    }

    /** Returns the number of calls in flight. */
    public int size() {
        return calls.size();
    }

    /** One tool call in flight. */
    public static final class Call {
        final String key;
        final String caller;
        final McpAsyncServerExchange exchange;
        final @Nullable String sql;
        final long startedNanos = System.nanoTime();
        private volatile @Nullable GuardedPath path;
        private volatile boolean cancelled;

        Call(String key, String caller, McpAsyncServerExchange exchange, @Nullable String sql) {
            this.key = Objects.requireNonNull(key, "key == null");
            this.caller = caller;
            this.exchange = exchange;
            this.sql = sql;
        }

        /** Returns the exchange of the request, to elicit through. */
        public McpAsyncServerExchange exchange() {
            return exchange;
        }

        /** Sets the guarded path the call runs on; returns false if the call was cancelled already. */
        public boolean attach(GuardedPath p) {
            this.path = p;
            return !cancelled;
        }

        /** Returns whether the client cancelled the call. */
        public boolean isCancelled() {
            return cancelled;
        }

        void cancel() {
            cancelled = true;
            GuardedPath p = path;
            if (p != null) {
                p.cancel();
            }
        }
    }
}
