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
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
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
            String answer = llm.chat(ChatRequest.builder()
                            .addMessage(new UserMessage("how many?"))
                            .build())
                    .message()
                    .text();
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

    /** Lists the classes of {@code dev.pgagent.testkit} (not its subpackages) in a classes directory or a jar. */
    private static List<String> classesOfTheFakesPackage(Path location) throws Exception {
        String dir = "dev/pgagent/testkit/";
        List<String> entries;
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.list(location.resolve(dir))) {
                entries = files.map(p -> dir + p.getFileName()).toList();
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                entries = jar.stream().map(JarEntry::getName).toList();
            }
        }
        return entries.stream()
                .filter(e -> e.startsWith(dir) && e.endsWith(".class") && e.indexOf('/', dir.length()) < 0)
                .filter(e -> !e.endsWith("package-info.class"))
                .map(e -> e.substring(0, e.length() - ".class".length()).replace('/', '.'))
                .toList();
    }

    @Test
    void theFakesLoadAndWorkWithoutJUnitOrAssertJ() throws Exception {
        URL testkit = location(FakeLlmClient.class);
        URL api = location(LlmClient.class);
        URL tests = location(UsesTheFakes.class);
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {testkit, api, tests}, ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> loader.loadClass("org.junit.jupiter.api.Test"))
                    .isInstanceOf(ClassNotFoundException.class);
            assertThatThrownBy(() -> loader.loadClass("org.assertj.core.api.Assertions"))
                    .isInstanceOf(ClassNotFoundException.class);

            // every class of the fakes' package links and initialises
            List<String> names = classesOfTheFakesPackage(Path.of(testkit.toURI()));
            assertThat(names).contains("dev.pgagent.testkit.FakeLlmClient", "dev.pgagent.testkit.ScriptedTool");
            for (String name : names) {
                Class.forName(name, true, loader);
            }

            Callable<?> script = (Callable<?>) loader.loadClass(UsesTheFakes.class.getName())
                    .getConstructor()
                    .newInstance();
            assertThat(script.getClass().getClassLoader()).isSameAs(loader);
            assertThat(script.call()).isEqualTo("42 orders|[ASK_STARTED]|done|1");
        }
    }
}
