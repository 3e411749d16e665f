/**
 * Chooses and renders the part of a big schema that a question needs, within a token budget: a lexical ranker over
 * an inverted index of names, comments and enum labels ({@link dev.pgagent.context.TableRanker}), foreign-key
 * expansion so join paths are present, value grounding ({@link dev.pgagent.api.schema.ValueSampler}), a compact
 * renderer counted with a real tokenizer ({@link dev.pgagent.context.TokenCounter}), and the {@code search_schema}
 * tool for exploring the rest. Entry point: {@link dev.pgagent.context.SchemaContextBuilder}.
 */
@NullMarked
package dev.pgagent.context;

import org.jspecify.annotations.NullMarked;
