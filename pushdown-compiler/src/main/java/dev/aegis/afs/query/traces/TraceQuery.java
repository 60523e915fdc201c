package dev.aegis.afs.query.traces;

import dev.aegis.afs.query.LineFilter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One search for a service's traces, every relative time already resolved.
 *
 * @param service      the service whose traces are listed (Zipkin's {@code serviceName})
 * @param spanName     only traces with a span of this name
 * @param minDuration  only traces with a span of the service lasting at least this long
 * @param maxDuration  ... at most this long
 * @param errorsOnly   only traces with a span marked as an error
 * @param from         start of the window (inclusive)
 * @param to           end of the window (exclusive)
 * @param tail         the newest N traces; empty: the backend's default limit, flagged when reached
 * @param filters      grep terms on the listing's lines, in the order written (always local)
 * @param defaultWindow true when no since=/from=/to= was given
 */
public record TraceQuery(String service, Optional<String> spanName, Optional<Duration> minDuration,
                         Optional<Duration> maxDuration, boolean errorsOnly, Instant from, Instant to,
                         OptionalLong tail, List<LineFilter> filters, boolean defaultWindow) {

    public TraceQuery {
        Objects.requireNonNull(service, "service is null");
        Objects.requireNonNull(spanName, "spanName is null");
        Objects.requireNonNull(minDuration, "minDuration is null");
        Objects.requireNonNull(maxDuration, "maxDuration is null");
        Objects.requireNonNull(from, "from is null");
        Objects.requireNonNull(to, "to is null");
        Objects.requireNonNull(tail, "tail is null");
        filters = List.copyOf(Objects.requireNonNull(filters, "filters is null"));
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("the window ends (" + to + ") before it starts (" + from + ")");
        }
    }
}
