package dev.pgagent.core.eval.internal;

import dev.pgagent.core.eval.EvalFileException;
import dev.pgagent.core.eval.EvalMode;
import dev.pgagent.core.eval.EvalResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results file of a resumable run: one JSON line a finished question, appended and flushed as each finishes,
 * so that a run stopped at any point can skip, when started again, the questions already there.
 */
public final class ResultsFile implements AutoCloseable {
    private final Path path;
    private final BufferedWriter writer;

    private ResultsFile(Path path, BufferedWriter writer) {
        this.path = path;
        this.writer = writer;
    }

    /**
     * Reads the results already in {@code path} (of runs in {@code mode}; the last of several for one id wins;
     * lines that are not results, such as one cut short by a crash, are skipped), and opens it for appending.
     *
     * @throws EvalFileException if it cannot be read or opened
     */
    public static ResultsFile open(Path path, EvalMode mode, Map<String, EvalResult> done) {
        try {
            if (Files.exists(path)) {
                List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
                for (String line : lines) {
                    ResultJson.read(line)
                            .filter(l -> l.mode() == mode)
                            .ifPresent(l -> done.put(l.result().id(), l.result()));
                }
            }
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            BufferedWriter w = Files.newBufferedWriter(
                    path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (Files.size(path) > 0 && !endsWithNewline(path)) {
                w.newLine(); // a line cut short stays a bad line of its own
                w.flush();
            }
            return new ResultsFile(path, w);
        } catch (IOException e) {
            throw new EvalFileException("cannot open the results file " + path + ": " + e.getMessage(), e);
        }
    }

    /** Returns an empty map to collect results in, in the order read. */
    public static Map<String, EvalResult> newDone() {
        return new LinkedHashMap<>();
    }

    private static boolean endsWithNewline(Path path) throws IOException {
        try (var channel = Files.newByteChannel(path)) {
            channel.position(channel.size() - 1);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            channel.read(b);
            return b.get(0) == '\n';
        }
    }

    /**
     * Appends one result and flushes it.
     *
     * @throws EvalFileException if it cannot be written
     */
    public synchronized void append(EvalMode mode, EvalResult result) {
        try {
            writer.write(ResultJson.line(mode, result));
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            throw new EvalFileException("cannot write to the results file " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new EvalFileException("cannot close the results file " + path + ": " + e.getMessage(), e);
        }
    }
}
