package dev.pgagent.context.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An analysed question: one entry a meaningful word, each with the index terms it may match and how much a match
 * counts (1 for the word itself, less for synonyms and prefix matches). Immutable.
 *
 * @param words the words, each a map from term to weight
 * @param allTerms every term of every word with its best weight
 * @param directTerms the words' own terms (no synonyms or prefixes)
 * @param rawWords the question's lower-case words, stopwords included
 * @param analysisSteps the characters and trie nodes the analysis read (linear in the question's length)
 */
public record Query(
        List<Map<String, Double>> words,
        Map<String, Double> allTerms,
        java.util.Set<String> directTerms,
        java.util.Set<String> rawWords,
        long analysisSteps) {

    /** Copies the components. */
    public Query {
        words = List.copyOf(words);
        allTerms = Map.copyOf(new HashMap<>(allTerms));
        directTerms = java.util.Set.copyOf(directTerms);
        rawWords = java.util.Set.copyOf(rawWords);
    }

    /** Returns the weight with which {@code term} matches the question, 0 if it does not. */
    public double weight(String term) {
        Double w = allTerms.get(term);
        return w == null ? 0 : w;
    }

    private static final java.util.Set<String> TIME_WORDS = java.util.Set.of(
            "year",
            "years",
            "yearly",
            "annual",
            "month",
            "months",
            "monthly",
            "week",
            "weeks",
            "weekly",
            "day",
            "days",
            "daily",
            "today",
            "yesterday",
            "tomorrow",
            "quarter",
            "quarterly",
            "q1",
            "q2",
            "q3",
            "q4",
            "since",
            "ago",
            "recent",
            "recently",
            "last",
            "past",
            "during",
            "before",
            "after",
            "until",
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
            "jan",
            "feb",
            "mar",
            "apr",
            "jun",
            "jul",
            "aug",
            "sep",
            "sept",
            "oct",
            "nov",
            "dec",
            "tonight",
            "night",
            "morning",
            "when",
            "date",
            "dates",
            "hour",
            "hours");

    /** Returns whether the question restricts or groups by time ("last month", "in 2024", "since May"). */
    public boolean mentionsTime() {
        for (String w : rawWords) {
            if (TIME_WORDS.contains(w)
                    || w.length() == 4
                            && (w.startsWith("19") || w.startsWith("20"))
                            && w.chars().allMatch(Character::isDigit)) {
                return true;
            }
        }
        return false;
    }

    private static final java.util.Set<String> HONORIFICS = java.util.Set.of(
            "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "madam", "herr", "frau");

    /** Returns whether the question names a person by title ("Ms. Lee", "Dr Patel"). */
    public boolean namesPerson() {
        for (String w : rawWords) {
            if (HONORIFICS.contains(w)) {
                return true;
            }
        }
        return false;
    }

    /** Returns whether the question has no meaningful word. */
    public boolean isEmpty() {
        return words.isEmpty();
    }
}
