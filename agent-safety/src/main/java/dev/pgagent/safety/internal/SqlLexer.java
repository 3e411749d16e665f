package dev.pgagent.safety.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into tokens the way PostgreSQL's own scanner does (standard-conforming strings, nested block
 * comments, dollar quotes, E'' strings, quoted identifiers). The validator trusts this scanner, not JSqlParser's, for
 * everything lexical: statement boundaries, comments, string extents and function-call names. Where the two scanners
 * could disagree (backslashes, nested comments, dollar quotes), the text handed to JSqlParser is rebuilt from these
 * tokens so that JSqlParser cannot see a different statement from the one PostgreSQL would run.
 */
public final class SqlLexer {
    private static final String OP_CHARS = "+-*/<>=~!@#%^&|`?";

    private SqlLexer() {}

    /** The kinds of token. */
    public enum Kind {
        /** An unquoted identifier or key word; {@link Token#value()} is folded to lower case. */
        WORD,
        /** A double-quoted identifier; {@link Token#value()} is its content, case kept. */
        QUOTED_IDENT,
        /** A string constant of any form (plain, E'', B'', X'', N'', U&'', dollar-quoted). */
        STRING,
        /** A numeric constant. */
        NUMBER,
        /** A positional parameter such as {@code $1}. */
        PARAM,
        /** An operator such as {@code ->>} or {@code ::}. */
        OPERATOR,
        /** One of {@code ( ) [ ] , ; : .}. */
        PUNCT
    }

    /**
     * One token.
     *
     * @param kind the kind
     * @param value the folded identifier, the quoted identifier's content, the string's content, or the raw text
     * @param start the offset of the first character in the source
     * @param end the offset after the last character in the source
     */
    public record Token(Kind kind, String value, int start, int end) {
        /** Returns whether this is the unquoted word {@code word} (lower case). */
        public boolean isWord(String word) {
            return kind == Kind.WORD && value.equals(word);
        }

        /** Returns whether this is the punctuation or operator {@code p}. */
        public boolean is(String p) {
            return (kind == Kind.PUNCT || kind == Kind.OPERATOR) && value.equals(p);
        }

        /** Returns whether this token names something (an identifier, quoted or not). */
        public boolean isIdentifier() {
            return kind == Kind.WORD || kind == Kind.QUOTED_IDENT;
        }
    }

    /**
     * The result of scanning.
     *
     * @param tokens the tokens, comments and white space dropped
     * @param error why the text cannot be scanned, or null
     */
    public record Result(
            List<Token> tokens,
            @org.jspecify.annotations.Nullable String error) {}

    /** Scans {@code sql}. Never throws for bad input; a scan error is reported in the result. */
    public static Result scan(String sql) {
        List<Token> out = new ArrayList<>();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int depth = 1;
                i += 2;
                while (i < n && depth > 0) {
                    if (sql.startsWith("/*", i)) {
                        depth++;
                        i += 2;
                    } else if (sql.startsWith("*/", i)) {
                        depth--;
                        i += 2;
                    } else {
                        i++;
                    }
                }
                if (depth > 0) {
                    return new Result(out, "unterminated block comment");
                }
            } else if (c == '\'') {
                int end = plainString(sql, i + 1);
                if (end < 0) {
                    return new Result(out, "unterminated string constant");
                }
                out.add(new Token(Kind.STRING, sql.substring(i + 1, end - 1), i, end));
                i = end;
            } else if ((c == 'e' || c == 'E') && i + 1 < n && sql.charAt(i + 1) == '\'') {
                int end = escapeString(sql, i + 2);
                if (end < 0) {
                    return new Result(out, "unterminated string constant");
                }
                out.add(new Token(Kind.STRING, sql.substring(i + 2, end - 1), i, end));
                i = end;
            } else if ((c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N')
                    && i + 1 < n
                    && sql.charAt(i + 1) == '\'') {
                int end = plainString(sql, i + 2);
                if (end < 0) {
                    return new Result(out, "unterminated string constant");
                }
                out.add(new Token(Kind.STRING, sql.substring(i + 2, end - 1), i, end));
                i = end;
            } else if ((c == 'u' || c == 'U')
                    && i + 2 < n
                    && sql.charAt(i + 1) == '&'
                    && (sql.charAt(i + 2) == '\'' || sql.charAt(i + 2) == '"')) {
                return new Result(
                        out, "Unicode-escaped strings and identifiers (U&'...', U&\"...\") are not supported");
            } else if (c == '"') {
                int j = i + 1;
                StringBuilder name = new StringBuilder();
                while (true) {
                    if (j >= n) {
                        return new Result(out, "unterminated quoted identifier");
                    }
                    char d = sql.charAt(j);
                    if (d == '"') {
                        if (j + 1 < n && sql.charAt(j + 1) == '"') {
                            name.append('"');
                            j += 2;
                            continue;
                        }
                        j++;
                        break;
                    }
                    name.append(d);
                    j++;
                }
                if (name.length() == 0) {
                    return new Result(out, "zero-length quoted identifier");
                }
                out.add(new Token(Kind.QUOTED_IDENT, name.toString(), i, j));
                i = j;
            } else if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
                int j = i + 1;
                while (j < n && Character.isDigit(sql.charAt(j))) {
                    j++;
                }
                out.add(new Token(Kind.PARAM, sql.substring(i, j), i, j));
                i = j;
            } else if (c == '$') {
                int j = i + 1;
                while (j < n && isIdentPart(sql.charAt(j)) && sql.charAt(j) != '$') {
                    j++;
                }
                if (j < n && sql.charAt(j) == '$' && (j == i + 1 || isIdentStart(sql.charAt(i + 1)))) {
                    String tag = sql.substring(i, j + 1);
                    int close = sql.indexOf(tag, j + 1);
                    if (close < 0) {
                        return new Result(out, "unterminated dollar-quoted string");
                    }
                    out.add(new Token(Kind.STRING, sql.substring(j + 1, close), i, close + tag.length()));
                    i = close + tag.length();
                } else {
                    return new Result(out, "unexpected character '$'");
                }
            } else if (isIdentStart(c)) {
                int j = i + 1;
                while (j < n && isIdentPart(sql.charAt(j))) {
                    j++;
                }
                out.add(new Token(Kind.WORD, fold(sql.substring(i, j)), i, j));
                i = j;
            } else if (isDigit(c) || (c == '.' && i + 1 < n && isDigit(sql.charAt(i + 1)))) {
                int j = number(sql, i);
                out.add(new Token(Kind.NUMBER, sql.substring(i, j), i, j));
                i = j;
            } else if (c == ':' && i + 1 < n && sql.charAt(i + 1) == ':') {
                out.add(new Token(Kind.OPERATOR, "::", i, i + 2));
                i += 2;
            } else if ("()[],;:.".indexOf(c) >= 0) {
                out.add(new Token(Kind.PUNCT, String.valueOf(c), i, i + 1));
                i++;
            } else if (OP_CHARS.indexOf(c) >= 0) {
                int j = i;
                while (j < n && OP_CHARS.indexOf(sql.charAt(j)) >= 0) {
                    if (j > i && (sql.startsWith("--", j) || sql.startsWith("/*", j))) {
                        break;
                    }
                    j++;
                }
                String op = sql.substring(i, j);
                if (op.indexOf('`') >= 0) {
                    // PostgreSQL has no such operator; JSqlParser would read backquotes as identifier quotes
                    return new Result(out, "unexpected character '`'");
                }
                out.add(new Token(Kind.OPERATOR, op, i, j));
                i = j;
            } else {
                return new Result(out, "unexpected character '" + c + "'");
            }
        }
        return new Result(List.copyOf(out), null);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * Returns the end of a numeric constant: digits with {@code _} separators, an optional fraction and exponent, or
     * a {@code 0x}/{@code 0o}/{@code 0b} integer. Letters after it start a new token.
     */
    private static int number(String sql, int i) {
        int n = sql.length();
        int j = i;
        if (sql.charAt(i) == '0'
                && i + 2 < n
                && "xXoObB".indexOf(sql.charAt(i + 1)) >= 0
                && Character.digit(sql.charAt(i + 2), 16) >= 0) {
            j = i + 2;
            while (j < n && (Character.digit(sql.charAt(j), 16) >= 0 || sql.charAt(j) == '_')) {
                j++;
            }
            return j;
        }
        while (j < n && (isDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
            j++;
        }
        if (j < n && sql.charAt(j) == '.' && !sql.startsWith("..", j)) {
            j++;
            while (j < n && (isDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
                j++;
            }
        }
        if (j < n && (sql.charAt(j) == 'e' || sql.charAt(j) == 'E')) {
            int k = j + 1;
            if (k < n && (sql.charAt(k) == '+' || sql.charAt(k) == '-')) {
                k++;
            }
            if (k < n && isDigit(sql.charAt(k))) {
                j = k;
                while (j < n && isDigit(sql.charAt(j))) {
                    j++;
                }
            }
        }
        return j;
    }

    /**
     * Returns the offset after the closing quote of a string whose content starts at {@code from}, following
     * PostgreSQL's rule that constants separated only by white space with a newline are one constant; -1 when it is
     * not closed. Backslashes escape only in escape strings.
     */
    private static int plainString(String sql, int from) {
        return string(sql, from, false);
    }

    private static int escapeString(String sql, int from) {
        return string(sql, from, true);
    }

    private static int string(String sql, int from, boolean escapes) {
        int n = sql.length();
        int j = from;
        while (true) {
            int end = -1;
            while (j < n) {
                char d = sql.charAt(j);
                if (escapes && d == '\\') {
                    j += 2;
                    continue;
                }
                if (d == '\'') {
                    if (j + 1 < n && sql.charAt(j + 1) == '\'') {
                        j += 2;
                        continue;
                    }
                    end = j + 1;
                    break;
                }
                j++;
            }
            if (end < 0) {
                return -1;
            }
            int k = end;
            boolean newline = false;
            while (k < n && " \t\n\r\f\u000B".indexOf(sql.charAt(k)) >= 0) {
                newline |= sql.charAt(k) == '\n' || sql.charAt(k) == '\r';
                k++;
            }
            if (!(newline && k < n && sql.charAt(k) == '\'')) {
                return end;
            }
            j = k + 1;
        }
    }

    static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    static boolean isIdentPart(char c) {
        return isIdentStart(c) || (c >= '0' && c <= '9') || c == '$';
    }

    /** Folds an unquoted identifier to lower case as PostgreSQL does (ASCII letters only). */
    public static String fold(String s) {
        StringBuilder b = null;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c >= 'A' && c <= 'Z') {
                if (b == null) {
                    b = new StringBuilder(s);
                }
                b.setCharAt(k, (char) (c + 32));
            }
        }
        return b == null ? s : b.toString();
    }
}
