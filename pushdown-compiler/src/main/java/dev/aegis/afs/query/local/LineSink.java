package dev.aegis.afs.query.local;

import dev.aegis.afs.query.LogLine;

/** Receives lines oldest first. */
public interface LineSink {

    /** Takes one line; returns false when no further line can change the output. */
    boolean accept(LogLine line);

    /**
     * Takes one line of the stream with the given labels (e.g. Loki's {@code {app="api", pod="a"}});
     * a sink that does not show labels ignores them.
     */
    default boolean accept(LogLine line, String labels) {
        return accept(line);
    }

    /** No more lines: flush whatever was held back (a tail, a count). */
    void end();
}
