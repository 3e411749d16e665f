package dev.pgagent.core.internal;

/** Counts tokens of a text. */
@FunctionalInterface
public interface TextTokenCounter {
    /** A rough counter: one token per four characters. */
    TextTokenCounter CHARS_DIV_4 = text -> (text.length() + 3) / 4;

    /** Returns the number of tokens in {@code text}. */
    int count(String text);
}
