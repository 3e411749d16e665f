package dev.pgagent.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.LlmException;
import dev.pgagent.api.LlmException.Reason;
import dev.pgagent.api.audit.AuditEvent;
import dev.pgagent.api.audit.AuditSink;
import dev.pgagent.api.llm.AssistantMessage;
import dev.pgagent.api.llm.ChatMessage;
import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.FinishReason;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.api.llm.TokenUsage;
import dev.pgagent.api.llm.ToolCall;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.llm.UserMessage;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.SafetyValidator;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.tool.Tool;
import dev.pgagent.api.tool.ToolArguments;
import dev.pgagent.api.tool.ToolContext;
import dev.pgagent.api.tool.ToolResult;
import dev.pgagent.testkit.FakeToolContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The suites themselves: well-behaved implementations made of plain lambdas pass them, and implementations broken in
 * one way each fail exactly the checks about that way. Each subject is run with the JUnit Platform launcher.
 */
class ContractSuitesTest {
    /**
     * The tag of the subjects below: the build excludes it (agent-testkit's POM), so that no test filter runs a
     * deliberately broken subject on its own; the launcher here selects each subject by class.
     */
    static final String SUBJECT = "contract-subject";

    private static final Pattern TEST_NAME = Pattern.compile("\\[(?:method|test-factory|test-template):(\\w+)\\(");

    /** Runs {@code subject}'s tests and returns the names of the test methods with a failure, and the count run. */
    private static Outcome run(Class<?> subject) {
        Set<String> failed = new TreeSet<>();
        List<String> ran = new ArrayList<>();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(
                LauncherDiscoveryRequestBuilder.request()
                        .selectors(DiscoverySelectors.selectClass(subject))
                        .build(),
                new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                        if (!id.isTest()) {
                            return;
                        }
                        Matcher m = TEST_NAME.matcher(id.getUniqueId());
                        String name = m.find() ? m.group(1) : id.getUniqueId();
                        ran.add(name);
                        if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                            failed.add(name);
                        }
                    }
                });
        return new Outcome(failed, ran.size());
    }

    private record Outcome(Set<String> failed, int ran) {}

    // -------------------------------------------------------------------------------------------------------------
    // LlmClient

    /** A client made of lambdas that keeps the contract. */
    @Tag(SUBJECT)
    static class InMemoryLlm extends LlmClientContract {
        static final String SECRET = "in-memory-secret-0123456789";

        @Override
        protected String secret() {
            return SECRET;
        }

        @Override
        protected LlmClient clientAnsweringText(String text, TokenUsage usage) {
            return request -> new ChatResponse(AssistantMessage.of(text), FinishReason.STOP, usage, "fake");
        }

        @Override
        protected LlmClient clientAnsweringToolCalls(List<ToolCall> calls) {
            return request -> new ChatResponse(
                    AssistantMessage.ofToolCalls(calls), FinishReason.TOOL_CALLS, TokenUsage.ZERO, "fake");
        }

        @Override
        protected LlmClient clientEchoingTheLastUserMessage() {
            return request -> {
                List<ChatMessage> messages = request.messages();
                String text = ((UserMessage) messages.get(messages.size() - 1)).text();
                return new ChatResponse(AssistantMessage.of(text), FinishReason.STOP, TokenUsage.ZERO, "fake");
            };
        }

        static Reason reason(int status) {
            return switch (status) {
                case 401, 403 -> Reason.AUTHENTICATION;
                case 404 -> Reason.NOT_FOUND;
                case 429 -> Reason.RATE_LIMITED;
                default -> status >= 500 ? Reason.SERVER_ERROR : Reason.BAD_REQUEST;
            };
        }

        @Override
        protected LlmClient clientFailingWith(int status, String message) {
            return request -> {
                Reason r = reason(status);
                boolean retryable = r == Reason.RATE_LIMITED || r == Reason.SERVER_ERROR;
                throw new LlmException(
                        "HTTP " + status + ": " + message.replace(SECRET, "****"), r, retryable, status, null, null);
            };
        }

        @Override
        protected LlmClient clientWhoseServerDisconnects() {
            return request -> {
                throw new LlmException("connection reset", Reason.NETWORK, true, null);
            };
        }

        @Override
        protected LlmClient clientGettingAMalformedReply() {
            return request -> {
                throw new LlmException("the reply is not JSON", Reason.INVALID_RESPONSE, false, null);
            };
        }

        @Override
        protected LlmClient clientWhoseServerStalls(Runnable requestArrived) {
            return request -> {
                requestArrived.run();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new CancelledException("interrupted");
            };
        }
    }

    @Tag(SUBJECT)
    static class LeaksTheSecret extends InMemoryLlm {
        @Override
        protected LlmClient clientFailingWith(int status, String message) {
            return request -> {
                throw new LlmException(message, reason(status), status >= 429, status, null, null);
            };
        }
    }

    @Tag(SUBJECT)
    static class RetriesEverything extends InMemoryLlm {
        @Override
        protected LlmClient clientFailingWith(int status, String message) {
            return request -> {
                throw new LlmException("failed", reason(status), true, status, null, null);
            };
        }
    }

    @Tag(SUBJECT)
    static class DeafToInterrupts extends InMemoryLlm {
        @Override
        protected LlmClient clientWhoseServerStalls(Runnable requestArrived) {
            return request -> {
                requestArrived.run();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (System.nanoTime() < end) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        // deaf: keeps waiting, then answers as if nothing happened
                    }
                }
                return new ChatResponse(AssistantMessage.of("late"), FinishReason.STOP, TokenUsage.ZERO, null);
            };
        }

        @Override
        protected Duration cancellationBound() {
            return Duration.ofSeconds(20);
        }
    }

    @Test
    void aClientMadeOfLambdasKeepsTheLlmClientContract() {
        Outcome o = run(InMemoryLlm.class);
        assertThat(o.ran()).isGreaterThan(10);
        assertThat(o.failed()).isEmpty();
    }

    @Test
    void theLlmClientContractCatchesBrokenClients() {
        assertThat(run(LeaksTheSecret.class).failed()).containsExactly("neverPutsTheSecretInAnException");
        assertThat(run(RetriesEverything.class).failed())
                .containsExactly("mapsHttpFailuresToAReasonAndWhetherARetryMaySucceed");
        assertThat(run(DeafToInterrupts.class).failed())
                .containsExactly("interruptingACallerWhoseCallStalledEndsItWithCancelledException");
    }

    // -------------------------------------------------------------------------------------------------------------
    // SafetyValidator

    @Tag(SUBJECT)
    static class AllowsEverything extends SafetyValidatorContract {
        @Override
        protected SafetyValidator validator(SafetyPolicy policy) {
            return sql -> Verdict.allow(StatementKind.READ, "looks fine", Set.of());
        }
    }

    @Tag(SUBJECT)
    static class ThrowsOnEmptyText extends SafetyValidatorContract {
        @Override
        protected SafetyValidator validator(SafetyPolicy policy) {
            SafetyValidator deny = sql -> Verdict.deny(StatementKind.OTHER, "denied");
            return sql -> {
                if (sql.isBlank()) {
                    throw new IllegalArgumentException("sql must not be blank");
                }
                return deny.validate(sql);
            };
        }
    }

    @Test
    void theSafetyValidatorContractCatchesBrokenValidators() {
        assertThat(run(AllowsEverything.class).failed())
                .contains(
                        "neverAllowsAnythingButAReadAtAnyLevel",
                        "deniesGuardedOperationsAtEveryLevelUnlessTheHostOptsIn",
                        "deniesTextThatIsNotSqlWithoutThrowing",
                        "readOnlyDeniesDataChanges",
                        "balancedAsksForAConfirmationBeforeADataChangeAndDeniesDdl",
                        "classifiesSeveralStatementsInOneTextAsMultiple");
        assertThat(run(ThrowsOnEmptyText.class).failed())
                .contains("deniesTextThatIsNotSqlWithoutThrowing", "allowsPlainReadsAsReads");
    }

    // -------------------------------------------------------------------------------------------------------------
    // AuditSink

    @Tag(SUBJECT)
    static class DropsEveryTenthEvent extends AuditSinkContract {
        final List<String> lines = new ArrayList<>();
        int n;

        @Override
        protected AuditSink newSink() {
            lines.clear();
            return event -> {
                synchronized (lines) {
                    if (n++ % 10 != 9) {
                        lines.add(event.toString());
                    }
                }
            };
        }

        @Override
        protected List<String> written() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }
    }

    @Tag(SUBJECT)
    static class SwallowsStorageFailures extends AuditSinkContract implements AuditSinkContract.StorageFailures {
        final List<String> lines = new ArrayList<>();

        @Override
        protected AuditSink newSink() {
            lines.clear();
            return event -> {
                synchronized (lines) {
                    lines.add(event.toString());
                }
            };
        }

        @Override
        protected List<String> written() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        @Override
        public AuditSink sinkWhoseStorageFails() {
            return event -> {
                try {
                    throw new java.io.IOException("disk full");
                } catch (java.io.IOException e) {
                    // swallowed: fail-closed audit can never work with this sink
                }
            };
        }
    }

    @Tag(SUBJECT)
    static class WritesItsPassword extends SwallowsStorageFailures {
        @Override
        public List<String> secrets() {
            return List.of("hunter2-password");
        }

        @Override
        protected AuditSink newSink() {
            AuditSink inner = super.newSink();
            return new AuditSink() {
                @Override
                public void record(AuditEvent event) {
                    inner.record(event);
                }

                @Override
                public String toString() {
                    return "JdbcSink[jdbc:postgresql://db/audit?password=hunter2-password]";
                }
            };
        }

        @Override
        public AuditSink sinkWhoseStorageFails() {
            return event -> {
                throw new IllegalStateException("cannot connect with password=hunter2-password");
            };
        }
    }

    @Test
    void theAuditSinkContractCatchesBrokenSinks() {
        assertThat(run(DropsEveryTenthEvent.class).failed())
                .contains(
                        "writesEachEventOnceInTheOrderRecorded", "writesEveryEventOnceWhenSeveralThreadsRecordAtOnce");
        assertThat(run(SwallowsStorageFailures.class).failed())
                .containsExactly("aFailureToStoreReachesTheCallerAsAnException");
        assertThat(run(WritesItsPassword.class).failed())
                .containsExactly("aFailureToStoreReachesTheCallerAsAnException", "neitherWritesNorShowsASecret");
    }

    // -------------------------------------------------------------------------------------------------------------
    // Tool

    static final ToolSpec REPEAT = new ToolSpec(
            "repeat_text",
            "Repeats a text a number of times.",
            "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"},\"times\":{\"type\":\"integer\"},"
                    + "\"loud\":{\"type\":\"boolean\"}},\"required\":[\"text\"]}");

    static ToolResult repeat(ToolArguments args) {
        String text = args.requireString("text");
        long times = args.integer("times").orElse(1L);
        boolean loud = args.bool("loud").orElse(false);
        String once = loud ? text.toUpperCase(java.util.Locale.ROOT) : text;
        return ToolResult.of(once.repeat((int) Math.max(1, Math.min(times, 10))));
    }

    /** A tool that keeps the contract. */
    @Tag(SUBJECT)
    static class WellBehavedTool extends ToolContract {
        @Override
        protected Tool tool() {
            return Tool.of(REPEAT, (args, ctx) -> {
                ctx.throwIfCancelled();
                try {
                    return repeat(args);
                } catch (IllegalArgumentException e) {
                    return ToolResult.error(e.getMessage());
                }
            });
        }

        @Override
        protected ToolContext context() {
            return FakeToolContext.create();
        }

        @Override
        protected ToolArguments validArguments() {
            return arguments(Map.of("text", "ab", "times", 2));
        }

        @Override
        protected List<ToolArguments> badArguments() {
            return List.of(arguments(Map.of("text", "  ")));
        }
    }

    @Tag(SUBJECT)
    static class ThrowsOnBadArguments extends WellBehavedTool {
        @Override
        protected Tool tool() {
            return Tool.of(REPEAT, (args, ctx) -> {
                ctx.throwIfCancelled();
                return repeat(args);
            });
        }
    }

    @Tag(SUBJECT)
    static class IgnoresCancellation extends WellBehavedTool {
        @Override
        protected Tool tool() {
            return Tool.of(REPEAT, (args, ctx) -> {
                try {
                    return repeat(args);
                } catch (IllegalArgumentException e) {
                    return ToolResult.error(e.getMessage());
                }
            });
        }
    }

    @Tag(SUBJECT)
    static class BadSchema extends WellBehavedTool {
        @Override
        protected Tool tool() {
            return Tool.of(
                    new ToolSpec(
                            "repeat_text",
                            " ",
                            "{\"type\":\"object\",\"properties\":{\"text\":"
                                    + "{\"type\":\"text\"}},\"required\":[\"text\",\"count\"]}"),
                    (args, ctx) -> {
                        ctx.throwIfCancelled();
                        return ToolResult.of(args.string("text").orElse("x"));
                    });
        }
    }

    @Test
    void aToolMadeOfALambdaKeepsTheToolContract() {
        Outcome o = run(WellBehavedTool.class);
        assertThat(o.ran()).isGreaterThan(8);
        assertThat(o.failed()).isEmpty();
    }

    @Test
    void theToolContractCatchesBrokenTools() {
        assertThat(run(ThrowsOnBadArguments.class).failed()).containsExactly("rejectsBadArgumentsWithAnErrorResult");
        assertThat(run(IgnoresCancellation.class).failed()).containsExactly("doesNotReportSuccessInACancelledAsk");
        assertThat(run(BadSchema.class).failed())
                .contains(
                        "describesItselfForTheModel",
                        "declaresItsArgumentsAsAJsonSchemaObject",
                        "rejectsBadArgumentsWithAnErrorResult");
    }

    @Test
    void miniJsonReadsWhatItWritesAndRefusesWhatIsNotJson() {
        Map<String, Object> value = Map.of("a", List.of(1L, 2.5, "x\n\"y\"", true), "b", Map.of());
        assertThat(MiniJson.parse(MiniJson.write(value))).isEqualTo(value);
        for (String bad : List.of("", "{", "{\"a\":1,}", "[1 2]", "01", "\"\\x\"", "{\"a\":1}x", "tru", "{'a':1}")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> MiniJson.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
