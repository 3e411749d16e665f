package dev.pgagent.examples;

import dev.pgagent.api.llm.ChatResponse;
import dev.pgagent.api.llm.LlmClient;
import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PgDataSources;
import dev.pgagent.llm.openai.OpenAiLlmClient;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Points the same agent at another OpenAI-compatible server: a local Ollama, vLLM, LM Studio, or a hosted
 * compatible API. Only the {@link LlmClient} changes; tools, policy and database stay as they are. Also shows that
 * {@code LlmClient} is a one-method interface a host can wrap, here to count tokens.
 *
 * <pre>{@code
 * ollama pull llama3.1
 * OPENAI_BASE_URL=http://localhost:11434/v1 PGAGENT_MODEL=llama3.1 PGDATABASE=shop \
 *     java -cp pg-agent.jar dev.pgagent.examples.SwapProvider "How many customers per country?"
 * }</pre>
 */
public final class SwapProvider {
    private SwapProvider() {}

    /** Returns the agent every provider shares: same database, same defaults; only the model differs. */
    static PostgresAgent agentFor(LlmClient llm, DataSource dataSource) {
        return PostgresAgent.builder()
                .llm(llm)
                .dataSource(dataSource)
                .maxSteps(6)
                .build();
    }

    /** Asks the question given as arguments through the server in OPENAI_BASE_URL (default: a local Ollama). */
    public static void main(String[] args) {
        String baseUrl = Objects.requireNonNullElse(System.getenv("OPENAI_BASE_URL"), "http://localhost:11434/v1");
        String model = Objects.requireNonNullElse(System.getenv("PGAGENT_MODEL"), "llama3.1");
        LlmClient local = OpenAiLlmClient.builder()
                .baseUrl(baseUrl)
                .model(model)
                .apiKey(System.getenv("OPENAI_API_KEY")) // most local servers need none
                .build();
        AtomicLong tokens = new AtomicLong();
        LlmClient counted = request -> {
            ChatResponse response = local.chat(request);
            tokens.addAndGet(response.usage().totalTokens());
            return response;
        };
        PostgresAgent agent = agentFor(counted, PgDataSources.fromEnvironment(System.getenv()));
        AgentResponse response = agent.ask(args.length > 0 ? String.join(" ", args) : "How many tables are there?");
        System.out.println(response.answer());
        System.out.println("(" + model + " at " + baseUrl + ", " + tokens.get() + " tokens)");
    }
}
