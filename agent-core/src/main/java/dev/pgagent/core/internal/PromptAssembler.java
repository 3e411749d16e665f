package dev.pgagent.core.internal;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Assembles an ask's system prompt with the schema summary of each database, within the schema token budget. */
final class PromptAssembler {
    private static final Logger LOG = LoggerFactory.getLogger(PromptAssembler.class);

    private PromptAssembler() {}

    static String systemPrompt(AgentEngine engine, String question) {
        EngineConfig config = engine.config();
        List<DatabaseBinding> dbs = config.databases();
        String summary;
        if (dbs.size() == 1) {
            summary = summary(dbs.get(0), question, config.schemaContextTokens());
        } else {
            int each = config.schemaContextTokens() / dbs.size();
            StringBuilder sb = new StringBuilder();
            for (DatabaseBinding db : dbs) {
                String part = summary(db, question, each);
                if (!part.isBlank()) {
                    sb.append("-- database ")
                            .append(db.name())
                            .append('\n')
                            .append(part.strip())
                            .append("\n\n");
                }
            }
            summary = sb.toString();
        }
        return SystemPrompt.build(dbs, config.policy(), engine.specs(), summary, config.instructions());
    }

    private static String summary(DatabaseBinding db, String question, int tokens) {
        if (tokens <= 0) {
            return "";
        }
        try {
            return db.summarizer().summarize(question, tokens);
        } catch (RuntimeException e) {
            LOG.warn(
                    "Schema summary of database {} unavailable; the prompt goes without it: {}",
                    db.name(),
                    e.toString());
            return "";
        }
    }
}
