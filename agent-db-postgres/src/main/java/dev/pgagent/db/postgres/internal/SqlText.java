package dev.pgagent.db.postgres.internal;

import java.util.Locale;
import java.util.Objects;

/**
 * Lexical facts about one SQL text, found by a small PostgreSQL-aware scanner (quotes, {@code E''} strings,
 * quoted identifiers, dollar quotes, line and nested block comments): how many statements it holds, its first
 * keyword, and the text prepared for pgjdbc (every {@code ?} outside literals doubled, so the driver does not take
 * a jsonb operator for a parameter placeholder). Immutable.
 */
public final class SqlText {
    private final int statementCount;
    private final String firstKeyword;
    private final String jdbcText;

    private SqlText(int statementCount, String firstKeyword, String jdbcText) {
        this.statementCount = statementCount;
        this.firstKeyword = firstKeyword;
        this.jdbcText = jdbcText;
    }

    /** Scans {@code sql}. */
    public static SqlText scan(String sql) {
        Objects.requireNonNull(sql, "sql == null");
        StringBuilder out = new StringBuilder(sql.length() + 8);
        int statements = 0;
        boolean currentHasContent = false;
        StringBuilder keyword = new StringBuilder();
        boolean keywordDone = false;
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.append(sql, i, end);
                i = end;
                keywordDone |= keyword.length() > 0;
                continue;
            }
            if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int depth = 1;
                int j = i + 2;
                while (j < n && depth > 0) {
                    if (sql.charAt(j) == '/' && j + 1 < n && sql.charAt(j + 1) == '*') {
                        depth++;
                        j += 2;
                    } else if (sql.charAt(j) == '*' && j + 1 < n && sql.charAt(j + 1) == '/') {
                        depth--;
                        j += 2;
                    } else {
                        j++;
                    }
                }
                out.append(sql, i, j);
                i = j;
                keywordDone |= keyword.length() > 0;
                continue;
            }
            if (c == ';') {
                if (currentHasContent) {
                    statements++;
                }
                currentHasContent = false;
                keywordDone |= keyword.length() > 0;
                out.append(c);
                i++;
                continue;
            }
            if (Character.isWhitespace(c)) {
                keywordDone |= keyword.length() > 0;
                out.append(c);
                i++;
                continue;
            }
            if (!currentHasContent && statements > 0) {
                keywordDone = true;
            }
            currentHasContent = true;
            if (c == '\'') {
                boolean escapes = i > 0
                        && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
                        && (i < 2 || !isIdentifierPart(sql.charAt(i - 2)));
                int j = endOfQuoted(sql, i, '\'', escapes);
                out.append(sql, i, j);
                i = j;
                keywordDone |= keyword.length() > 0;
                continue;
            }
            if (c == '"') {
                int j = endOfQuoted(sql, i, '"', false);
                out.append(sql, i, j);
                i = j;
                keywordDone |= keyword.length() > 0;
                continue;
            }
            if (c == '$' && (i == 0 || !isIdentifierPart(sql.charAt(i - 1)))) {
                int tagEnd = sql.indexOf('$', i + 1);
                if (tagEnd > 0 && validTag(sql, i + 1, tagEnd)) {
                    String tag = sql.substring(i, tagEnd + 1);
                    int close = sql.indexOf(tag, tagEnd + 1);
                    int j = close < 0 ? n : close + tag.length();
                    out.append(sql, i, j);
                    i = j;
                    keywordDone |= keyword.length() > 0;
                    continue;
                }
            }
            if (c == '?') {
                out.append("??");
                i++;
                keywordDone |= keyword.length() > 0;
                continue;
            }
            if (!keywordDone && Character.isLetter(c)) {
                keyword.append(c);
            } else if (keyword.length() > 0) {
                keywordDone = true;
            }
            out.append(c);
            i++;
        }
        if (currentHasContent) {
            statements++;
        }
        return new SqlText(statements, keyword.toString().toUpperCase(Locale.ROOT), out.toString());
    }

    private static boolean validTag(String sql, int from, int to) {
        for (int k = from; k < to; k++) {
            char ch = sql.charAt(k);
            if (!(Character.isLetterOrDigit(ch) || ch == '_') || (k == from && Character.isDigit(ch))) {
                return false;
            }
        }
        return true;
    }

    private static int endOfQuoted(String sql, int start, char quote, boolean backslashEscapes) {
        int n = sql.length();
        int j = start + 1;
        while (j < n) {
            char ch = sql.charAt(j);
            if (backslashEscapes && ch == '\\') {
                j += 2;
                continue;
            }
            if (ch == quote) {
                if (j + 1 < n && sql.charAt(j + 1) == quote) {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            j++;
        }
        return n;
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** Returns the number of non-empty statements (text between top-level semicolons). */
    public int statementCount() {
        return statementCount;
    }

    /** Returns the first keyword of the first statement, upper-cased; empty if there is none. */
    public String firstKeyword() {
        return firstKeyword;
    }

    /** Returns the text with each {@code ?} outside literals, identifiers and comments doubled, for pgjdbc. */
    public String jdbcText() {
        return jdbcText;
    }
}
