package dev.pgagent.mcp.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The client's side of a stdio connection as the SDK's transport reads it: newline-delimited messages, each passed
 * through a filter (the {@link MessageTagger}) that may rewrite or drop it. Calls {@code onEnd} once when the client
 * closes its end. For one reader thread.
 */
public final class StdioInput extends InputStream {
    private final InputStream in;
    private final UnaryOperator<@Nullable String> filter;
    private final Runnable onEnd;
    private final int maxLineBytes;
    private byte[] buf = new byte[0];
    private int pos;
    private boolean ended;

    /**
     * Creates the stream.
     *
     * @param in the client's output
     * @param filter returns the line to pass on, or null to drop it
     * @param onEnd called once at the end of input (or on a read error)
     * @param maxLineBytes the longest message accepted; a longer one ends the connection
     */
    public StdioInput(InputStream in, UnaryOperator<@Nullable String> filter, Runnable onEnd, int maxLineBytes) {
        this.in = new BufferedInputStream(in);
        this.filter = filter;
        this.onEnd = onEnd;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public int read() throws IOException {
        if (!ensure()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!ensure()) {
            return -1;
        }
        int n = Math.min(len, buf.length - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return buf.length - pos;
    }

    @Override
    public void close() throws IOException {
        end();
        in.close();
    }

    private boolean ensure() throws IOException {
        while (pos >= buf.length) {
            if (ended) {
                return false;
            }
            String line;
            try {
                line = readLine();
            } catch (IOException e) {
                end();
                throw e;
            }
            if (line == null) {
                end();
                return false;
            }
            String out = line.isBlank() ? line : filter.apply(line);
            if (out != null) {
                buf = (out + "\n").getBytes(StandardCharsets.UTF_8);
                pos = 0;
            }
        }
        return true;
    }

    private @Nullable String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                return strip(line);
            }
            if (line.size() >= maxLineBytes) {
                throw new IOException("a message is longer than " + maxLineBytes + " bytes");
            }
            line.write(c);
        }
        return line.size() == 0 ? null : strip(line);
    }

    private static String strip(ByteArrayOutputStream line) {
        String s = line.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private void end() {
        if (!ended) {
            ended = true;
            onEnd.run();
        }
    }
}
