package dev.aegis.afs.core.cloudwatch;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.core.source.EntryCount;
import dev.aegis.afs.core.source.Entries;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.core.source.TimestampMode;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.insights.InsightsCompiler;
import dev.aegis.afs.query.insights.InsightsQuery;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** One CloudWatch stream set: compiles with {@link InsightsCompiler}, fetches in time-split batches. */
final class CloudWatchLogSource implements LogSource<InsightsQuery> {

    private final CloudWatchSettings settings;
    private final InsightsCompiler compiler;
    private final InsightsClient client;
    private final Clock clock;
    private final TimestampMode timestampMode;

    CloudWatchLogSource(CloudWatchSettings settings, InsightsCompiler compiler, InsightsClient client, Clock clock) {
        this(settings, compiler, client, clock, TimestampMode.AUTO);
    }

    CloudWatchLogSource(CloudWatchSettings settings, InsightsCompiler compiler, InsightsClient client, Clock clock,
                        TimestampMode timestampMode) {
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.compiler = Objects.requireNonNull(compiler, "compiler is null");
        this.client = Objects.requireNonNull(client, "client is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.timestampMode = Objects.requireNonNull(timestampMode, "timestampMode is null");
    }

    @Override
    public TimestampMode timestampMode() {
        return timestampMode;
    }

    @Override
    public TimeRange absolute(TimeRange range, Instant now) {
        Instant end = range.to() != null ? range.to() : range.from() != null && range.from().isAfter(now) ? range.from() : now;
        return new TimeRange(range.from() != null ? range.from() : end.minus(settings.lookback()), end);
    }

    @Override
    public Pushdown<InsightsQuery> plan(LogQuery query) {
        return compiler.compile(query);
    }

    @Override
    public ReadStats fetch(Pushdown<InsightsQuery> plan, LineSink sink) throws AfsException {
        return fetch(plan, sink, EntryCount.ALL);
    }

    @Override
    public boolean countsServedEntries() {
        return true;
    }

    @Override
    public ReadStats fetch(Pushdown<InsightsQuery> plan, LineSink sink, EntryCount count) throws AfsException {
        Objects.requireNonNull(count, "count is null");
        Objects.requireNonNull(plan, "plan is null");
        Objects.requireNonNull(sink, "sink is null");
        Instant began = clock.instant();
        InsightsQuery query = plan.query();
        // events carry whole milliseconds, so t >= from is millis >= ceil(from), and t < to is millis < ceil(to)
        Instant end = query.end() != null ? query.end() : began;
        long fromMillis = ceilMillis(query.start() != null ? query.start() : end.minus(query.lookback()));
        long toMillis = ceilMillis(end);
        long limit = query.limit().orElse(Long.MAX_VALUE);
        long want = Math.min(limit, settings.maxEntries());
        boolean capped = limit > settings.maxEntries();
        List<InsightsRow> newestFirst = new ArrayList<>();
        long got = 0;
        long bytes = 0;
        String truncation = null;
        long boundary = Long.MIN_VALUE;
        Set<String> seenAtBoundary = new HashSet<>();

        batches:
        while (fromMillis < toMillis && (got < want || capped)) {
            long rows = Math.min(settings.maxRowsPerQuery(), want - got + (capped ? 1 : 0) + seenAtBoundary.size());
            String queryString = query.queryString(fromMillis, toMillis, rows);
            List<InsightsRow> batch = client.run(query.logGroups(), Math.floorDiv(fromMillis, 1000),
                    Math.floorDiv(toMillis - 1, 1000), queryString);
            int fresh = 0;
            for (InsightsRow row : batch) {
                if (row.millis() == boundary && seenAtBoundary.contains(row.key())) {
                    continue;
                }
                fresh++;
                // an event that does not count (it matched a prefilter only inside a redacted value)
                // passes on, to be dropped by the exact filter, and leaves no other trace
                if (!count.counts(Instant.ofEpochMilli(row.millis()), row.message())) {
                    if (query.newestFirst()) {
                        newestFirst.add(row);
                    } else if (!emit(row, sink)) {
                        break batches;
                    }
                    continue;
                }
                if (got >= want) {
                    if (capped) { // more exist than max_entries lets us read
                        truncation = "cloudwatch " + settings.name() + ": stopped after max_entries=" + settings.maxEntries()
                                + " events; narrow the time range, add a filter, or raise max_entries for backend '"
                                + settings.name() + "' in namespaces.yaml";
                    }
                    break batches;
                }
                got++;
                bytes += row.message().getBytes(StandardCharsets.UTF_8).length;
                if (query.newestFirst()) {
                    newestFirst.add(row);
                } else if (!emit(row, sink)) {
                    break batches;
                }
            }
            if (batch.size() < rows) {
                break; // nothing more in the window
            }
            if (fresh == 0) {
                truncation = "cloudwatch " + settings.name() + ": more than max_rows_per_query=" + settings.maxRowsPerQuery()
                        + " events share one millisecond; narrow the log groups or stream_prefix";
                break;
            }
            long last = batch.get(batch.size() - 1).millis();
            if (last != boundary) {
                boundary = last;
                seenAtBoundary.clear();
            }
            for (InsightsRow r : batch) {
                if (r.millis() == boundary) {
                    seenAtBoundary.add(r.key());
                }
            }
            if (query.newestFirst()) {
                toMillis = boundary + 1;
            } else {
                fromMillis = boundary;
            }
        }
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            if (!emit(newestFirst.get(i), sink)) {
                break;
            }
        }
        return new ReadStats(bytes, got, Duration.between(began, clock.instant()), Optional.ofNullable(truncation));
    }

    private static boolean emit(InsightsRow row, LineSink sink) {
        return Entries.emit(Instant.ofEpochMilli(row.millis()), row.message(), sink);
    }

    private static long ceilMillis(Instant t) {
        long millis = t.toEpochMilli();
        return t.getNano() % 1_000_000 == 0 ? millis : millis + 1;
    }

    @Override
    public Instant lastModified() {
        return Instant.EPOCH;
    }

    @Override
    public String backend() {
        return "cloudwatch:" + settings.name();
    }
}
