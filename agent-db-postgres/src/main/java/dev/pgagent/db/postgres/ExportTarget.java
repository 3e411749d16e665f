package dev.pgagent.db.postgres;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where an export writes: an {@link OutputStream} (UTF-8 bytes, buffered here) or a {@link Writer} (characters).
 * The export flushes it at the end and never closes it. Not thread-safe; one per export.
 */
public abstract class ExportTarget {
    private ExportTarget() {}

    /** Returns a target writing UTF-8 bytes to {@code out}. */
    public static ExportTarget of(OutputStream out) {
        Objects.requireNonNull(out, "out == null");
        return new Bytes(out);
    }

    /** Returns a target writing characters to {@code out}. */
    public static ExportTarget of(Writer out) {
        Objects.requireNonNull(out, "out == null");
        return new Chars(out);
    }

    /** Writes UTF-8 bytes (whole characters). */
    abstract void write(byte[] utf8, int off, int len) throws IOException;

    /** Writes text whose UTF-8 form is {@code utf8}, if already known, else null. */
    abstract void write(String text, byte @org.jspecify.annotations.Nullable [] utf8) throws IOException;

    /** Flushes what was written to the underlying stream or writer. */
    abstract void flush() throws IOException;

    /** Writes text, wrapping an I/O failure. */
    final void writeUnchecked(String text) {
        try {
            write(text, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the export", e);
        }
    }

    private static final class Bytes extends ExportTarget {
        private final OutputStream out;

        Bytes(OutputStream out) {
            this.out = new BufferedOutputStream(out, 1 << 16);
        }

        @Override
        void write(byte[] utf8, int off, int len) throws IOException {
            out.write(utf8, off, len);
        }

        @Override
        void write(String text, byte[] utf8) throws IOException {
            byte[] b = utf8 != null ? utf8 : text.getBytes(StandardCharsets.UTF_8);
            out.write(b, 0, b.length);
        }

        @Override
        void flush() throws IOException {
            out.flush();
        }
    }

    /** Passes everything to another target and remembers whether anything was written (a retry must not repeat). */
    static final class Watched extends ExportTarget {
        private final ExportTarget target;
        private boolean written;

        Watched(ExportTarget target) {
            this.target = target;
        }

        boolean written() {
            return written;
        }

        @Override
        void write(byte[] utf8, int off, int len) throws IOException {
            written |= len > 0;
            target.write(utf8, off, len);
        }

        @Override
        void write(String text, byte @org.jspecify.annotations.Nullable [] utf8) throws IOException {
            written |= !text.isEmpty();
            target.write(text, utf8);
        }

        @Override
        void flush() throws IOException {
            target.flush();
        }
    }

    private static final class Chars extends ExportTarget {
        private final Writer out;

        Chars(Writer out) {
            this.out = out;
        }

        @Override
        void write(byte[] utf8, int off, int len) throws IOException {
            out.write(new String(utf8, off, len, StandardCharsets.UTF_8));
        }

        @Override
        void write(String text, byte[] utf8) throws IOException {
            out.write(text);
        }

        @Override
        void flush() throws IOException {
            out.flush();
        }
    }
}
