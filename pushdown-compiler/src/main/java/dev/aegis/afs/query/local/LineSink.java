package dev.aegis.afs.query.local;

import dev.aegis.afs.query.LogLine;

/** Receives lines oldest first. */
public interface LineSink {

    /** Takes one line; returns false when no further line can change the output. */
    boolean accept(LogLine line);

    /** No more lines: flush whatever was held back (a tail, a count). */
    void end();
}
