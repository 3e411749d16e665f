/**
 * Abstract JUnit 5 suites that prove an implementation of one of pgagent's SPIs keeps its contract: extend
 * {@link dev.pgagent.testkit.contract.LlmClientContract}, {@link dev.pgagent.testkit.contract.SafetyValidatorContract},
 * {@link dev.pgagent.testkit.contract.AuditSinkContract} or {@link dev.pgagent.testkit.contract.ToolContract} in
 * your test sources, fill in the hooks, and run the class with JUnit 5. The library's own implementations pass them.
 *
 * <p>The suites need JUnit Jupiter (5.x) and AssertJ (3.x) on the test class path. agent-testkit declares both as
 * optional dependencies, so a project that only uses the fakes of {@link dev.pgagent.testkit} gets neither; a project
 * that runs the suites adds them to its test scope (most already have them):
 *
 * <pre>{@code
 * <dependency><groupId>dev.pgagent</groupId><artifactId>agent-testkit</artifactId><scope>test</scope></dependency>
 * <dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><scope>test</scope></dependency>
 * <dependency><groupId>org.assertj</groupId><artifactId>assertj-core</artifactId><scope>test</scope></dependency>
 * }</pre>
 *
 * <p>Each suite asserts only what the SPI's Javadoc promises; each says what it checks. None calls a real language
 * model or depends on timing: concurrency checks release their threads together and wait for all of them, and
 * cancellation checks wait for the event (the request reached the server) before they interrupt.
 */
@NullMarked
package dev.pgagent.testkit.contract;

import org.jspecify.annotations.NullMarked;
