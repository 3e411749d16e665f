package dev.pgagent.core.internal;

import dev.pgagent.api.history.QueryExample;
import dev.pgagent.api.history.QueryMemory;
import dev.pgagent.api.safety.Decision;
import dev.pgagent.api.safety.SafetyValidator;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import dev.pgagent.core.PromptContributor;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query memory as a {@link PromptContributor} of one database: the pairs most like the question (from the
 * history and the golden ones), of that database only, whose SQL its validator lets run as a read today, redacted by
 * its redactor, without repeats, within the token budget. Never any result rows (pairs hold none). Thread-safe.
 */
public final class QueryMemoryPrompt implements PromptContributor {
    private static final Logger LOG = LoggerFactory.getLogger(QueryMemoryPrompt.class);
    private static final int CANDIDATES = 12;
    private static final int MAX_SQL_CHARS = 1_500;
    private static final String HEADING = "Examples: earlier questions on this database and the SQL that answered "
            + "them (check them against the schema and adapt them; do not copy blindly):\n";

    private final QueryMemory memory;
    private final SafetyValidator validator;
    private final ResultRedactor redactor;
    private final TextTokenCounter counter;

    /** Creates the memory's contributor for one database, under its validator and redactor. */
    public QueryMemoryPrompt(
            QueryMemory memory, SafetyValidator validator, ResultRedactor redactor, TextTokenCounter counter) {
        this.memory = Objects.requireNonNull(memory, "memory == null");
        this.validator = Objects.requireNonNull(validator, "validator == null");
        this.redactor = Objects.requireNonNull(redactor, "redactor == null");
        this.counter = Objects.requireNonNull(counter, "counter == null");
    }

    @Override
    public String contribute(String database, String question, int maxTokens) {
        if (maxTokens <= 0) {
            return "";
        }
        List<QueryExample> candidates = memory.similar(database, question, CANDIDATES);
        StringBuilder sb = new StringBuilder();
        int tokens = counter.count(HEADING);
        Set<String> seen = new HashSet<>();
        for (QueryExample e : candidates) {
            if (!e.database().equals(database)
                    || e.sql().length() > MAX_SQL_CHARS
                    || !seen.add(e.sql().replaceAll("\\s+", " ").strip().toLowerCase(Locale.ROOT))
                    || !runsToday(e.sql())) {
                continue;
            }
            String item = "- Q: " + oneLine(redactor.redactText(e.question())) + "\n  SQL: "
                    + oneLine(redactor.redactText(e.sql())) + "\n";
            int t = counter.count(item);
            if (tokens + t > maxTokens) {
                break;
            }
            sb.append(item);
            tokens += t;
        }
        return sb.length() == 0 ? "" : HEADING + sb;
    }

    private boolean runsToday(String sql) {
        try {
            Verdict v = validator.validate(sql);
            return v != null && v.decision() == Decision.ALLOW && v.kind() == StatementKind.READ;
        } catch (RuntimeException e) {
            LOG.debug("The validator failed on a remembered statement; it is left out: {}", e.toString());
            return false;
        }
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }

    /**
     * Returns a summarizer that adds the contributions to {@code base}'s summary of {@code database}: each
     * contributor's text (within {@code tokens}), after the schema. A contributor that fails is left out.
     */
    public static SchemaSummarizer withContributions(
            SchemaSummarizer base, String database, List<PromptContributor> contributors, int tokens) {
        if (contributors.isEmpty() || tokens <= 0) {
            return base;
        }
        List<PromptContributor> all = List.copyOf(contributors);
        return (question, tokenBudget) -> {
            StringBuilder sb = new StringBuilder(base.summarize(question, tokenBudget));
            for (PromptContributor c : all) {
                String extra;
                try {
                    extra = c.contribute(database, question, tokens);
                } catch (RuntimeException e) {
                    LOG.warn(
                            "A prompt contributor failed for database {}; the prompt goes without it: {}",
                            database,
                            e.toString());
                    continue;
                }
                if (extra != null && !extra.isBlank()) {
                    sb.append(sb.length() == 0 ? "" : "\n\n").append(extra.strip());
                }
            }
            return sb.toString();
        };
    }
}
