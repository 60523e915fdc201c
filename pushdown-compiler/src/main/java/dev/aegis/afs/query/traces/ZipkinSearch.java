package dev.aegis.afs.query.traces;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One {@code GET /api/v2/traces} of Zipkin's API v2. {@link #text()} is the path and query exactly
 * as sent (parameters in a fixed order, percent-encoded), so evidence names the very call.
 *
 * @param minDurationMicros {@code minDuration}: microseconds, as Zipkin counts
 * @param endTsMillis       {@code endTs}: epoch milliseconds; always sent (never "now")
 * @param lookbackMillis    {@code lookback}: milliseconds before endTs
 * @param limit             {@code limit}: how many traces Zipkin returns at most (the newest)
 * @param capped            true when {@code limit} is a safety cap rather than the reader's {@code tail}:
 *                          a result of exactly {@code limit} traces may then be cut
 */
public record ZipkinSearch(String serviceName, Optional<String> spanName, Optional<String> annotationQuery,
                           OptionalLong minDurationMicros, OptionalLong maxDurationMicros, long endTsMillis,
                           long lookbackMillis, long limit, boolean capped) implements TraceSearch {

    public ZipkinSearch {
        Objects.requireNonNull(serviceName, "serviceName is null");
        Objects.requireNonNull(spanName, "spanName is null");
        Objects.requireNonNull(annotationQuery, "annotationQuery is null");
        Objects.requireNonNull(minDurationMicros, "minDurationMicros is null");
        Objects.requireNonNull(maxDurationMicros, "maxDurationMicros is null");
        if (lookbackMillis < 0 || limit < 1) {
            throw new IllegalArgumentException("lookback must be >= 0 and limit >= 1, were " + lookbackMillis + ", " + limit);
        }
    }

    /** The query string, e.g. {@code serviceName=api&annotationQuery=error&endTs=...&lookback=...&limit=20}. */
    public String query() {
        StringBuilder out = new StringBuilder("serviceName=").append(encode(serviceName));
        spanName.ifPresent(s -> out.append("&spanName=").append(encode(s)));
        annotationQuery.ifPresent(a -> out.append("&annotationQuery=").append(encode(a)));
        minDurationMicros.ifPresent(d -> out.append("&minDuration=").append(d));
        maxDurationMicros.ifPresent(d -> out.append("&maxDuration=").append(d));
        out.append("&endTs=").append(endTsMillis).append("&lookback=").append(lookbackMillis).append("&limit=").append(limit);
        return out.toString();
    }

    @Override
    public String text() {
        return "/api/v2/traces?" + query();
    }

    /** Percent-encoding of a query value, with a space as {@code %20} (not a form's {@code +}). */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
