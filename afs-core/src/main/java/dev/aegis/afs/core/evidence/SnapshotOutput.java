package dev.aegis.afs.core.evidence;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.redact.Redactor;

/**
 * Where a capture writes its content: whole lines, each ended with a newline.
 *
 * <p>Everything written is redacted on the way ({@link #line}). A producer that filters, sorts
 * or limits lines must decide on the text as served, never on raw text (a filter on raw text
 * is an oracle: a reader extending a {@code grep-F=} prefix would learn a redacted value one
 * character per read). Such a producer redacts first with {@link #redactor()} and writes the
 * result with {@link #servedLine}, so nothing is redacted twice.
 */
public interface SnapshotOutput {

    /** Appends {@code text}, redacted, and a newline. */
    void line(String text) throws AfsException;

    /** Appends text that has already been through {@link #redactor()}, and a newline. */
    default void servedLine(String text) throws AfsException {
        line(text);
    }

    /** This read's redaction (one instance per read: it carries the state of a private-key block). */
    default Redactor redactor() {
        return Redactor.NONE;
    }

    /** Lines written so far. */
    long lines();
}
