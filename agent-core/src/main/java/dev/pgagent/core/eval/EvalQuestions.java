package dev.pgagent.core.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads question sets in the shapes Spider and BIRD publish, as a JSON array or as JSON Lines (one object a line).
 *
 * <p>Fields read from each object, the first present winning:
 *
 * <ul>
 *   <li>question: {@code question};
 *   <li>gold SQL: {@code SQL} (BIRD), {@code query} (Spider), {@code sql} or {@code gold_sql} when a string (Spider's
 *       {@code sql} is its parsed form, an object, and is skipped);
 *   <li>database: {@code db_id}, {@code database};
 *   <li>hint: {@code evidence} (BIRD), {@code hint};
 *   <li>difficulty: {@code difficulty} (BIRD), {@code hardness}, {@code level}; else {@value
 *       EvalQuestion#UNKNOWN_DIFFICULTY};
 *   <li>identifier: {@code question_id} (BIRD), {@code id}; else the entry's position in the file, from 0;
 *   <li>gold tables: {@code tables}, an array of strings, when present.
 * </ul>
 *
 * Thread-safe (no state).
 */
public final class EvalQuestions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EvalQuestions() {}

    /**
     * Reads the questions of a file: a JSON array when its first non-blank character is {@code [}, else JSON Lines
     * (blank lines skipped).
     *
     * @throws EvalFileException if it cannot be read, is not JSON, an entry lacks a question or gold SQL, or two
     *     entries have the same identifier
     */
    public static List<EvalQuestion> read(Path file) {
        Objects.requireNonNull(file, "file == null");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EvalFileException("cannot read the question file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /**
     * Parses questions from text (a JSON array or JSON Lines); {@code source} names it in messages.
     *
     * @throws EvalFileException as {@link #read(Path)}
     */
    public static List<EvalQuestion> parse(String text, String source) {
        Objects.requireNonNull(text, "text == null");
        Objects.requireNonNull(source, "source == null");
        List<EvalQuestion> questions = new ArrayList<>();
        if (text.stripLeading().startsWith("[")) {
            JsonNode array = readTree(text, source + ": not a JSON array");
            int i = 0;
            for (JsonNode entry : array) {
                questions.add(question(entry, i, source + ": entry " + i));
                i++;
            }
        } else {
            int position = 0;
            int lineNumber = 0;
            for (String line : text.split("\r?\n", -1)) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                String where = source + ":" + lineNumber;
                questions.add(question(readTree(line, where + ": not a JSON object"), position++, where));
            }
        }
        Set<String> ids = new HashSet<>();
        for (EvalQuestion q : questions) {
            if (!ids.add(q.id())) {
                throw new EvalFileException(source + ": the identifier " + q.id() + " is used twice");
            }
        }
        return List.copyOf(questions);
    }

    private static JsonNode readTree(String json, String what) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null) {
                throw new EvalFileException(what);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new EvalFileException(what + " (" + e.getOriginalMessage() + ")", e);
        }
    }

    private static EvalQuestion question(JsonNode entry, int position, String where) {
        if (!entry.isObject()) {
            throw new EvalFileException(where + ": expected a JSON object but was "
                    + entry.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        String question = text(entry, "question");
        if (question == null || question.isBlank()) {
            throw new EvalFileException(where + ": no question (field 'question')");
        }
        String gold = text(entry, "SQL", "query", "sql", "gold_sql");
        if (gold == null || gold.isBlank()) {
            throw new EvalFileException(where + ": no gold SQL (field 'SQL', 'query' or 'sql')");
        }
        String id = text(entry, "question_id", "id");
        EvalQuestion.Builder b = EvalQuestion.builder(
                id == null || id.isBlank() ? Integer.toString(position) : id, question.strip(), gold.strip());
        String database = text(entry, "db_id", "database");
        if (database != null) {
            b.database(database);
        }
        String hint = text(entry, "evidence", "hint");
        if (hint != null) {
            b.hint(hint);
        }
        String difficulty = text(entry, "difficulty", "hardness", "level");
        if (difficulty != null) {
            b.difficulty(difficulty);
        }
        JsonNode tables = entry.get("tables");
        if (tables != null && tables.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode t : tables) {
                if (t.isTextual() && !t.textValue().isBlank()) {
                    names.add(t.textValue().strip().toLowerCase(Locale.ROOT));
                }
            }
            b.tables(names);
        }
        return b.build();
    }

    /** Returns the first of {@code names} that holds a string or number, as text. */
    private static @Nullable String text(JsonNode entry, String... names) {
        for (String name : names) {
            JsonNode v = entry.get(name);
            if (v != null && (v.isTextual() || v.isNumber())) {
                return v.asText();
            }
        }
        return null;
    }
}
