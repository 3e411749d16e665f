package dev.pgagent.context;

import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.context.internal.LexicalRanker;
import java.util.Map;

/**
 * Scores the tables of a schema for a question. The default, {@link #lexical()}, needs no model; a host with an
 * embedding model implements this interface (embed the question, compare with table embeddings it computed once per
 * schema) and may mix both with {@link HybridRanker}. Implementations must be safe for concurrent use and fast:
 * {@link SchemaContextBuilder#build(String, int)} calls them once per question.
 *
 * <pre>{@code
 * TableRanker embeddings = (question, schema) -> myVectorIndex.similarities(question); // name -> cosine
 * SchemaContextBuilder builder = SchemaContextBuilder.builder()
 *     .schema(schema)
 *     .ranker(HybridRanker.builder().add(TableRanker.lexical(), 0.6).add(embeddings, 0.4).build())
 *     .build();
 * }</pre>
 */
@FunctionalInterface
public interface TableRanker {
    /**
     * Scores tables for {@code question}.
     *
     * @param question the user's question
     * @param schema the schema whose tables to score
     * @return scores by qualified table name ({@code schema.name}); higher is more relevant, tables left out score
     *     0, negative scores count as 0
     */
    Map<String, Double> score(String question, SchemaModel schema);

    /**
     * Returns the lexical ranker: question words matched against schema, table and column names, comments and enum
     * labels (identifiers and compound words split, abbreviations expanded, stemmed, a small thesaurus of synonyms,
     * kinds and comparisons), weighted by how rare each term is in the schema, with a bonus for foreign-key
     * neighbours that match too; each table's score is scaled by how much of the question its application (its
     * schema and the schemas foreign keys join it to) answers. It keeps the index of the last schema it saw.
     */
    static TableRanker lexical() {
        return LexicalRanker.INSTANCE;
    }
}
