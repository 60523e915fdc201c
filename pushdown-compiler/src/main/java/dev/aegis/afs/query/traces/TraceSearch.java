package dev.aegis.afs.query.traces;

import dev.aegis.afs.query.pushdown.BackendQuery;

/**
 * A trace search as one tracing backend runs it ({@link ZipkinSearch}, {@link TraceQlSearch}):
 * {@link #text()} is the path and query exactly as sent.
 */
public interface TraceSearch extends BackendQuery {

    /** How many traces the backend returns at most (the newest). */
    long limit();

    /**
     * True when {@link #limit()} is a safety cap rather than the reader's {@code tail}: a result of
     * exactly {@code limit} traces may then be cut, and the listing says so.
     */
    boolean capped();
}
