package dev.aegis.afs.core.evidence;

import dev.aegis.afs.core.AfsException;

/** Where a capture writes its content: whole lines, each ended with a newline. */
public interface SnapshotOutput {

    /** Appends {@code text} and a newline. */
    void line(String text) throws AfsException;

    /** Lines written so far. */
    long lines();
}
