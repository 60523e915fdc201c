package dev.aegis.afs.core.file;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * One file of a stream, as listed when the fetch started.
 *
 * @param file     its real path (inside the backend's root)
 * @param name     its path relative to the root, for messages and plans
 * @param gzip     compressed (read forward only)
 * @param size     its size when listed; the scan reads no further, so a file being appended
 *                 to is read as it was
 * @param modified last modification time
 * @param base     the name the file rotates under ({@code app.log} for {@code app.log.2.gz})
 */
record Segment(Path file, String name, boolean gzip, long size, Instant modified, String base) {

    Segment {
        Objects.requireNonNull(file, "file is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(modified, "modified is null");
        Objects.requireNonNull(base, "base is null");
    }

    /** Counts the bytes read from disk. */
    static final class ByteCounter {
        private long bytes;

        void add(long n) {
            bytes += n;
        }

        long bytes() {
            return bytes;
        }
    }

    /**
     * Opens the raw bytes from {@code position} (uncompressed files only) up to {@code limit},
     * or the whole decompressed content of a gzip file.
     */
    InputStream open(long position, long limit, ByteCounter counter) throws IOException {
        if (gzip) {
            if (position != 0) {
                throw new IllegalArgumentException("cannot seek in compressed " + name);
            }
            InputStream raw = Files.newInputStream(file);
            try {
                return new GZIPInputStream(new CountingStream(raw, counter), 64 * 1024);
            } catch (IOException | RuntimeException e) {
                raw.close();
                throw e;
            }
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        return new ChannelRange(channel, position, Math.min(limit, size), counter);
    }

    /** Reads a range of a file with positional reads. */
    private static final class ChannelRange extends InputStream {
        private final FileChannel channel;
        private final long limit;
        private final ByteCounter counter;
        private long position;

        ChannelRange(FileChannel channel, long position, long limit, ByteCounter counter) {
            this.channel = channel;
            this.position = position;
            this.limit = limit;
            this.counter = counter;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long left = limit - position;
            if (left <= 0) {
                return -1;
            }
            int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, left)), position);
            if (n > 0) {
                position += n;
                counter.add(n);
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private static final class CountingStream extends FilterInputStream {
        private final ByteCounter counter;

        CountingStream(InputStream in, ByteCounter counter) {
            super(in);
            this.counter = counter;
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) {
                counter.add(1);
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                counter.add(n);
            }
            return n;
        }
    }
}
