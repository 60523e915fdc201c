package dev.aegis.afs.query.traces;

import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@link TraceQuery} as a Zipkin search plus the residual the core applies to the listing.
 *
 * <p>Pushed, because Zipkin's own search means the same: the service ({@code serviceName}), a
 * span name ({@code spanName}), an error ({@code annotationQuery=error}: Zipkin marks a failed
 * span with the {@code error} tag), durations ({@code minDuration}/{@code maxDuration}, in
 * microseconds), the window ({@code endTs} and {@code lookback} in milliseconds) and the newest
 * N ({@code limit}: Zipkin returns the newest traces first). A limit is pushed only when no grep
 * precedes it: the grep terms see the listing's line, which Zipkin never sees, so with a grep
 * Zipkin is asked for up to {@code maxTraces} and the grep and tail run locally.
 */
public final class ZipkinSearchCompiler {

    private final long defaultLimit;
    private final long maxTraces;

    /**
     * @param defaultLimit traces listed when no tail= is given (flagged when reached)
     * @param maxTraces    the most traces asked for when a grep must run locally first
     */
    public ZipkinSearchCompiler(long defaultLimit, long maxTraces) {
        if (defaultLimit < 1 || maxTraces < defaultLimit) {
            throw new IllegalArgumentException("need 1 <= defaultLimit <= maxTraces, were " + defaultLimit + ", " + maxTraces);
        }
        this.defaultLimit = defaultLimit;
        this.maxTraces = maxTraces;
    }

    public Pushdown<ZipkinSearch> compile(TraceQuery q) {
        long end = q.to().toEpochMilli();
        long lookback = Math.max(0, end - q.from().toEpochMilli());
        boolean local = !q.filters().isEmpty();
        long limit;
        boolean capped;
        if (local) {
            limit = maxTraces;
            capped = true;
        } else if (q.tail().isPresent()) {
            limit = Math.max(1, Math.min(q.tail().getAsLong(), maxTraces));
            capped = q.tail().getAsLong() > maxTraces;
        } else {
            limit = defaultLimit;
            capped = true;
        }
        ZipkinSearch search = new ZipkinSearch(q.service(), q.spanName(), q.errorsOnly() ? Optional.of("error") : Optional.empty(),
                micros(q.minDuration()), micros(q.maxDuration()), end, lookback, limit, capped);
        List<Stage> residual = new ArrayList<>(q.filters());
        if (local && q.tail().isPresent()) {
            residual.add(LineLimit.newest(q.tail().getAsLong()));
        } else if (!local && q.tail().isPresent() && q.tail().getAsLong() == 0) {
            residual.add(LineLimit.newest(0)); // Zipkin's limit is at least 1
        }
        return new Pushdown<>(search, new LogQuery(TimeRange.ALL, residual));
    }

    private static OptionalLong micros(Optional<Duration> d) {
        return d.map(x -> OptionalLong.of(x.toNanos() / 1000)).orElse(OptionalLong.empty());
    }
}
