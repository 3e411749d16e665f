package dev.pgagent.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pgagent.api.CancelledException;
import dev.pgagent.api.llm.ToolSpec;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.api.sql.SqlGateway;
import dev.pgagent.api.sql.StatementOutcome;
import dev.pgagent.api.tool.Tool;
import dev.pgagent.api.tool.ToolArguments;
import dev.pgagent.api.tool.ToolContext;
import dev.pgagent.api.tool.ToolResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Proves that a {@link Tool} keeps the contract pgagent relies on. Extend it in your test sources with your tool, a
 * context for one call (over a gateway that really runs statements, if the tool needs one), and arguments with which
 * the tool succeeds:
 *
 * <pre>{@code
 * class CountRowsToolContractTest extends ToolContract {
 *     FakeSqlGateway sql = FakeSqlGateway.create()
 *         .onQuery("SELECT count(*) FROM orders", FakeSqlGateway.table(List.of("count"), List.of(List.of("42"))));
 *
 *     @Override protected Tool tool() { return new CountRowsTool(); }
 *     @Override protected ToolContext context() { return FakeToolContext.of(sql); }
 *     @Override protected ToolArguments validArguments() {
 *         return ToolArguments.of(Map.of("table", "orders"), "{\"table\":\"orders\"}");
 *     }
 * }
 * }</pre>
 *
 * <p>What it checks, from the Javadoc of {@link Tool}, {@link ToolSpec}, {@link ToolContext} and
 * {@link ToolArguments}:
 * <ul>
 *   <li>the spec: a name of 1 to 64 letters, digits, underscores or hyphens; a description; a parameter schema that
 *       is a JSON Schema object (valid JSON, {@code "type": "object"}, properties that are schemas, required
 *       properties that are declared); the same spec on every call;
 *   <li>a call with the valid arguments succeeds, also from several threads at once;
 *   <li>bad arguments are an expected failure, returned as an error result, not thrown: a required argument
 *       missing, each declared argument of the wrong JSON type (derived from the schema), and
 *       {@link #badArguments()};
 *   <li>a call in a cancelled ask ({@link ToolContext#isCancelled()} true, the gateway throwing
 *       {@link CancelledException} as {@link SqlGateway#execute(String)} says) does not report success: it throws
 *       {@link CancelledException} or returns an error result.
 * </ul>
 */
public abstract class ToolContract {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Set<String> JSON_TYPES =
            Set.of("string", "number", "integer", "boolean", "array", "object", "null");

    /** Creates the suite. */
    protected ToolContract() {}

    /** Returns the tool under test. */
    protected abstract Tool tool();

    /** Returns a context for one call. */
    protected abstract ToolContext context();

    /** Returns arguments with which the tool succeeds in {@link #context()}. */
    protected abstract ToolArguments validArguments();

    /**
     * Returns further arguments the tool must reject with an error result, besides those the suite derives from the
     * schema (an unknown table, an empty statement, ...). Default: none.
     */
    protected List<ToolArguments> badArguments() {
        return List.of();
    }

    /** Returns how many threads call the tool at once in the concurrency check; default: 4. */
    protected int threads() {
        return 4;
    }

    /** Returns arguments holding {@code values}, with their JSON text. */
    protected static ToolArguments arguments(Map<String, ? extends @Nullable Object> values) {
        return ToolArguments.of(values, MiniJson.write(values));
    }

    @Test
    void hasANameTheModelCanCall() {
        Tool tool = tool();
        assertThat(tool.spec().name()).matches(NAME);
        assertThat(tool.name()).isEqualTo(tool.spec().name());
    }

    @Test
    void describesItselfForTheModel() {
        assertThat(tool().spec().description()).isNotBlank();
    }

    @Test
    void keepsTheSameSpec() {
        Tool tool = tool();
        ToolSpec first = tool.spec();
        for (int k = 0; k < 3; k++) {
            assertThat(tool.spec()).isEqualTo(first);
        }
    }

    @Test
    void declaresItsArgumentsAsAJsonSchemaObject() {
        Map<String, @Nullable Object> schema = schema();
        assertThat(schema.get("type")).as("the schema's type").isEqualTo("object");
        Map<String, @Nullable Object> properties = properties(schema);
        for (Map.Entry<String, @Nullable Object> p : properties.entrySet()) {
            assertThat(p.getValue()).as("the schema of property %s", p.getKey()).isInstanceOf(Map.class);
            Object type = ((Map<?, ?>) Objects.requireNonNull(p.getValue())).get("type");
            if (type instanceof List<?> types) {
                assertThat(types).as("the types of %s", p.getKey()).isNotEmpty().allMatch(JSON_TYPES::contains);
            } else if (type != null) {
                assertThat(JSON_TYPES).as("the type of %s", p.getKey()).contains(String.valueOf(type));
            }
        }
        Object required = schema.get("required");
        if (required != null) {
            assertThat(required).as("required").isInstanceOf(List.class);
            for (Object r : (List<?>) required) {
                assertThat(r).as("a required name").isInstanceOf(String.class);
                assertThat(properties).as("declared properties").containsKey((String) r);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, @Nullable Object> schema() {
        String text = tool().spec().parametersSchema();
        Object parsed;
        try {
            parsed = MiniJson.parse(text);
        } catch (IllegalArgumentException e) {
            throw new AssertionError("the parameter schema is not JSON: " + e.getMessage() + ": " + text, e);
        }
        assertThat(parsed).as("the parameter schema").isInstanceOf(Map.class);
        return (Map<String, @Nullable Object>) parsed;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, @Nullable Object> properties(Map<String, @Nullable Object> schema) {
        Object properties = schema.get("properties");
        if (properties == null) {
            return Map.of();
        }
        assertThat(properties).as("properties").isInstanceOf(Map.class);
        return (Map<String, @Nullable Object>) properties;
    }

    @Test
    void succeedsWithValidArguments() {
        ToolResult r = tool().execute(validArguments(), context());

        assertThat(r).isNotNull();
        assertThat(r.error()).as("an error result: %s", r.content()).isFalse();
        assertThat(r.content()).isNotBlank();
    }

    /** A wrong-typed JSON value for each JSON Schema type. */
    private static @Nullable Object wrongValue(String type) {
        return switch (type) {
            case "string" -> Map.of("not", "a string");
            case "integer", "number" -> "not a number";
            case "boolean" -> "not a boolean";
            case "array" -> 42L;
            case "object" -> "not an object";
            default -> null;
        };
    }

    /** Returns the bad arguments derived from the schema and the valid arguments, with a name each. */
    private Map<String, ToolArguments> derivedBadArguments() {
        Map<String, @Nullable Object> schema = schema();
        Map<String, @Nullable Object> valid = validArguments().asMap();
        Map<String, ToolArguments> out = new LinkedHashMap<>();
        Object required = schema.get("required");
        if (required instanceof List<?> names) {
            for (Object name : names) {
                Map<String, @Nullable Object> args = new LinkedHashMap<>(valid);
                args.remove(String.valueOf(name));
                out.put("without the required argument " + name, arguments(args));
            }
        }
        for (Map.Entry<String, @Nullable Object> p : properties(schema).entrySet()) {
            if (!(p.getValue() instanceof Map<?, ?> propertySchema)
                    || !(propertySchema.get("type") instanceof String type)) {
                continue;
            }
            Object wrong = wrongValue(type);
            if (wrong == null) {
                continue;
            }
            Map<String, @Nullable Object> args = new LinkedHashMap<>(valid);
            args.put(p.getKey(), wrong);
            out.put("with " + p.getKey() + " not of type " + type + ": " + MiniJson.write(args), arguments(args));
        }
        int k = 0;
        for (ToolArguments a : badArguments()) {
            out.put("badArguments()[" + k++ + "]: " + a.json(), a);
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> rejectsBadArgumentsWithAnErrorResult() {
        Tool tool = tool();
        Map<String, ToolArguments> bad = derivedBadArguments();
        if (bad.isEmpty()) {
            return Stream.of(DynamicTest.dynamicTest(
                    "takes no arguments that could be wrong",
                    () -> assertThat(properties(schema())).isEmpty()));
        }
        return bad.entrySet().stream()
                .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
                    AtomicReference<@Nullable ToolResult> result = new AtomicReference<>();
                    assertThatCode(() -> result.set(tool.execute(e.getValue(), context())))
                            .as("bad arguments are an error result, not an exception")
                            .doesNotThrowAnyException();
                    ToolResult r = result.get();
                    assertThat(r).isNotNull();
                    assertThat(r.error())
                            .as("an error result, but got: %s", r.content())
                            .isTrue();
                    assertThat(r.content()).as("a message the model can act on").isNotBlank();
                }));
    }

    @Test
    void doesNotReportSuccessInACancelledAsk() {
        AtomicReference<@Nullable ToolResult> result = new AtomicReference<>();
        Throwable thrown =
                catchThrowable(() -> result.set(tool().execute(validArguments(), new CancelledContext(context()))));

        if (thrown != null) {
            assertThat(thrown).isInstanceOf(CancelledException.class);
        } else {
            ToolResult r = result.get();
            assertThat(r).isNotNull();
            assertThat(r.error())
                    .as("a result in a cancelled ask: %s", r.content())
                    .isTrue();
        }
    }

    @Test
    void succeedsWhenSeveralThreadsCallItAtOnce() throws InterruptedException {
        Tool tool = tool();
        Concurrently.run(threads(), Duration.ofMinutes(2), t -> {
            for (int k = 0; k < 3; k++) {
                ToolResult r = tool.execute(validArguments(), context());
                assertThat(r.error()).as("an error result: %s", r.content()).isFalse();
            }
        });
    }

    /** A context whose ask was cancelled: the gateway refuses to run anything, as a real one does. */
    private static final class CancelledContext implements ToolContext {
        private final ToolContext delegate;

        CancelledContext(ToolContext delegate) {
            this.delegate = delegate;
        }

        @Override
        public SqlGateway sql() {
            SqlGateway real = delegate.sql();
            return new SqlGateway() {
                @Override
                public StatementOutcome execute(String sql) {
                    throw new CancelledException("the ask was cancelled");
                }

                @Override
                public StatementOutcome explain(String sql) {
                    throw new CancelledException("the ask was cancelled");
                }

                @Override
                public Verdict check(String sql) {
                    return real.check(sql);
                }
            };
        }

        @Override
        public String sessionId() {
            return delegate.sessionId();
        }

        @Override
        public String askId() {
            return delegate.askId();
        }

        @Override
        public boolean isCancelled() {
            return true;
        }
    }
}
