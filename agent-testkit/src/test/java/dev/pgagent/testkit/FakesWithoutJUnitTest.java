package dev.pgagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditEventType;
import dev.pgagent.api.llm.ChatRequest;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.UserMessage;
import dev.pgagent.api.tool.ToolArguments;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The fakes of {@code dev.pgagent.testkit} work in a class loader that has agent-api and agent-testkit but neither
 * JUnit nor AssertJ, which agent-testkit declares as optional dependencies for its contract suites only.
 */
class FakesWithoutJUnitTest {
    /** Uses every fake; loaded and run in the class loader without JUnit. */
    public static final class UsesTheFakes implements Callable<String> {
        @Override
        public String call() {
            FakeLlmClient llm = FakeLlmClient.create().enqueue(LlmResponses.text("42 orders"));
            String answer = llm.chat(ChatRequest.builder().addMessage(new UserMessage("how many?")).build())
                    .message().text();
            RecordingAuditSink audit = new RecordingAuditSink();
            audit.record(AuditEvent.builder(AuditEventType.ASK_STARTED).build());
            FakeSqlGateway sql = FakeSqlGateway.create()
                    .onQuery("select 1", FakeSqlGateway.table(List.of("one"), List.of(List.of("1"))));
            FakeToolContext ctx = FakeToolContext.of(sql);
            ScriptedTool tool = ScriptedTool.returning("t", "done");
            String toolResult = tool.execute(ToolArguments.EMPTY, ctx).content();
            String row = sql.execute("select 1").result().rows().get(0).get(0);
            return answer + "|" + audit.types() + "|" + toolResult + "|" + row;
        }
    }

    private static URL location(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    @Test
    void theFakesLoadAndWorkWithoutJUnitOrAssertJ() throws Exception {
        URL testkit = location(FakeLlmClient.class);
        URL api = location(LlmClient.class);
        URL tests = location(UsesTheFakes.class);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {testkit, api, tests},
                ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> loader.loadClass("org.junit.jupiter.api.Test"))
                    .isInstanceOf(ClassNotFoundException.class);
            assertThatThrownBy(() -> loader.loadClass("org.assertj.core.api.Assertions"))
                    .isInstanceOf(ClassNotFoundException.class);

            // every class of the fakes' package links and initialises
            Path root = Path.of(testkit.toURI()).resolve("dev/pgagent/testkit");
            try (Stream<Path> files = Files.list(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    String name = "dev.pgagent.testkit." + f.getFileName().toString().replace(".class", "");
                    if (!name.endsWith("package-info")) {
                        Class.forName(name, true, loader);
                    }
                }
            }

            Callable<?> script = (Callable<?>) loader.loadClass(UsesTheFakes.class.getName())
                    .getConstructor().newInstance();
            assertThat(script.getClass().getClassLoader()).isSameAs(loader);
            assertThat(script.call()).isEqualTo("42 orders|[ASK_STARTED]|done|1");
        }
    }
}
