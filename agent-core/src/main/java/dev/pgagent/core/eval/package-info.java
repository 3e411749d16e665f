/**
 * The evaluation harness: {@link dev.pgagent.core.eval.Evaluation} runs a question set in the Spider/BIRD shape
 * ({@link dev.pgagent.core.eval.EvalQuestions}) through an agent and scores execution accuracy
 * ({@link dev.pgagent.core.eval.ResultComparator}), or scores schema-context recall without a model; the outcome is an
 * {@link dev.pgagent.core.eval.EvalReport}.
 */
@NullMarked
package dev.pgagent.core.eval;

import org.jspecify.annotations.NullMarked;
