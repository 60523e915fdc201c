package dev.aegis.afs.core.source;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.pushdown.BackendQuery;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Follows a source that cannot follow natively (CloudWatch; Loki when its tail endpoint is
 * refused) by polling with a time cursor: each poll asks for the oldest lines from the newest time seen, and skips the
 * lines at exactly that time it already passed. Lines without a time cannot be placed and are
 * passed as they come; lines a backend ingests late, stamped before the cursor, are missed.
 */
public final class TimeCursor implements LineCursor {

    private final LogSource<?> source;
    private Instant cursor;
    /** Lines already passed whose time equals {@link #cursor}. */
    private long seenAtCursor;

    public TimeCursor(LogSource<?> source, Clock clock) {
        this(source, clock.instant(), 0);
    }

    /**
     * A cursor that goes on from {@code from}, where {@code seenAtFrom} lines stamped exactly
     * {@code from} were already passed (a native follow that broke hands over here).
     */
    public TimeCursor(LogSource<?> source, Instant from, long seenAtFrom) {
        this.source = Objects.requireNonNull(source, "source is null");
        this.cursor = Objects.requireNonNull(from, "from is null");
        if (seenAtFrom < 0) {
            throw new IllegalArgumentException("seenAtFrom is negative: " + seenAtFrom);
        }
        this.seenAtCursor = seenAtFrom;
    }

    @Override
    public long poll(LineSink sink, long maxLines) throws AfsException {
        LogQuery query = new LogQuery(new TimeRange(cursor, null), List.of(LineLimit.oldest(maxLines + seenAtCursor)));
        return run(source, query, sink);
    }

    private <Q extends BackendQuery> long run(LogSource<Q> s, LogQuery query, LineSink sink) throws AfsException {
        Pushdown<Q> plan = s.plan(query);
        long[] passed = {0};
        long[] skip = {seenAtCursor};
        LineSink counting = new LineSink() {
            @Override
            public boolean accept(LogLine line) {
                return accept(line, null);
            }

            @Override
            public boolean accept(LogLine line, String labels) {
                if (line.time() != null && line.time().equals(cursor) && skip[0] > 0) {
                    skip[0]--;
                    return true;
                }
                if (line.time() != null) {
                    if (line.time().equals(cursor)) {
                        seenAtCursor++;
                    } else if (line.time().isAfter(cursor)) {
                        cursor = line.time();
                        seenAtCursor = 1;
                    }
                }
                passed[0]++;
                return sink.accept(line, labels);
            }

            @Override
            public void end() {
            }
        };
        LineSink pipeline = dev.aegis.afs.query.local.LocalEvaluator.pipeline(plan.residual(), counting);
        s.fetch(plan, pipeline);
        pipeline.end();
        return passed[0];
    }
}
