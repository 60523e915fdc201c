package dev.aegis.afs.core.tree;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** An open handle serving one stored file (a snapshot, a runbook) with positional reads. */
public final class SnapshotFile implements OpenFile {

    private final FileChannel channel;
    private final long size;
    private final boolean live;
    private final boolean immutable;

    private SnapshotFile(FileChannel channel, long size, boolean live, boolean immutable) {
        this.channel = channel;
        this.size = size;
        this.live = live;
        this.immutable = immutable;
    }

    /** Serves a snapshot just captured by a live read (size known only once open). */
    public static SnapshotFile ofCapture(EvidenceRecord record) throws AfsException {
        return open(record.file(), true, true);
    }

    /** Serves a stored snapshot under /evidence: immutable, so cacheable by the kernel. */
    public static SnapshotFile ofEvidence(EvidenceRecord record) throws AfsException {
        return open(record.file(), false, true);
    }

    /** Serves a file on disk as it is now. */
    public static SnapshotFile of(Path file) throws AfsException {
        return open(file, false, false);
    }

    private static SnapshotFile open(Path file, boolean live, boolean immutable) throws AfsException {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            return new SnapshotFile(channel, channel.size(), live, immutable);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new AfsException(AfsError.NOT_FOUND, file.getFileName() + ": no longer exists (expired or removed)", e);
        } catch (IOException e) {
            throw new AfsException(AfsError.INTERNAL, "cannot open " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean sizeKnownOnlyWhenOpen() {
        return live;
    }

    @Override
    public boolean immutable() {
        return immutable;
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws AfsException {
        if (offset >= size) {
            return -1;
        }
        try {
            int total = 0;
            while (dst.hasRemaining() && offset + total < size) {
                int n = channel.read(dst, offset + total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            return total;
        } catch (IOException e) {
            throw new AfsException(AfsError.INTERNAL, "read failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing the reader can do about it
        }
    }
}
