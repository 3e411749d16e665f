package dev.pgagent.examples;

import dev.pgagent.core.AgentResponse;
import dev.pgagent.core.PostgresAgent;
import dev.pgagent.db.postgres.PgDataSources;
import dev.pgagent.llm.openai.OpenAiLlmClient;

/**
 * Embeds pgagent in ten lines: a model, a database (from the libpq variables PGHOST, PGPORT, PGDATABASE, PGUSER,
 * PGPASSWORD), one question. The agent is read-only by default.
 *
 * <pre>{@code
 * OPENAI_API_KEY=... PGDATABASE=shop java -cp pg-agent.jar dev.pgagent.examples.Quickstart "How many orders?"
 * }</pre>
 */
public final class Quickstart {
    private Quickstart() {}

    /** Asks the question given as arguments and prints the answer and the SQL that ran. */
    public static void main(String[] args) {
        PostgresAgent agent = PostgresAgent.builder()
                .llm(OpenAiLlmClient.builder()
                        .apiKey(System.getenv("OPENAI_API_KEY"))
                        .model("gpt-4o-mini")
                        .build())
                .dataSource(PgDataSources.fromEnvironment(System.getenv()))
                .build();
        AgentResponse response = agent.ask(args.length > 0 ? String.join(" ", args) : "Which tables are there?");
        System.out.println(response.answer());
        response.statements().forEach(s -> System.out.println(s.verdict().decision() + "  " + s.sql()));
    }
}
