package dev.aegis.afs.query.logql;

import dev.aegis.afs.query.pushdown.BackendQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A Loki {@code /loki/api/v1/query_range} request.
 *
 * @param logql     the LogQL log query (selector and line filters)
 * @param start     inclusive start, or null for {@code end - lookback}
 * @param end       exclusive end, or null for now
 * @param lookback  how far back an open start reads
 * @param direction forward (oldest first) or backward (newest first)
 * @param limit     how many entries the plan needs at most; empty when every entry is needed
 */
public record LokiQuery(String logql, Instant start, Instant end, Duration lookback, Direction direction,
                        OptionalLong limit) implements BackendQuery {

    public enum Direction {
        FORWARD, BACKWARD;

        /** The value of Loki's {@code direction} parameter. */
        public String param() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public LokiQuery {
        Objects.requireNonNull(logql, "logql is null");
        Objects.requireNonNull(lookback, "lookback is null");
        Objects.requireNonNull(direction, "direction is null");
        Objects.requireNonNull(limit, "limit is null");
    }

    /** Nanoseconds since the epoch, Loki's time format. */
    public static String nanos(Instant t) {
        return java.math.BigInteger.valueOf(t.getEpochSecond()).multiply(java.math.BigInteger.valueOf(1_000_000_000L))
                .add(java.math.BigInteger.valueOf(t.getNano())).toString();
    }

    /** The request as evidence records it, e.g. {@code query={app="x"} |= "err"&start=...&end=now&direction=backward&limit=50}. */
    @Override
    public String text() {
        StringBuilder out = new StringBuilder("query=").append(logql);
        out.append("&start=").append(start == null ? (end == null ? "now-" : "end-") + describe(lookback) : nanos(start));
        out.append("&end=").append(end == null ? "now" : nanos(end));
        out.append("&direction=").append(direction.param());
        limit.ifPresent(n -> out.append("&limit=").append(n));
        return out.toString();
    }

    private static String describe(Duration d) {
        long s = d.getSeconds();
        if (d.getNano() != 0 || s == 0) {
            return d.toMillis() + "ms";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
