package dev.pgagent.safety.pii;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides from a column's name whether it holds personal data. Built-in hints match whole words of the name (split at
 * underscores, digits-letter boundaries and camelCase), so {@code tel} matches {@code home_tel} but not
 * {@code hotel}; hints of five letters or more also match the start or end of a word ({@code phonenumber},
 * {@code useremail}). Host hints are fragments matched anywhere in the lower-cased name. Immutable and thread-safe.
 */
final class ColumnHints {
    /**
     * The built-in hints; multi-word hints are written with underscores and match consecutive words. Person names
     * are deliberately not among them: an answer such as "your best customer is Ada Lovelace" needs the name, and
     * names cannot be told from product or company names by value. Hosts that must hide them add
     * {@code first_name}, {@code last_name}, ... through {@code SafetyPolicy.piiColumnHints}.
     */
    static final List<String> BUILT_IN = List.of(
            "email",
            "e_mail",
            "mail_address",
            "phone",
            "mobile",
            "cell_phone",
            "tel",
            "telephone",
            "fax",
            "ssn",
            "social_security",
            "national_id",
            "national_insurance",
            "nino",
            "tax_id",
            "passport",
            "driver_license",
            "drivers_license",
            "driving_licence",
            "iban",
            "card_number",
            "credit_card",
            "cc_number",
            "pan",
            "cvv",
            "ip_address",
            "ip_addr",
            "dob",
            "birth",
            "birthday",
            "birthdate",
            "date_of_birth",
            "address",
            "street",
            "postcode",
            "postal_code",
            "zip_code",
            "maiden_name");

    private static final Pattern WORD_BREAK =
            Pattern.compile("[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])");

    private final List<List<String>> builtIn;
    private final Set<String> fragments;

    ColumnHints(Set<String> hostFragments) {
        List<List<String>> words = new ArrayList<>();
        for (String hint : BUILT_IN) {
            words.add(Arrays.asList(hint.split("_")));
        }
        this.builtIn = List.copyOf(words);
        this.fragments = Set.copyOf(
                hostFragments.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
    }

    /** Returns whether a column of this name holds personal data. */
    boolean matches(String columnName) {
        String lower = columnName.toLowerCase(Locale.ROOT);
        for (String f : fragments) {
            if (lower.contains(f)) {
                return true;
            }
        }
        List<String> words = words(columnName);
        for (List<String> hint : builtIn) {
            if (matches(words, hint)) {
                return true;
            }
        }
        return false;
    }

    static List<String> words(String name) {
        List<String> words = new ArrayList<>();
        for (String w : WORD_BREAK.split(name)) {
            if (!w.isEmpty()) {
                words.add(w.toLowerCase(Locale.ROOT));
            }
        }
        return words;
    }

    private static boolean matches(List<String> words, List<String> hint) {
        if (hint.size() == 1) {
            String h = hint.get(0);
            for (String w : words) {
                if (w.equals(h) || (h.length() >= 5 && (w.startsWith(h) || w.endsWith(h)))) {
                    return true;
                }
            }
            return false;
        }
        for (int i = 0; i + hint.size() <= words.size(); i++) {
            if (words.subList(i, i + hint.size()).equals(hint)) {
                return true;
            }
        }
        // Also the hint's words run together in one word, as in "emailaddress" or "dateofbirth".
        String joined = String.join("", hint);
        for (String w : words) {
            if (w.equals(joined) || w.startsWith(joined) || w.endsWith(joined)) {
                return true;
            }
        }
        return false;
    }
}
