package dev.aegis.afs.core.loki;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.source.FollowableSource;
import dev.aegis.afs.core.source.LineCursor;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.core.source.Entries;
import dev.aegis.afs.core.source.EntryCount;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.core.source.TimestampMode;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.logql.LogQlCompiler;
import dev.aegis.afs.query.logql.LokiQuery;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One Loki stream: compiles with {@link LogQlCompiler}, fetches in time-split batches, follows
 * through Loki's tail endpoint ({@link LokiTail}).
 */
final class LokiLogSource implements LogSource<LokiQuery>, FollowableSource {

    private final LokiSettings settings;
    private final LogQlCompiler compiler;
    private final LokiClient client;
    private final Clock clock;
    private final TimestampMode timestampMode;

    LokiLogSource(LokiSettings settings, LogQlCompiler compiler, LokiClient client, Clock clock) {
        this(settings, compiler, client, clock, TimestampMode.AUTO);
    }

    LokiLogSource(LokiSettings settings, LogQlCompiler compiler, LokiClient client, Clock clock,
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
    public boolean hasLabels() {
        return true;
    }

    @Override
    public TimeRange absolute(TimeRange range, Instant now) {
        Instant end = range.to() != null ? range.to() : range.from() != null && range.from().isAfter(now) ? range.from() : now;
        return new TimeRange(range.from() != null ? range.from() : end.minus(settings.lookback()), end);
    }

    @Override
    public Pushdown<LokiQuery> plan(LogQuery query) {
        return compiler.compile(query);
    }

    @Override
    public ReadStats fetch(Pushdown<LokiQuery> plan, LineSink sink) throws AfsException {
        return fetch(plan, sink, EntryCount.ALL);
    }

    @Override
    public boolean countsServedEntries() {
        return true;
    }

    @Override
    public ReadStats fetch(Pushdown<LokiQuery> plan, LineSink sink, EntryCount count) throws AfsException {
        Objects.requireNonNull(count, "count is null");
        Objects.requireNonNull(plan, "plan is null");
        Objects.requireNonNull(sink, "sink is null");
        Instant began = clock.instant();
        LokiQuery query = plan.query();
        Instant end = query.end() != null ? query.end() : began;
        long endNanos = nanos(end);
        long startNanos = nanos(query.start() != null ? query.start() : end.minus(query.lookback()));
        long limit = query.limit().orElse(Long.MAX_VALUE);
        long want = Math.min(limit, settings.maxEntries());
        boolean capped = limit > settings.maxEntries(); // so we must find out whether more entries exist
        boolean backward = query.direction() == LokiQuery.Direction.BACKWARD;
        List<LokiEntry> newestFirst = new ArrayList<>();
        long got = 0;
        long bytes = 0;
        String truncation = null;
        long boundary = Long.MIN_VALUE;
        Set<String> seenAtBoundary = new HashSet<>();

        batches:
        while (startNanos < endNanos && (got < want || capped)) {
            long ask = Math.min(settings.maxEntriesPerQuery(), want - got + (capped ? 1 : 0) + seenAtBoundary.size());
            LokiClient.Batch batch = client.queryRange(query.logql(), startNanos, endNanos, ask, query.direction());
            bytes += batch.bytes();
            final long b = boundary;
            List<LokiEntry> fresh = batch.entries().stream()
                    .filter(e -> e.nanos() != b || !seenAtBoundary.contains(e.key()))
                    .toList();
            for (LokiEntry entry : fresh) {
                // an entry that does not count (it matched a prefilter only inside a redacted value)
                // passes on, to be dropped by the exact filter, and leaves no other trace
                if (!count.counts(instant(entry.nanos()), entry.line())) {
                    if (backward) {
                        newestFirst.add(entry);
                    } else if (!emit(entry, sink)) {
                        break batches;
                    }
                    continue;
                }
                if (got >= want) {
                    if (capped) { // more exist than max_entries lets us read
                        truncation = "loki " + settings.name() + ": stopped after max_entries=" + settings.maxEntries()
                                + " entries; narrow the time range, add a filter, or raise max_entries for backend '"
                                + settings.name() + "' in namespaces.yaml";
                    }
                    break batches;
                }
                got++;
                if (backward) {
                    newestFirst.add(entry);
                } else if (!emit(entry, sink)) {
                    break batches;
                }
            }
            if (batch.entries().size() < ask) {
                break; // Loki has nothing more in the window
            }
            if (fresh.isEmpty()) {
                truncation = "loki " + settings.name() + ": more than max_entries_per_query="
                        + settings.maxEntriesPerQuery() + " entries share one timestamp; raise max_entries_per_query"
                        + " for backend '" + settings.name() + "' (and Loki's max_entries_limit_per_query)";
                break;
            }
            // Next batch: from the last timestamp seen (inclusive), skipping what was already read there.
            long last = batch.entries().get(batch.entries().size() - 1).nanos();
            if (last != boundary) {
                boundary = last;
                seenAtBoundary.clear();
            }
            for (LokiEntry e : batch.entries()) {
                if (e.nanos() == boundary) {
                    seenAtBoundary.add(e.key());
                }
            }
            if (backward) {
                endNanos = boundary + 1;
            } else {
                startNanos = boundary;
            }
        }
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            if (!emit(newestFirst.get(i), sink)) {
                break;
            }
        }
        Duration took = Duration.between(began, clock.instant());
        return new ReadStats(bytes, got, took, Optional.ofNullable(truncation));
    }

    private static boolean emit(LokiEntry entry, LineSink sink) {
        return Entries.emit(instant(entry.nanos()), entry.stream(), entry.line(), sink);
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    private static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    /**
     * Tails the stream's selector alone from now: one upstream tail serves every follower of the
     * stream, and each applies its own filters to the served line.
     */
    @Override
    public LineCursor follow() {
        return follow(LokiTail.MIN_TAIL);
    }

    LineCursor follow(Duration minTail) {
        return new LokiTail(client, compiler.compile(LogQuery.ALL).query().logql(), this, clock.instant(), minTail);
    }

    @Override
    public boolean local() {
        return false;
    }

    @Override
    public Instant lastModified() {
        return Instant.EPOCH;
    }

    @Override
    public String backend() {
        return "loki:" + settings.name();
    }
}
