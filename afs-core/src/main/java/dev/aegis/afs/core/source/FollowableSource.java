package dev.aegis.afs.core.source;

import dev.aegis.afs.core.AfsException;

/**
 * A source that can follow its stream natively (the file backend watches the file and its
 * rotations by offset). Other sources are followed by polling with a time cursor.
 */
public interface FollowableSource {

    /** A cursor positioned at the end of the stream now. */
    LineCursor follow() throws AfsException;
}
