package dev.pgagent.safety.pii;

import dev.pgagent.api.safety.RedactionMode;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Hides personal data in results before they reach the model. A column whose name marks personal data (built-in
 * hints such as {@code email}, {@code phone}, {@code ssn}, {@code iban}, {@code date_of_birth}, {@code address}, plus
 * {@link SafetyPolicy#piiColumnHints()}) is redacted whole; every other value is scanned for e-mail addresses, phone
 * numbers, payment card numbers, IBANs, national identifiers and IP addresses (see {@link PiiKind}). Values are
 * scanned whatever their column is called, so an alias does not hide a column: {@code SELECT phone AS note} is still
 * caught.
 *
 * <p>What happens to a finding depends on {@link SafetyPolicy#redaction()}:
 * <ul>
 *   <li>{@link RedactionMode#MASK}: the matched span is replaced by its kind's mask ({@code [EMAIL]}, {@code [PHONE]},
 *       {@code [CARD]}, {@code [IBAN]}, {@code [NATIONAL_ID]}, {@code [IP]}); a hinted column's values become
 *       {@code [PII]}. The rest of a longer text stays.
 *   <li>{@link RedactionMode#HASH}: the span is replaced by a stable keyed hash such as {@code email:3f9a1c2b}, so
 *       equal values stay equal (joins and counts still make sense) without being readable. Pass a secret salt to
 *       {@link Builder#salt(byte[])}; the fixed default salt keeps hashes stable but lets anyone who knows it test
 *       guesses.
 *   <li>{@link RedactionMode#DROP_COLUMN}: hinted columns, and columns where any value holds a finding, are removed.
 *       {@link #redactText(String)} masks instead, as there is no column to drop.
 *   <li>{@link RedactionMode#OFF}: results pass unchanged.
 * </ul>
 * SQL NULL stays NULL. Detection favours precision: card numbers must pass the Luhn check, IBANs the mod-97 check,
 * phone numbers need a country code or the separators of a national format, and plain integers, order numbers, dates,
 * amounts and version strings are left alone. It is a safety net, not a guarantee: data in free-form formats it does
 * not know can pass. Immutable and thread-safe.
 *
 * <pre>{@code
 * PiiRedactor redactor = PiiRedactor.of(policy);
 * QueryResult forModel = redactor.redact(result);
 * }</pre>
 */
public final class PiiRedactor {
    private static final byte[] DEFAULT_SALT = "pgagent-pii-redactor-v1".getBytes(StandardCharsets.UTF_8);
    private static final int HASH_HEX_CHARS = 8;

    /** {@code Key (email)=(a@b.org)} in PostgreSQL's constraint messages. */
    private static final Pattern KEY_DETAIL = Pattern.compile("\\(([^()]+)\\)=\\(([^()]*)\\)");

    private final RedactionMode mode;
    private final ColumnHints hints;
    private final byte[] salt;

    private PiiRedactor(Builder b) {
        this.mode = b.policy.redaction();
        this.hints = new ColumnHints(b.policy.piiColumnHints());
        this.salt = b.salt.clone();
    }

    /** Returns a redactor with the policy's mode and extra column hints and the default salt. */
    public static PiiRedactor of(SafetyPolicy policy) {
        return builder().policy(policy).build();
    }

    /** Returns a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the redaction mode. */
    public RedactionMode mode() {
        return mode;
    }

    /** Returns whether a column of this name is treated as personal data as a whole. */
    public boolean isPiiColumn(String columnName) {
        return hints.matches(Objects.requireNonNull(columnName, "columnName == null"));
    }

    /** Returns the personal data found in {@code text}, in text order, without overlaps. */
    public List<Detection> detect(String text) {
        return PiiScanner.scan(Objects.requireNonNull(text, "text == null"));
    }

    /**
     * Returns what the model may see of {@code result}: the same instance when nothing needed hiding (and always in
     * {@link RedactionMode#OFF}), otherwise a copy with values masked or hashed, or columns dropped. Row count,
     * truncation and elapsed time are kept; the byte count is recomputed for the values kept.
     */
    public QueryResult redact(QueryResult result) {
        Objects.requireNonNull(result, "result == null");
        if (mode == RedactionMode.OFF || result.columns().isEmpty()) {
            return result;
        }
        List<ResultColumn> columns = result.columns();
        int n = columns.size();
        boolean[] hinted = new boolean[n];
        boolean any = false;
        for (int c = 0; c < n; c++) {
            hinted[c] = hints.matches(columns.get(c).name());
            any |= hinted[c];
        }
        return mode == RedactionMode.DROP_COLUMN ? drop(result, hinted, any) : rewrite(result, hinted, any);
    }

    private QueryResult drop(QueryResult result, boolean[] hinted, boolean any) {
        int n = hinted.length;
        boolean[] dropped = hinted.clone();
        for (List<@Nullable String> row : result.rows()) {
            for (int c = 0; c < n; c++) {
                String v = row.get(c);
                if (!dropped[c] && v != null && !PiiScanner.scan(v).isEmpty()) {
                    dropped[c] = true;
                    any = true;
                }
            }
        }
        if (!any) {
            return result;
        }
        List<ResultColumn> kept = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            if (!dropped[c]) {
                kept.add(result.columns().get(c));
            }
        }
        QueryResult.Builder b = copyHeader(result).columns(kept);
        long bytes = 0;
        for (List<@Nullable String> row : result.rows()) {
            List<@Nullable String> out = new ArrayList<>(kept.size());
            for (int c = 0; c < n; c++) {
                if (!dropped[c]) {
                    out.add(row.get(c));
                    bytes += utf8Length(row.get(c));
                }
            }
            b.addRow(out);
        }
        return b.byteCount(bytes).build();
    }

    private QueryResult rewrite(QueryResult result, boolean[] hinted, boolean anyHinted) {
        int n = hinted.length;
        Hasher hasher = mode == RedactionMode.HASH ? new Hasher(salt) : null;
        List<List<@Nullable String>> rows = new ArrayList<>(result.rowCount());
        boolean changed = anyHinted && result.rowCount() > 0;
        long bytes = 0;
        for (List<@Nullable String> row : result.rows()) {
            List<@Nullable String> out = new ArrayList<>(n);
            for (int c = 0; c < n; c++) {
                String v = row.get(c);
                String r;
                if (v == null) {
                    r = null;
                } else if (hinted[c]) {
                    r = hasher == null ? PiiKind.NAMED_COLUMN.mask() : hasher.hash(PiiKind.NAMED_COLUMN, v);
                } else {
                    r = replace(v, PiiScanner.scan(v), hasher);
                    changed |= !r.equals(v);
                }
                out.add(r);
                bytes += utf8Length(r);
            }
            rows.add(out);
        }
        if (!changed) {
            return result;
        }
        QueryResult.Builder b = copyHeader(result).columns(result.columns());
        rows.forEach(b::addRow);
        return b.byteCount(bytes).build();
    }

    /**
     * Returns {@code text} with personal data masked (or hashed in {@link RedactionMode#HASH}); meant for free text
     * such as error messages that echo values. In PostgreSQL's {@code Key (column)=(value)} details, the value of a
     * column whose name marks personal data is masked too. {@link RedactionMode#OFF} returns the text unchanged.
     */
    public String redactText(String text) {
        Objects.requireNonNull(text, "text == null");
        if (mode == RedactionMode.OFF || text.isEmpty()) {
            return text;
        }
        Hasher hasher = mode == RedactionMode.HASH ? new Hasher(salt) : null;
        String scanned = replace(text, PiiScanner.scan(text), hasher);
        Matcher m = KEY_DETAIL.matcher(scanned);
        StringBuilder sb = new StringBuilder(scanned.length());
        while (m.find()) {
            boolean pii = false;
            for (String column : m.group(1).split(",")) {
                pii |= hints.matches(column.strip().replace("\"", ""));
            }
            String value = m.group(2);
            String shown = pii && !value.isEmpty()
                    ? (hasher == null ? PiiKind.NAMED_COLUMN.mask() : hasher.hash(PiiKind.NAMED_COLUMN, value))
                    : value;
            m.appendReplacement(sb, Matcher.quoteReplacement("(" + m.group(1) + ")=(" + shown + ")"));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String replace(String text, List<Detection> found, @Nullable Hasher hasher) {
        if (found.isEmpty()) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length());
        int at = 0;
        for (Detection d : found) {
            sb.append(text, at, d.start());
            sb.append(hasher == null ? d.kind().mask() : hasher.hash(d.kind(), d.in(text)));
            at = d.end();
        }
        return sb.append(text, at, text.length()).toString();
    }

    private static QueryResult.Builder copyHeader(QueryResult r) {
        return QueryResult.builder().truncation(r.truncation()).elapsed(r.elapsed());
    }

    private static long utf8Length(@Nullable String s) {
        if (s == null) {
            return 0;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Prints the mode; never the salt. */
    @Override
    public String toString() {
        return "PiiRedactor{mode=" + mode + ", salt=" + (Arrays.equals(salt, DEFAULT_SALT) ? "default" : "****") + '}';
    }

    /** Keyed hashing of one redaction pass; not thread-safe, so each pass makes its own. */
    private static final class Hasher {
        private final Mac mac;

        Hasher(byte[] salt) {
            try {
                mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(salt, "HmacSHA256"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 must be available in every Java runtime", e);
            }
        }

        String hash(PiiKind kind, String value) {
            byte[] digest = mac.doFinal((kind.label() + ':' + normalize(kind, value)).getBytes(StandardCharsets.UTF_8));
            return kind.label() + ':' + HexFormat.of().formatHex(digest).substring(0, HASH_HEX_CHARS);
        }

        /** Writes a value one way, so that the same data in two spellings hashes the same. */
        private static String normalize(PiiKind kind, String value) {
            return switch (kind) {
                case EMAIL, IP_ADDRESS -> value.toLowerCase(Locale.ROOT);
                case PAYMENT_CARD -> PiiScanner.digits(value);
                case PHONE -> (value.startsWith("+") ? "+" : "") + PiiScanner.digits(value);
                case IBAN, NATIONAL_ID -> value.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
                case NAMED_COLUMN -> value;
            };
        }
    }

    /** Builds a {@link PiiRedactor}. Not thread-safe. */
    public static final class Builder {
        private SafetyPolicy policy = SafetyPolicy.READ_ONLY;
        private byte[] salt = DEFAULT_SALT;

        private Builder() {}

        /**
         * Sets the policy whose {@link SafetyPolicy#redaction()} and {@link SafetyPolicy#piiColumnHints()} apply.
         * Default: {@link SafetyPolicy#READ_ONLY} (mask, no extra hints).
         */
        public Builder policy(SafetyPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy == null");
            return this;
        }

        /**
         * Sets the key of the hashes written in {@link RedactionMode#HASH}; at least 16 bytes, copied. Keep it secret
         * and stable: the same salt gives the same hashes across runs. Default: a fixed built-in salt.
         */
        public Builder salt(byte[] salt) {
            Objects.requireNonNull(salt, "salt == null");
            if (salt.length < 16) {
                throw new IllegalArgumentException("salt must be >= 16 bytes but was " + salt.length + " bytes");
            }
            this.salt = salt.clone();
            return this;
        }

        /** Returns the redactor. */
        public PiiRedactor build() {
            return new PiiRedactor(this);
        }
    }
}
