package dev.aegis.afs.query;

import java.time.Instant;
import java.util.Optional;

/**
 * A window of time: {@code from} inclusive, {@code to} exclusive; either end may be open (null).
 * Relative forms such as {@code since=15m} are resolved against an injected clock when compiled.
 */
public record TimeRange(Instant from, Instant to) {

    public static final TimeRange ALL = new TimeRange(null, null);

    public TimeRange {
        if (from != null && to != null && to.isBefore(from)) {
            throw new IllegalArgumentException("time range ends (" + to + ") before it starts (" + from + ")");
        }
    }

    public Optional<Instant> start() {
        return Optional.ofNullable(from);
    }

    public Optional<Instant> end() {
        return Optional.ofNullable(to);
    }

    public boolean isAll() {
        return from == null && to == null;
    }

    public boolean contains(Instant t) {
        return (from == null || !t.isBefore(from)) && (to == null || t.isBefore(to));
    }

    @Override
    public String toString() {
        return "time [" + (from == null ? "-inf" : from) + ", " + (to == null ? "now" : to) + ")";
    }
}
