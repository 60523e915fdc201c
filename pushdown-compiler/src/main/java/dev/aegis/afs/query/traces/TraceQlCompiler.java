package dev.aegis.afs.query.traces;

import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link TraceQuery} as a Tempo TraceQL search, e.g.
 * {@code { resource.service.name = "api" && status = error && duration >= 500ms }}, plus the
 * residual. Every condition sits in one spanset, so one span must satisfy them all, as Zipkin's
 * service-scoped duration and error filters do. The window is rounded outward to whole seconds
 * (Tempo's precision), a superset; the limit follows the same rule as Zipkin's.
 */
public final class TraceQlCompiler {

    private final long defaultLimit;
    private final long maxTraces;

    public TraceQlCompiler(long defaultLimit, long maxTraces) {
        if (defaultLimit < 1 || maxTraces < defaultLimit) {
            throw new IllegalArgumentException("need 1 <= defaultLimit <= maxTraces, were " + defaultLimit + ", " + maxTraces);
        }
        this.defaultLimit = defaultLimit;
        this.maxTraces = maxTraces;
    }

    public Pushdown<TraceQlSearch> compile(TraceQuery q) {
        List<String> conditions = new ArrayList<>();
        conditions.add("resource.service.name = " + quote(q.service()));
        q.spanName().ifPresent(s -> conditions.add("name = " + quote(s)));
        if (q.errorsOnly()) {
            conditions.add("status = error");
        }
        q.minDuration().ifPresent(d -> conditions.add("duration >= " + duration(d)));
        q.maxDuration().ifPresent(d -> conditions.add("duration <= " + duration(d)));
        String traceQl = "{ " + String.join(" && ", conditions) + " }";
        long start = Math.floorDiv(q.from().toEpochMilli(), 1000);
        long end = Math.floorDiv(q.to().toEpochMilli() + 999, 1000);
        boolean local = !q.filters().isEmpty();
        long limit = local ? maxTraces : q.tail().isPresent() ? Math.max(1, Math.min(q.tail().getAsLong(), maxTraces)) : defaultLimit;
        boolean capped = local || q.tail().isEmpty() || q.tail().getAsLong() > maxTraces;
        List<Stage> residual = new ArrayList<>(q.filters());
        if (q.tail().isPresent() && (local || q.tail().getAsLong() == 0)) {
            residual.add(LineLimit.newest(q.tail().getAsLong()));
        }
        return new Pushdown<>(new TraceQlSearch(traceQl, start, end, limit, capped), new LogQuery(TimeRange.ALL, residual));
    }

    /** A TraceQL string literal: double quotes, with backslash and quote escaped. */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A TraceQL duration: whole milliseconds, or microseconds when finer. */
    static String duration(Duration d) {
        long nanos = d.toNanos();
        return nanos % 1_000_000 == 0 ? nanos / 1_000_000 + "ms" : nanos / 1000 + "us";
    }
}
