package dev.pgagent.benchmarks;

import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.StreamListener;
import dev.pgagent.api.llm.ToolResultMessage;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.tool.Tool;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.core.AgentEvent;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.AgentSession;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.llm.anthropic.AnthropicLlmClient;
import dev.pgagent.llm.openai.OpenAiLlmClient;
import dev.pgagent.testkit.LlmResponses;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * What the agent adds to each step when it streams, and how soon a streamed piece of text reaches the host.
 *
 * <ol>
 *   <li><b>Overhead per step</b> (goal: 2 ms or less). An in-process streaming model that answers at once (tool
 *       calls for the first steps, then an answer in 20 pieces) and a host tool that does nothing: neither the model
 *       nor the database does any work inside a step, so the time from one step's model call starting to the
 *       next's is what the agent itself spends: handing the call to a worker, passing each piece of text to the
 *       listener, running the tool call, recording the step and building the next request.
 *   <li><b>Time to the first text event</b> (goal: under 50 ms). A local HTTP server speaks each provider's
 *       streaming wire format; it notes the time just before it writes the first byte of the first event and the
 *       host's listener notes when the {@code TextDelta} event for it arrives. Through the real adapter (OkHttp,
 *       okhttp-sse, Jackson) and the agent.
 * </ol>
 *
 * <p>The database is only the agent's default database (for the system prompt); no statement runs inside a step.
 * Run with {@code benchmarks/run StreamingBenchmark [asks [steps]]}.
 */
public final class StreamingBenchmark {
    private static final PrintStream OUT = System.out;
    private static final ToolSpec NOOP = new ToolSpec("noop", "Does nothing.", ToolSpec.NO_PARAMETERS);

    private StreamingBenchmark() {}

    public static void main(String[] args) throws Exception {
        int asks = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        DataSource ds = ContextBenchmark.server().dataSource("postgres");
        OUT.printf(
                Locale.ROOT,
                "Streaming: %d asks of %d steps (%d tool steps, then an answer in 20 pieces)%n",
                asks,
                steps,
                steps - 1);

        long[] perStep = overheadPerStep(ds, new InstantStreamingModel(steps - 1), asks / 10, asks, steps);
        OUT.printf(
                Locale.ROOT,
                "%-46s p50 %7.3f ms  p95 %7.3f ms  p99 %7.3f ms  (%d steps)%n",
                "agent overhead per step, in-process model",
                ms(pct(perStep, 50)),
                ms(pct(perStep, 95)),
                ms(pct(perStep, 99)),
                perStep.length);

        try (SseServer server = new SseServer(steps - 1)) {
            for (String provider : List.of("openai", "anthropic")) {
                LlmClient llm = provider.equals("openai")
                        ? OpenAiLlmClient.builder()
                                .baseUrl(server.base() + "/v1")
                                .apiKey("sk-bench")
                                .model("gpt-4o-mini")
                                .build()
                        : AnthropicLlmClient.builder()
                                .baseUrl(server.base())
                                .apiKey("sk-ant-bench")
                                .model("claude-sonnet-4-5")
                                .build();
                long[] adapterStep = overheadPerStep(ds, llm, asks / 20, asks / 5, steps);
                OUT.printf(
                        Locale.ROOT,
                        "%-46s p50 %7.3f ms  p95 %7.3f ms  p99 %7.3f ms  (%d steps)%n",
                        "per step incl. " + provider + " adapter over loopback",
                        ms(pct(adapterStep, 50)),
                        ms(pct(adapterStep, 95)),
                        ms(pct(adapterStep, 99)),
                        adapterStep.length);
                long[] first = firstText(ds, llm, server, asks / 10, asks);
                OUT.printf(
                        Locale.ROOT,
                        "%-46s p50 %7.3f ms  p95 %7.3f ms  max %7.3f ms  (%d asks)%n",
                        "first byte -> first TextDelta, " + provider,
                        ms(pct(first, 50)),
                        ms(pct(first, 95)),
                        ms(first[first.length - 1]),
                        first.length);
            }
        }
    }

    private static PostgresAgent agent(
            DataSource ds, LlmClient llm, int steps, dev.pgagent.core.AgentListener listener) {
        return PostgresAgent.builder()
                .llm(llm)
                .dataSource(ds)
                .addTool(Tool.of(NOOP, (arguments, context) -> ToolResult.of("ok")))
                .maxSteps(steps)
                .listener(listener)
                .build();
    }

    /** Returns, sorted, the time from each step's model call start to the next step's, steps 2 and on. */
    private static long[] overheadPerStep(DataSource ds, LlmClient llm, int warmup, int asks, int steps) {
        List<Long> starts = new ArrayList<>();
        long[] out = new long[asks * (steps - 1)];
        int k = 0;
        try (PostgresAgent agent = agent(ds, llm, steps, e -> {
            if (e instanceof AgentEvent.ModelCallStarted) {
                synchronized (starts) {
                    starts.add(System.nanoTime());
                }
            }
        })) {
            for (int i = 0; i < warmup + asks; i++) {
                synchronized (starts) {
                    starts.clear();
                }
                AgentSession session = agent.newSession("bench-" + i);
                AgentResponse r = session.ask("How many?");
                if (!r.isCompleted() || r.steps().size() != steps) {
                    throw new IllegalStateException("the ask must complete in " + steps + " steps but " + r);
                }
                if (i < warmup) {
                    continue;
                }
                synchronized (starts) {
                    for (int s = 1; s < starts.size(); s++) {
                        out[k++] = starts.get(s) - starts.get(s - 1);
                    }
                }
            }
        }
        long[] sorted = Arrays.copyOf(out, k);
        Arrays.sort(sorted);
        return sorted;
    }

    /** Returns, sorted, the time from the server's first byte of the first event to the host's first TextDelta. */
    private static long[] firstText(DataSource ds, LlmClient llm, SseServer server, int warmup, int asks) {
        AtomicLong seen = new AtomicLong();
        long[] out = new long[asks];
        server.answerOnly(true);
        try (PostgresAgent agent = agent(ds, llm, 2, e -> {
            if (e instanceof AgentEvent.TextDelta) {
                if (seen.compareAndSet(0, System.nanoTime())) {
                    server.firstTextSeen();
                }
            }
        })) {
            for (int i = 0; i < warmup + asks; i++) {
                seen.set(0);
                server.arm();
                AgentResponse r = agent.newSession("first-" + i).ask("How many?");
                if (!r.isCompleted()) {
                    throw new IllegalStateException("the ask must complete but " + r);
                }
                if (i >= warmup) {
                    out[i - warmup] = seen.get() - server.firstByteNanos();
                }
            }
        } finally {
            server.answerOnly(false);
        }
        Arrays.sort(out);
        return out;
    }

    private static long pct(long[] sorted, int p) {
        return sorted.length == 0
                ? 0
                : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static List<String> pieces() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            out.add(i == 0 ? "There" : " are " + i);
        }
        return out;
    }

    /** A model that streams at once: a tool call for each of the first steps, then the answer in 20 pieces. */
    private static final class InstantStreamingModel implements LlmClient {
        private final int toolSteps;

        InstantStreamingModel(int toolSteps) {
            this.toolSteps = toolSteps;
        }

        @Override
        public ChatResponse chat(ChatRequest request) {
            return chat(request, StreamListener.NONE);
        }

        @Override
        public ChatResponse chat(ChatRequest request, StreamListener listener) {
            long results = request.messages().stream()
                    .filter(ToolResultMessage.class::isInstance)
                    .count();
            if (results < toolSteps) {
                listener.onText("Let me look.");
                ChatResponse r = LlmResponses.toolCall("noop", "{}");
                listener.onToolCall(r.message().toolCalls().get(0));
                return r;
            }
            StringBuilder text = new StringBuilder();
            for (String p : pieces()) {
                listener.onText(p);
                text.append(p);
            }
            return LlmResponses.text(text.toString());
        }
    }

    /**
     * A local HTTP/1.1 server speaking OpenAI's and Anthropic's streaming formats. In answer-only mode it writes the
     * headers, notes the time, writes the first event, and waits (bounded) until the host saw the first text before
     * it writes the rest, so that the measured time is not shared with the rest of the body.
     */
    private static final class SseServer implements AutoCloseable {
        private final ServerSocket socket;
        private final Thread acceptor;
        private final int toolSteps;
        private volatile boolean answerOnly;
        private volatile long firstByte;
        private volatile CountDownLatch firstSeen = new CountDownLatch(0);

        SseServer(int toolSteps) throws IOException {
            this.toolSteps = toolSteps;
            this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.acceptor = new Thread(this::acceptLoop, "bench-sse-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String base() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        void answerOnly(boolean on) {
            answerOnly = on;
        }

        void arm() {
            firstSeen = new CountDownLatch(1);
        }

        void firstTextSeen() {
            firstSeen.countDown();
        }

        long firstByteNanos() {
            return firstByte;
        }

        private void acceptLoop() {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    Thread t = new Thread(() -> serve(s), "bench-sse-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                s.setTcpNoDelay(true);
                InputStream in = new BufferedInputStream(s.getInputStream());
                String head = readHead(in);
                int length = 0;
                for (String line : head.split("\r\n")) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).strip());
                    }
                }
                String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                boolean openai = head.startsWith("POST /v1/chat/completions");
                int results = count(body, openai ? "\"tool_call_id\"" : "\"tool_result\"");
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                List<String> events = !answerOnly && results < toolSteps
                        ? (openai ? OpenAiFormat.toolCall() : AnthropicFormat.toolCall())
                        : (openai ? OpenAiFormat.text(pieces()) : AnthropicFormat.text(pieces()));
                Function<String, byte[]> bytes = e -> e.getBytes(StandardCharsets.UTF_8);
                int firstText = openai ? 0 : 2;
                for (int i = 0; i < events.size(); i++) {
                    if (answerOnly && i == firstText) {
                        firstByte = System.nanoTime();
                    }
                    out.write(bytes.apply(events.get(i)));
                    out.flush();
                    if (answerOnly && i == firstText) {
                        firstSeen.await(5, TimeUnit.SECONDS);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the client went away; nothing to report
            }
        }

        private static int count(String body, String what) {
            int n = 0;
            for (int i = body.indexOf(what); i >= 0; i = body.indexOf(what, i + 1)) {
                n++;
            }
            return n;
        }

        private static String readHead(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                sb.append((char) c);
                if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                    break;
                }
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static final class OpenAiFormat {
        static String chunk(String delta, String finish) {
            return "data: {\"id\":\"chatcmpl-b\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
                    + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}\n\n";
        }

        static String usage() {
            return "data: {\"id\":\"chatcmpl-b\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":"
                    + "{\"prompt_tokens\":900,\"completion_tokens\":40,\"total_tokens\":940}}\n\ndata: [DONE]\n\n";
        }

        static List<String> text(List<String> pieces) {
            List<String> out = new ArrayList<>();
            for (String p : pieces) {
                out.add(chunk("{\"content\":\"" + p + "\"}", "null"));
            }
            out.add(chunk("{}", "\"stop\""));
            out.add(usage());
            return out;
        }

        static List<String> toolCall() {
            return List.of(
                    chunk(
                            "{\"tool_calls\":[{\"index\":0,\"id\":\"call_b\",\"type\":\"function\",\"function\":"
                                    + "{\"name\":\"noop\",\"arguments\":\"\"}}]}",
                            "null"),
                    chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{}\"}}]}", "null"),
                    chunk("{}", "\"tool_calls\""),
                    usage());
        }
    }

    private static final class AnthropicFormat {
        static String event(String type, String data) {
            return "event: " + type + "\ndata: " + data + "\n\n";
        }

        static List<String> start(List<String> out) {
            out.add(event(
                    "message_start",
                    "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_b\",\"model\":"
                            + "\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":900,\"output_tokens\":1}}}"));
            return out;
        }

        static List<String> end(List<String> out, String stop) {
            out.add(event(
                    "message_delta",
                    "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stop
                            + "\"},\"usage\":{\"output_tokens\":40}}"));
            out.add(event("message_stop", "{\"type\":\"message_stop\"}"));
            return out;
        }

        static List<String> text(List<String> pieces) {
            List<String> out = start(new ArrayList<>());
            out.add(event(
                    "content_block_start",
                    "{\"type\":\"content_block_start\",\"index\":0,"
                            + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
            for (String p : pieces) {
                out.add(event(
                        "content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":0,"
                                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + p + "\"}}"));
            }
            out.add(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
            return end(out, "end_turn");
        }

        static List<String> toolCall() {
            List<String> out = start(new ArrayList<>());
            out.add(event(
                    "content_block_start",
                    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                            + "{\"type\":\"tool_use\",\"id\":\"toolu_b\",\"name\":\"noop\",\"input\":{}}}"));
            out.add(event(
                    "content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                            + "{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}"));
            out.add(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
            return end(out, "tool_use");
        }
    }
}
