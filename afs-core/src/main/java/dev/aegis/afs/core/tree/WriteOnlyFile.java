package dev.aegis.afs.core.tree;

import dev.aegis.afs.core.AfsException;
import java.nio.ByteBuffer;

/** A handle that only takes writes (a verdict, a report): empty to read, its act is {@link #write}. */
@FunctionalInterface
public interface WriteOnlyFile extends OpenFile {

    @Override
    default long size() {
        return 0;
    }

    @Override
    default int read(long offset, ByteBuffer dst) {
        return -1;
    }

    @Override
    int write(long offset, ByteBuffer src) throws AfsException;
}
