package dev.aegis.afs.core.file;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.source.LineCursor;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.local.LineSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;

/**
 * Follows a file stream by byte offset, as {@code tail -F} does: the newest uncompressed file of
 * the stream is read from where the last poll stopped; when that name is rotated away (renamed,
 * a new file created under it) the old file is read to its end, then the new one from its start;
 * a file truncated in place (copytruncate) is read again from 0. A line is passed once its
 * newline is written. Of a stream made of several base names, the newest file is followed.
 */
final class FileTail implements LineCursor {

    /** At most this much is read per poll, so a burst is passed in bounded steps. */
    private static final int MAX_BYTES_PER_POLL = 4 << 20;
    private static final int MAX_LINE = LineReader.MAX_LINE;

    private final StreamLayout layout;
    private final LineFormat format;
    private final String backend;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private FileChannel channel;
    private Object fileKey;
    private long offset;

    FileTail(StreamLayout layout, LineFormat format, String backend) throws AfsException {
        this.layout = Objects.requireNonNull(layout, "layout is null");
        this.format = Objects.requireNonNull(format, "format is null");
        this.backend = Objects.requireNonNull(backend, "backend is null");
        Path active = active();
        if (active != null) {
            open(active);
            offset = size();
        }
    }

    @Override
    public long poll(LineSink sink, long maxLines) throws AfsException {
        long[] passed = {0};
        long[] budget = {MAX_BYTES_PER_POLL};
        try {
            Path active = active();
            if (channel == null) {
                if (active == null) {
                    return 0;
                }
                open(active);
                offset = 0;
            }
            if (channel.size() < offset) {
                offset = 0; // truncated in place: what is there now is new
                partial.reset();
            }
            drain(sink, maxLines, passed, budget);
            if (active != null && !key(active).equals(fileKey) && passed[0] < maxLines && budget[0] > 0) {
                drain(sink, maxLines, passed, budget); // the rest of the rotated file first
                if (offset >= channel.size()) {
                    channel.close();
                    open(active);
                    offset = 0;
                    partial.reset();
                    drain(sink, maxLines, passed, budget);
                }
            }
        } catch (IOException e) {
            throw new AfsException(AfsError.BACKEND_FAILURE, backend + ": cannot follow " + layout.spec() + ": " + e
                    + "; check that the file is readable", e);
        }
        return passed[0];
    }

    private void drain(LineSink sink, long maxLines, long[] passed, long[] budget) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (passed[0] < maxLines && budget[0] > 0) {
            buffer.clear();
            int n = channel.read(buffer, offset);
            if (n <= 0) {
                return;
            }
            byte[] b = buffer.array();
            int lineStart = 0;
            int consumed = 0;
            for (int i = 0; i < n && passed[0] < maxLines; i++) {
                if (b[i] == '\n') {
                    partial.write(b, lineStart, i - lineStart);
                    emit(sink, partial.toByteArray());
                    partial.reset();
                    passed[0]++;
                    lineStart = i + 1;
                    consumed = i + 1;
                }
            }
            if (passed[0] < maxLines) {
                int rest = n - lineStart;
                if (partial.size() + rest <= MAX_LINE) {
                    partial.write(b, lineStart, rest);
                }
                consumed = n;
            }
            offset += consumed;
            budget[0] -= consumed;
        }
    }

    private void emit(LineSink sink, byte[] raw) {
        int start = format.messageStart(raw, 0, raw.length);
        String text = start < 0 ? new String(raw, StandardCharsets.UTF_8)
                : new String(raw, start, raw.length - start, StandardCharsets.UTF_8);
        sink.accept(new LogLine(null, text));
    }

    private long size() throws AfsException {
        try {
            return channel.size();
        } catch (IOException e) {
            return 0;
        }
    }

    private Path active() throws AfsException {
        List<Segment> segments = layout.segments();
        for (int i = segments.size() - 1; i >= 0; i--) {
            if (!segments.get(i).gzip()) {
                return segments.get(i).file();
            }
        }
        return null;
    }

    private void open(Path file) throws AfsException {
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            fileKey = key(file);
        } catch (IOException e) {
            throw new AfsException(AfsError.BACKEND_FAILURE, backend + ": cannot follow " + file.getFileName() + ": "
                    + e + "; check that the file is readable", e);
        }
    }

    private static Object key(Path file) throws IOException {
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        return key == null ? file : key;
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }
}
