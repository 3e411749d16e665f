package dev.pgagent.context.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns identifiers and free text into normalised terms: splits snake_case, camelCase and digits, lower-cases,
 * expands common abbreviations ({@code qty}, {@code amt}, {@code cust}, ...) and applies a light English stemmer so
 * that plural and singular, and simple verb forms, meet. The same analysis runs on the schema and on the question,
 * so both sides agree. Stateless and thread-safe.
 */
public final class TextAnalyzer {
    private static final Map<String, String[]> ABBREVIATIONS = new HashMap<>();
    private static final Set<String> STOPWORDS = Set.copyOf(java.util.Arrays.asList(
            "a",
            "an",
            "the",
            "of",
            "in",
            "on",
            "at",
            "for",
            "with",
            "by",
            "and",
            "or",
            "to",
            "from",
            "into",
            "how",
            "many",
            "much",
            "what",
            "which",
            "who",
            "whom",
            "whose",
            "where",
            "when",
            "why",
            "show",
            "list",
            "give",
            "me",
            "all",
            "each",
            "every",
            "per",
            "is",
            "are",
            "was",
            "were",
            "be",
            "been",
            "do",
            "does",
            "did",
            "have",
            "has",
            "had",
            "that",
            "this",
            "these",
            "those",
            "their",
            "there",
            "they",
            "them",
            "it",
            "its",
            "we",
            "our",
            "us",
            "you",
            "your",
            "i",
            "my",
            "find",
            "get",
            "tell",
            "please",
            "can",
            "could",
            "would",
            "should",
            "any",
            "some",
            "than",
            "then",
            "so",
            "as",
            "if",
            "not",
            "no",
            "yes",
            "also",
            "only",
            "just",
            "about",
            "between",
            "over",
            "under",
            "across",
            "via",
            "whether",
            "ever",
            "still",
            "yet",
            "most",
            "more",
            "less",
            "least",
            "fewer",
            "same",
            "other",
            "such",
            "up",
            "down",
            "out",
            "off",
            "there",
            "here",
            "one",
            "ones",
            "both",
            "either",
            "neither",
            "having",
            "being",
            "get",
            "got",
            "let",
            "see",
            "want",
            "need",
            "know",
            "currently",
            "right",
            "now",
            "s",
            "t"));

    static {
        abbreviation("qty", "quantity");
        abbreviation("amt", "amount");
        abbreviation("cust", "customer");
        abbreviation("addr", "address");
        abbreviation("desc", "description");
        abbreviation("descr", "description");
        abbreviation("num", "number");
        abbreviation("nbr", "number");
        abbreviation("dt", "date");
        abbreviation("ts", "timestamp");
        abbreviation("emp", "employee");
        abbreviation("empl", "employee");
        abbreviation("dept", "department");
        abbreviation("acct", "account");
        abbreviation("inv", "invoice");
        abbreviation("prod", "product");
        abbreviation("txn", "transaction");
        abbreviation("trx", "transaction");
        abbreviation("msg", "message");
        abbreviation("pct", "percent");
        abbreviation("org", "organization");
        abbreviation("mgr", "manager");
        abbreviation("bal", "balance");
        abbreviation("img", "image");
        abbreviation("dob", "birth", "date");
        abbreviation("uom", "unit", "measure");
        abbreviation("tel", "phone");
        abbreviation("fname", "first", "name");
        abbreviation("lname", "last", "name");
        abbreviation("cnt", "count");
        abbreviation("avg", "average");
        abbreviation("yr", "year");
        abbreviation("wk", "week");
        abbreviation("reg", "registration");
        abbreviation("loc", "location");
        abbreviation("cat", "category");
        abbreviation("curr", "currency");
        abbreviation("ccy", "currency");
        abbreviation("pmt", "payment");
        abbreviation("pymt", "payment");
        abbreviation("ship", "shipment");
        abbreviation("shipping", "shipment");
        abbreviation("shipped", "shipment");
        abbreviation("whs", "warehouse");
        abbreviation("wh", "warehouse");
        abbreviation("vend", "vendor");
        abbreviation("supp", "supplier");
        abbreviation("std", "standard");
        abbreviation("cfg", "configuration");
        abbreviation("config", "configuration");
        abbreviation("stat", "status");
        abbreviation("auth", "authentication");
        abbreviation("pwd", "password");
        abbreviation("usr", "user");
        abbreviation("pos", "position");
        abbreviation("src", "source");
        abbreviation("dst", "destination");
        abbreviation("dest", "destination");
        abbreviation("tmp", "temporary");
        abbreviation("info", "information");
        abbreviation("mrn", "medical", "record", "number");
        abbreviation("sku", "sku");
        abbreviation("kpi", "indicator");
    }

    private TextAnalyzer() {}

    private static void abbreviation(String abbreviation, String... expansion) {
        ABBREVIATIONS.put(abbreviation, expansion);
    }

    /**
     * Splits {@code text} into lower-case words: on any non-alphanumeric character, on camelCase boundaries and
     * between letters and digits. Digits-only words are kept.
     */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char prev = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isLetterOrDigit(c)) {
                flush(cur, out);
                prev = 0;
                continue;
            }
            if (cur.length() > 0) {
                boolean camel = Character.isUpperCase(c) && Character.isLowerCase(prev);
                boolean acronymEnd = Character.isUpperCase(prev)
                        && Character.isUpperCase(c)
                        && i + 1 < text.length()
                        && Character.isLowerCase(text.charAt(i + 1));
                boolean digitBoundary = Character.isDigit(c) != Character.isDigit(prev);
                if (camel || acronymEnd || digitBoundary) {
                    flush(cur, out);
                }
            }
            cur.append(Character.toLowerCase(c));
            prev = c;
        }
        flush(cur, out);
        return out;
    }

    private static void flush(StringBuilder cur, List<String> out) {
        if (cur.length() > 0) {
            out.add(cur.toString());
            cur.setLength(0);
        }
    }

    /** Returns the terms of an identifier or a comment: words, abbreviations expanded, stemmed; no stopwords. */
    public static List<String> terms(String text) {
        List<String> out = new ArrayList<>();
        for (String w : words(text)) {
            addTerms(w, out);
        }
        return out;
    }

    /** Adds the terms of one lower-case word to {@code out}. */
    public static void addTerms(String word, List<String> out) {
        if (STOPWORDS.contains(word)) {
            return;
        }
        String[] expansion = ABBREVIATIONS.get(word);
        if (expansion != null) {
            for (String e : expansion) {
                out.add(stem(e));
            }
            return;
        }
        if (word.length() == 1 && !Character.isDigit(word.charAt(0))) {
            return;
        }
        out.add(stem(word));
    }

    /**
     * Returns the expansion of a lower-case word that is a known abbreviation ({@code qty} is quantity), stemmed;
     * empty otherwise.
     */
    public static List<String> expansion(String word) {
        String[] e = ABBREVIATIONS.get(word);
        if (e == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>(e.length);
        for (String x : e) {
            out.add(stem(x));
        }
        return out;
    }

    /**
     * Returns the stem of the expansion of a lower-case abbreviation of several words written together
     * ({@code fname} is firstname), or null when {@code word} is not one.
     */
    public static @Nullable String joinedExpansion(String word) {
        String[] e = ABBREVIATIONS.get(word);
        return e == null || e.length < 2 ? null : stem(String.join("", e));
    }

    /** Returns whether {@code word} (lower case) is a stopword of questions. */
    public static boolean isStopword(String word) {
        return STOPWORDS.contains(word);
    }

    /**
     * Returns a light stem of a lower-case word: plural and simple verb endings removed and a final {@code e}
     * dropped, so that {@code orders}/{@code order}, {@code shipped}/{@code ship}, {@code categories}/
     * {@code category} and {@code created}/{@code create} meet.
     */
    public static String stem(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        if (w.length() <= 3 || !Character.isLetter(w.charAt(w.length() - 1))) {
            return w;
        }
        if (w.endsWith("ies") && w.length() > 4) {
            w = w.substring(0, w.length() - 3) + "y";
        } else if (w.endsWith("sses")) {
            w = w.substring(0, w.length() - 2);
        } else if (w.endsWith("xes") || w.endsWith("ches") || w.endsWith("shes") || w.endsWith("zes")) {
            w = w.substring(0, w.length() - 2);
        } else if (w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) {
            w = w.substring(0, w.length() - 1);
        } else if (w.endsWith("ing") && w.length() >= 6) {
            w = undouble(w.substring(0, w.length() - 3));
        } else if (w.endsWith("ed") && w.length() >= 5) {
            w = w.endsWith("ied") ? w.substring(0, w.length() - 3) + "y" : undouble(w.substring(0, w.length() - 2));
        }
        if (w.endsWith("e") && w.length() > 3) {
            w = w.substring(0, w.length() - 1);
        }
        return w;
    }

    private static String undouble(String w) {
        int n = w.length();
        if (n >= 3 && w.charAt(n - 1) == w.charAt(n - 2) && "lszf".indexOf(w.charAt(n - 1)) < 0) {
            return w.substring(0, n - 1);
        }
        return w;
    }
}
