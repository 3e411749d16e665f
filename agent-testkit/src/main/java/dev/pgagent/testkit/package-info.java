/**
 * Fakes for testing code built on pgagent without a language model or a database: a scripted
 * {@link dev.pgagent.api.llm.LlmClient} ({@link dev.pgagent.testkit.FakeLlmClient}) with response helpers
 * ({@link dev.pgagent.testkit.LlmResponses}), a {@link dev.pgagent.testkit.RecordingAuditSink}, a
 * {@link dev.pgagent.testkit.ScriptedTool}, and a {@link dev.pgagent.testkit.FakeToolContext} with a
 * {@link dev.pgagent.testkit.FakeSqlGateway} for unit-testing custom tools. No test framework is required.
 *
 * <pre>{@code
 * FakeLlmClient llm = FakeLlmClient.create()
 *     .enqueue(LlmResponses.toolCall("execute_query", "{\"sql\":\"select count(*) from orders\"}"))
 *     .enqueue(LlmResponses.text("There are 42 orders."));
 * PostgresAgent agent = PostgresAgent.builder().llm(llm).dataSource(ds).build();
 * AgentResponse r = agent.ask("How many orders are there?");
 * ChatRequest second = llm.requests().get(1);   // holds the tool result the model was shown
 * }</pre>
 */
@NullMarked
package dev.pgagent.testkit;

import org.jspecify.annotations.NullMarked;
