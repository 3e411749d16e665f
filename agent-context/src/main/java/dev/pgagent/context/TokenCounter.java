package dev.pgagent.context;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.Locale;
import java.util.Objects;

/**
 * Counts tokens the way OpenAI models do, with a real byte-pair tokenizer (jtokkit). Immutable and thread-safe.
 *
 * <pre>{@code
 * int n = TokenCounter.defaultCounter().count("SELECT * FROM orders");
 * }</pre>
 */
public final class TokenCounter {
    private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
    private static final TokenCounter DEFAULT = new TokenCounter(REGISTRY.getEncoding(EncodingType.O200K_BASE));

    private final Encoding encoding;

    private TokenCounter(Encoding encoding) {
        this.encoding = encoding;
    }

    /** Returns the default counter: the {@code o200k_base} encoding (GPT-4o, GPT-4.1, o-series models). */
    public static TokenCounter defaultCounter() {
        return DEFAULT;
    }

    /**
     * Returns a counter for a named encoding.
     *
     * @param encodingName {@code o200k_base}, {@code cl100k_base}, {@code p50k_base}, {@code p50k_edit} or
     *     {@code r50k_base}
     * @throws IllegalArgumentException if the encoding is unknown
     */
    public static TokenCounter of(String encodingName) {
        Objects.requireNonNull(encodingName, "encodingName == null");
        Encoding e = REGISTRY.getEncoding(encodingName.toLowerCase(Locale.ROOT))
                .orElseThrow(() -> new IllegalArgumentException(
                        "encodingName must be a known encoding (o200k_base, cl100k_base, ...) but was "
                                + encodingName));
        return new TokenCounter(e);
    }

    /** Returns the number of tokens in {@code text}; special-token markers are counted as ordinary text. */
    public int count(String text) {
        Objects.requireNonNull(text, "text == null");
        return text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
    }

    /** Returns the name of the encoding, for example {@code o200k_base}. */
    public String encodingName() {
        return encoding.getName();
    }

    @Override
    public String toString() {
        return "TokenCounter[" + encoding.getName() + "]";
    }
}
