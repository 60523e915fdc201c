package dev.aegis.afs.core.tree;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import java.nio.ByteBuffer;

/**
 * An open handle. Its size is exact (FUSE reports it from {@code fgetattr}), its content does
 * not change while open, except for files the caller writes.
 */
public interface OpenFile extends AutoCloseable {

    /** Exact size in bytes of what this handle serves. */
    long size() throws AfsException;

    /** Reads up to {@code dst.remaining()} bytes at {@code offset}; returns -1 at the end. */
    int read(long offset, ByteBuffer dst) throws AfsException;

    /**
     * Writes at {@code offset}. Errors a shell user must see are thrown here (bash ignores
     * errors from flush and release).
     */
    default int write(long offset, ByteBuffer src) throws AfsException {
        throw new AfsException(AfsError.READ_ONLY, "read-only file");
    }

    /**
     * Called on each close(2) of a descriptor (FUSE flush). Writable files act here; an error
     * reaches programs that check close() (cat, cp), though not bash's builtin echo.
     */
    default void flush() throws AfsException {
    }

    /** {@link #flush()} with the process that closes the descriptor (FUSE flush has a caller; release has none). */
    default void flush(Caller closer) throws AfsException {
        flush();
    }

    /** Whether the content can never change (evidence): the kernel may then keep it cached across opens. */
    default boolean immutable() {
        return false;
    }

    /**
     * When the content last grew, for a handle that grows while open (a follow): {@code tail -f}
     * polls size and mtime. Empty: the node's own time.
     */
    default java.util.Optional<java.time.Instant> modified() {
        return java.util.Optional.empty();
    }

    /** Whether the size is only known once open (live files): FUSE then uses direct_io. */
    default boolean sizeKnownOnlyWhenOpen() {
        return false;
    }

    /** Called on release; whatever was written is final. Errors here reach no one but the log. */
    @Override
    default void close() throws AfsException {
    }
}
