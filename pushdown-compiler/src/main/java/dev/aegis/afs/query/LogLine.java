package dev.aegis.afs.query;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of a log as a backend returns it: its text without the newline, and its timestamp
 * (a continuation line carries the timestamp of the line before; null when none is known).
 */
public record LogLine(Instant time, String text) {

    public LogLine {
        Objects.requireNonNull(text, "text is null");
    }
}
