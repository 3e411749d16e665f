package dev.pgagent.context.internal;

import java.util.Arrays;
import java.util.Collection;

/**
 * A character trie over a set of terms, answering "which is the longest term that starts {@code word}" in time
 * linear in the length of that term, however long {@code word} is. Immutable and thread-safe once built.
 */
final class PrefixTrie {
    private int[] firstChild = new int[64];
    private int[] nextSibling = new int[64];
    private char[] label = new char[64];
    private boolean[] terminal = new boolean[64];
    private int size;
    private final int maxDepth;

    /**
     * Builds a trie over {@code terms} longer than 0 and at most {@code maxLength} characters; longer terms are
     * left out.
     */
    PrefixTrie(Collection<String> terms, int maxLength) {
        newNode('\0');
        int depth = 0;
        for (String t : terms) {
            if (t.isEmpty() || t.length() > maxLength) {
                continue;
            }
            int node = 0;
            for (int i = 0; i < t.length(); i++) {
                node = childOrCreate(node, t.charAt(i));
            }
            terminal[node] = true;
            depth = Math.max(depth, t.length());
        }
        this.maxDepth = depth;
    }

    /** Returns the length of the longest term in the trie. */
    int maxDepth() {
        return maxDepth;
    }

    /**
     * Returns the length of the longest term that is a proper prefix of {@code word} and at least {@code minLength}
     * long, or 0 when none is. Reads at most {@link #maxDepth()} characters of {@code word}.
     *
     * @param steps incremented by the number of trie nodes visited (for tests that bound the work)
     */
    int longestProperPrefix(String word, int minLength, long[] steps) {
        int best = 0;
        int node = 0;
        int limit = Math.min(word.length() - 1, maxDepth);
        for (int i = 0; i < limit; i++) {
            node = child(node, word.charAt(i), steps);
            if (node < 0) {
                break;
            }
            if (terminal[node] && i + 1 >= minLength) {
                best = i + 1;
            }
        }
        return best;
    }

    private int child(int node, char c, long[] steps) {
        for (int k = firstChild[node]; k > 0; k = nextSibling[k]) {
            steps[0]++;
            if (label[k] == c) {
                return k;
            }
        }
        return -1;
    }

    private int childOrCreate(int node, char c) {
        int last = 0;
        for (int k = firstChild[node]; k > 0; k = nextSibling[k]) {
            if (label[k] == c) {
                return k;
            }
            last = k;
        }
        int created = newNode(c);
        if (last == 0) {
            firstChild[node] = created;
        } else {
            nextSibling[last] = created;
        }
        return created;
    }

    private int newNode(char c) {
        if (size == label.length) {
            int n = size * 2;
            firstChild = Arrays.copyOf(firstChild, n);
            nextSibling = Arrays.copyOf(nextSibling, n);
            label = Arrays.copyOf(label, n);
            terminal = Arrays.copyOf(terminal, n);
        }
        label[size] = c;
        return size++;
    }
}
