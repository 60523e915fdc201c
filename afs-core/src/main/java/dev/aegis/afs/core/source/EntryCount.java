package dev.aegis.afs.core.source;

import java.time.Instant;

/**
 * Which raw entries a backend counts toward {@code max_entries}, its truncation and
 * {@code user.afs.stats.entries}. With redaction and a raw prefilter pushed (see
 * {@code RawPushdown}), only entries whose served text passes the prefilter count: an entry that
 * matched only inside a redacted value must leave no trace a reader can see.
 */
@FunctionalInterface
public interface EntryCount {

    /** Every entry counts: no prefilter, or no redaction. */
    EntryCount ALL = (time, text) -> true;

    /**
     * Whether the entry counts. Called once per entry the backend returns, in the order returned
     * (an implementation may keep state across entries, e.g. a redactor inside a private key).
     */
    boolean counts(Instant time, String text);
}
