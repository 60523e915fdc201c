package dev.aegis.afs.core.source;

import dev.aegis.afs.core.AfsException;

/**
 * A source that can follow its stream natively: the file backend watches the file and its
 * rotations by offset; Loki pushes new lines over its tail endpoint. Other sources are followed
 * by polling with a {@link TimeCursor}.
 */
public interface FollowableSource {

    /** A cursor positioned at the end of the stream now. */
    LineCursor follow() throws AfsException;

    /**
     * Whether following reads local files (cheap to poll often: the default poll is 100 ms);
     * otherwise a network backend, polled once a second by default, that wakes its follower when
     * lines arrive ({@link LineCursor#onArrival}).
     */
    default boolean local() {
        return true;
    }
}
