/**
 * The evaluation harness: {@link dev.pgagent.eval.Evaluation} runs a question set in the Spider/BIRD shape
 * ({@link dev.pgagent.eval.EvalQuestions}) through an agent and scores execution accuracy
 * ({@link dev.pgagent.eval.ResultComparator}), or scores schema-context recall without a model; the outcome is an
 * {@link dev.pgagent.eval.EvalReport}.
 */
@NullMarked
package dev.pgagent.eval;

import org.jspecify.annotations.NullMarked;
