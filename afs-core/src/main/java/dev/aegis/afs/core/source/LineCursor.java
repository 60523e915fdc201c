package dev.aegis.afs.core.source;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.query.local.LineSink;

/**
 * Where a follow of a stream stands: each {@link #poll} passes the lines that arrived since the
 * previous one, oldest first, and moves past them. Not thread-safe: one poller owns it.
 */
public interface LineCursor extends AutoCloseable {

    /**
     * Passes the new lines to {@code sink} (without calling {@link LineSink#end()}); at most
     * {@code maxLines} per call, so a burst is taken in bounded steps.
     *
     * @return the number of lines passed
     */
    long poll(LineSink sink, long maxLines) throws AfsException;

    /**
     * A cursor whose lines are pushed to it (Loki's tail) calls {@code wake} when some arrive, so
     * that its poller polls at once rather than at its next tick. The default never calls it.
     */
    default void onArrival(Runnable wake) {
    }

    @Override
    default void close() {
    }
}
