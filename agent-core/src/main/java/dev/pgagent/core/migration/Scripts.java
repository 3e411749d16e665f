package dev.pgagent.core.migration;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/** Text work on migration scripts: splitting, Flyway's checksum, undo statements, versions and names. Stateless. */
final class Scripts {
    private Scripts() {}

    private static final String IDENT = "(?:\"(?:[^\"]|\"\")+\"|[\\p{L}_][\\p{L}\\p{N}_$]*)";
    private static final String NAME = IDENT + "(?:\\s*\\.\\s*" + IDENT + ")?";

    private static final Pattern CREATE_INDEX = Pattern.compile("(?is)^\\s*create\\s+(?:unique\\s+)?index\\s+"
            + "(concurrently\\s+)?(?:if\\s+not\\s+exists\\s+)?(" + IDENT + ")\\s+on\\s+(?:only\\s+)?(" + NAME + ")");
    private static final Pattern ALTER_TABLE = Pattern.compile(
            "(?is)^\\s*alter\\s+table\\s+(?:if\\s+exists\\s+)?" + "(?:only\\s+)?(" + NAME + ")\\s+(.*)$");
    private static final Pattern ADD_COLUMN =
            Pattern.compile("(?is)^add\\s+(?:column\\s+)?(?:if\\s+not\\s+exists\\s+)?" + "(" + IDENT + ")\\s+.*");
    private static final Pattern ADD_CONSTRAINT = Pattern.compile("(?is)^add\\s+constraint\\s+(" + IDENT + ")\\s+.*");
    private static final Pattern CONCURRENTLY = Pattern.compile("(?is)^\\s*(?:create\\s+(?:unique\\s+)?index|drop\\s+"
            + "index|reindex\\s+(?:\\(.*?\\)\\s*)?(?:index|table|schema|database|system)|refresh\\s+materialized\\s+"
            + "view)\\s+concurrently\\b.*");
    private static final Pattern VERSION = Pattern.compile("\\d+(?:[._]\\d+)*");
    private static final Pattern FILE = Pattern.compile("([VU])(\\d+(?:[._]\\d+)*)__(.+)\\.sql");

    /** Returns the statements of {@code script}, without the semicolons between them or comments before them. */
    static List<String> split(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int n = script.length();
        int i = 0;
        while (i < n) {
            char c = script.charAt(i);
            if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                int end = script.indexOf('\n', i);
                end = end < 0 ? n : end;
                cur.append(script, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                int depth = 0;
                int j = i;
                do {
                    if (script.startsWith("/*", j)) {
                        depth++;
                        j += 2;
                    } else if (script.startsWith("*/", j)) {
                        depth--;
                        j += 2;
                    } else {
                        j++;
                    }
                } while (depth > 0 && j < n);
                cur.append(script, i, j);
                i = j;
            } else if (c == '\'' || c == '"') {
                int j = i + 1;
                while (j < n) {
                    if (script.charAt(j) == c) {
                        if (j + 1 < n && script.charAt(j + 1) == c) {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                j = Math.min(j + 1, n);
                cur.append(script, i, j);
                i = j;
            } else if (c == '$') {
                Matcher m = Pattern.compile("\\$(?:[\\p{L}_][\\p{L}\\p{N}_]*)?\\$")
                        .matcher(script)
                        .region(i, n);
                if (m.lookingAt() && (i == 0 || !Character.isLetterOrDigit(script.charAt(i - 1)))) {
                    String tag = m.group();
                    int close = script.indexOf(tag, i + tag.length());
                    int end = close < 0 ? n : close + tag.length();
                    cur.append(script, i, end);
                    i = end;
                } else {
                    cur.append(c);
                    i++;
                }
            } else if (c == ';') {
                add(out, cur);
                i++;
            } else {
                cur.append(c);
                i++;
            }
        }
        add(out, cur);
        return out;
    }

    private static void add(List<String> out, StringBuilder cur) {
        String s = withoutComments(cur.toString());
        cur.setLength(0);
        if (!s.isBlank()) {
            out.add(s);
        }
    }

    /** Returns {@code sql} with its leading line and block comments removed. */
    static String withoutComments(String sql) {
        String s = sql.strip();
        while (true) {
            if (s.startsWith("--")) {
                int end = s.indexOf('\n');
                s = end < 0 ? "" : s.substring(end + 1).strip();
            } else if (s.startsWith("/*")) {
                int depth = 0;
                int j = 0;
                do {
                    if (s.startsWith("/*", j)) {
                        depth++;
                        j += 2;
                    } else if (s.startsWith("*/", j)) {
                        depth--;
                        j += 2;
                    } else {
                        j++;
                    }
                } while (depth > 0 && j < s.length());
                s = s.substring(Math.min(j, s.length())).strip();
            } else {
                return s;
            }
        }
    }

    /**
     * Returns Flyway's checksum of a script: CRC-32 over the UTF-8 bytes of each line without its line break, a byte
     * order mark at the start left out, as a signed 32-bit integer. Line-ending independent, as Flyway's is.
     */
    static int checksum(String content) {
        CRC32 crc = new CRC32();
        String s = content.startsWith("\uFEFF") ? content.substring(1) : content;
        int start = 0;
        int n = s.length();
        while (start < n) {
            int end = start;
            while (end < n && s.charAt(end) != '\n' && s.charAt(end) != '\r') {
                end++;
            }
            crc.update(s.substring(start, end).getBytes(StandardCharsets.UTF_8));
            if (end < n && s.charAt(end) == '\r' && end + 1 < n && s.charAt(end + 1) == '\n') {
                end++;
            }
            start = end + 1;
        }
        return (int) crc.getValue();
    }

    /** Returns whether {@code sql} uses CONCURRENTLY, which PostgreSQL refuses inside a transaction block. */
    static boolean concurrently(String sql) {
        return CONCURRENTLY.matcher(withoutComments(sql)).matches();
    }

    /**
     * Returns the statements that undo {@code statements}, last first, or empty when one of them has no known inverse:
     * CREATE INDEX becomes DROP INDEX (CONCURRENTLY when it was built so), ADD COLUMN becomes DROP COLUMN, ADD
     * CONSTRAINT becomes DROP CONSTRAINT.
     */
    static Optional<List<String>> undo(List<String> statements) {
        List<String> out = new ArrayList<>();
        for (String statement : statements) {
            String s = withoutComments(statement);
            Matcher m = CREATE_INDEX.matcher(s);
            if (m.lookingAt()) {
                String table = m.group(3);
                int dot = schemaDot(table);
                String index = dot < 0 ? m.group(2) : table.substring(0, dot).strip() + "." + m.group(2);
                out.add("DROP INDEX " + (m.group(1) != null ? "CONCURRENTLY " : "") + "IF EXISTS " + index);
                continue;
            }
            m = ALTER_TABLE.matcher(s);
            if (m.matches()) {
                String table = m.group(1);
                String action = m.group(2).strip();
                Matcher c = ADD_CONSTRAINT.matcher(action);
                if (c.matches()) {
                    out.add("ALTER TABLE " + table + " DROP CONSTRAINT IF EXISTS " + c.group(1));
                    continue;
                }
                c = ADD_COLUMN.matcher(action);
                if (c.matches() && !action.contains(",") && !c.group(1).equalsIgnoreCase("constraint")) {
                    out.add("ALTER TABLE " + table + " DROP COLUMN IF EXISTS " + c.group(1));
                    continue;
                }
            }
            return Optional.empty();
        }
        Collections.reverse(out);
        return out.isEmpty() ? Optional.empty() : Optional.of(out);
    }

    /** Returns the index of the dot between schema and name in {@code name}, or -1. */
    private static int schemaDot(String name) {
        boolean quoted = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '.' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A statement's heavy lock or rewrite: the table it concerns, what happens, and whether it matters only on a big
     * table (a short lock on a small one is no news).
     */
    record Rewrite(String table, String what, boolean onlyIfBig) {}

    private static final Pattern ALTER_TYPE =
            Pattern.compile("(?is).*\\balter\\s+(?:column\\s+)?" + IDENT + "\\s+(?:set\\s+data\\s+)?type\\b.*");
    private static final Pattern VOLATILE_DEFAULT =
            Pattern.compile("(?is).*\\badd\\s+(?:column\\s+)?.*(?:\\bdefault\\s+"
                    + "[^,]*\\b(?:random|clock_timestamp|timeofday|gen_random_uuid|uuid_generate_v[14]|nextval)\\s*\\("
                    + "|\\bgenerated\\s+always\\s+as\\s*\\(.*\\)\\s*stored|\\s(?:big|small)?serial\\b).*");
    private static final Pattern SET_NOT_NULL = Pattern.compile("(?is).*\\bset\\s+not\\s+null\\b.*");
    private static final Pattern VALIDATED_CONSTRAINT =
            Pattern.compile("(?is).*\\badd\\s+(?:constraint\\s+" + IDENT + "\\s+)?(?:foreign\\s+key|check)\\b.*");
    private static final Pattern NOT_VALID = Pattern.compile("(?is).*\\bnot\\s+valid\\s*$");
    private static final Pattern KEY_CONSTRAINT =
            Pattern.compile("(?is).*\\badd\\s+(?:constraint\\s+" + IDENT + "\\s+)?(?:primary\\s+key|unique)\\s*\\(.*");
    private static final Pattern VACUUM_FULL = Pattern.compile("(?is)^\\s*vacuum\\s*(?:\\(\\s*full[^)]*\\)|full\\b)"
            + "(?:\\s+(?:verbose|analyze|freeze)\\b)*\\s*(" + NAME + ")?.*");
    private static final Pattern CLUSTER =
            Pattern.compile("(?is)^\\s*cluster\\b(?:\\s+verbose\\b)?\\s*(" + NAME + ")?.*");

    /** Returns the heavy locks and rewrites {@code sql} causes, for the warnings shown before it is applied. */
    static List<Rewrite> rewrites(String sql) {
        String s = withoutComments(sql);
        List<Rewrite> out = new ArrayList<>();
        Matcher m = CREATE_INDEX.matcher(s);
        if (m.lookingAt()) {
            if (m.group(1) == null) {
                out.add(new Rewrite(
                        m.group(3),
                        "CREATE INDEX without CONCURRENTLY blocks writes to the table (SHARE "
                                + "lock) for the whole build; CREATE INDEX CONCURRENTLY does not",
                        true));
            }
            return out;
        }
        m = VACUUM_FULL.matcher(s);
        if (m.matches()) {
            out.add(new Rewrite(
                    m.group(1) == null ? "" : m.group(1),
                    "VACUUM FULL rewrites the table under an ACCESS "
                            + "EXCLUSIVE lock (reads and writes wait) and needs room for a second copy",
                    false));
            return out;
        }
        m = CLUSTER.matcher(s);
        if (m.matches()) {
            out.add(new Rewrite(
                    m.group(1) == null ? "" : m.group(1),
                    "CLUSTER rewrites the table under an ACCESS "
                            + "EXCLUSIVE lock (reads and writes wait) and needs room for a second copy",
                    false));
            return out;
        }
        m = ALTER_TABLE.matcher(s);
        if (!m.matches()) {
            return out;
        }
        String table = m.group(1);
        String action = m.group(2);
        if (ALTER_TYPE.matcher(action).matches()) {
            out.add(new Rewrite(
                    table,
                    "ALTER COLUMN ... TYPE rewrites the table and its indexes under an ACCESS "
                            + "EXCLUSIVE lock (reads and writes wait), unless the new type is binary compatible",
                    false));
        }
        if (VOLATILE_DEFAULT.matcher(action).matches()) {
            out.add(new Rewrite(
                    table,
                    "ADD COLUMN with a volatile default (or a stored generated or serial column) "
                            + "rewrites the table under an ACCESS EXCLUSIVE lock; add the column without it, then fill it in "
                            + "batches",
                    false));
        }
        if (SET_NOT_NULL.matcher(action).matches()) {
            out.add(new Rewrite(
                    table,
                    "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock; a valid "
                            + "CHECK (col IS NOT NULL) constraint added NOT VALID and validated first lets it skip the scan",
                    true));
        }
        if (VALIDATED_CONSTRAINT.matcher(action).matches()
                && !NOT_VALID.matcher(action).matches()) {
            out.add(new Rewrite(
                    table,
                    "adding a FOREIGN KEY or CHECK constraint checks every row while writes wait; "
                            + "add it NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT (which lets writes go on)",
                    true));
        }
        if (KEY_CONSTRAINT.matcher(action).matches()) {
            out.add(new Rewrite(
                    table,
                    "adding a PRIMARY KEY or UNIQUE constraint builds its index under an ACCESS "
                            + "EXCLUSIVE lock; build the index CONCURRENTLY first, then ADD CONSTRAINT ... USING INDEX",
                    true));
        }
        return out;
    }

    /**
     * Returns a file-name description from free text: lower case, words joined by underscores, at most 80
     * characters; "migration" if nothing is left.
     */
    static String slug(String description) {
        String s = description
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}]+", "_")
                .replaceAll("^_+|_+$", "");
        if (s.length() > 80) {
            s = s.substring(0, 80).replaceAll("_+$", "");
        }
        return s.isEmpty() ? "migration" : s;
    }

    /** Returns a description for a change given as SQL only: its words up to the first parenthesis. */
    static String describe(String sql) {
        String s = withoutComments(sql);
        int paren = s.indexOf('(');
        if (paren > 0) {
            s = s.substring(0, paren);
        }
        return slug(s.replace("\"", ""));
    }

    /** A parsed file name: {@code V} or {@code U}, the version, and the description (underscores kept). */
    record FileName(char prefix, String version, String description) {}

    /** Returns the parsed name of a migration file, or empty when it does not follow Flyway's naming. */
    static Optional<FileName> parse(String fileName) {
        Matcher m = FILE.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new FileName(m.group(1).charAt(0), m.group(2).replace('_', '.'), m.group(3)));
    }

    /** Returns whether {@code version} is a valid version: digits, parts separated by dots. */
    static boolean isVersion(String version) {
        return VERSION.matcher(version).matches();
    }

    /** Compares versions part by part as numbers, as Flyway does ("1.10" after "1.9"; "1" equals "1.0"). */
    static int compareVersions(String a, String b) {
        String[] x = a.split("[._]");
        String[] y = b.split("[._]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            BigInteger p = i < x.length ? new BigInteger(x[i]) : BigInteger.ZERO;
            BigInteger q = i < y.length ? new BigInteger(y[i]) : BigInteger.ZERO;
            int c = p.compareTo(q);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** Returns Flyway's description in the history table: the file's description with underscores as spaces. */
    static String historyDescription(String fileDescription) {
        return fileDescription.replace('_', ' ');
    }
}
