package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.SnapshotOutput;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import dev.aegis.afs.core.redact.RedactingSink;
import dev.aegis.afs.core.redact.Redactor;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.core.source.TimestampMode;
import dev.aegis.afs.query.GrepOutput;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimePrefix;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.local.GrepSelection;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import dev.aegis.afs.query.pushdown.BackendQuery;
import dev.aegis.afs.query.pushdown.Pushdown;
import dev.aegis.afs.query.pushdown.RawPushdown;
import dev.aegis.afs.query.pushdown.RedactionMarkers;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One read of a log stream: apply the default window, fix the time bounds, let the backend push
 * down what it can, shape each line as served (its time in front, see {@link TimestampMode}),
 * apply the residual locally to the served line, and write the result. A cut by the default
 * window is detected by asking for one line more than the window and is always reported as a
 * truncation.
 */
final class LogRead implements SnapshotProducer {

    /** How many of a stream's first lines {@code timestamp: auto} looks at. */
    private static final int AUTO_PROBE_LINES = 5;

    private final LogStream stream;
    private final Supplier<LogQuery> plan;
    private final LineShape shape;
    private final Clock clock;

    LogRead(LogStream stream, Supplier<LogQuery> plan, LineShape shape, Clock clock) {
        this.stream = stream;
        this.plan = plan;
        this.shape = shape;
        this.clock = clock;
    }

    @Override
    public CaptureInfo produce(SnapshotOutput out) throws AfsException {
        LogQuery query = plan.get();
        Window window = stream.window();
        Instant now = clock.instant();
        if (query.range().isAll() && window.since().isPresent()) {
            query = query.withRange(new TimeRange(now.minus(window.since().get()), null));
        }
        // The bounds actually sent, in the evidence: a replay of the recorded query reads the same lines.
        query = query.withRange(stream.source().absolute(query.range(), now));
        long cap = !query.hasLimit() && window.lines() > 0 ? window.lines() : 0;
        if (cap > 0) {
            List<Stage> stages = new ArrayList<>(query.stages());
            stages.add(LineLimit.newest(cap + 1));
            query = query.withStages(stages);
        }
        return run(stream.source(), query, cap, out);
    }

    /**
     * Filters are decided on the line as served: the lines a backend returns are redacted first,
     * then the exact local filter runs (see {@link RawPushdown}). A source that can decide
     * filters on served text itself (the file scanner) gets the whole plan; any other gets only
     * what {@link RawPushdown} allows on raw data (the range, leading limits, and literal
     * prefilters that select a superset of the served result, its entries counted on served text
     * by {@link ServedEntryCount}), and the core applies the whole plan after.
     */
    private <Q extends BackendQuery> CaptureInfo run(LogSource<Q> source, LogQuery query, long cap,
                                                     SnapshotOutput out) throws AfsException {
        TimestampMode mode = shape.raw() ? TimestampMode.NONE : timestampMode(source);
        boolean labels = shape.labels() && source.hasLabels();
        Redactor redactor = out.redactor();
        Pushdown<Q> pushdown;
        LogQuery local;
        ServedEntryCount counted = null;
        if (redactor.isEmpty()) {
            // Filters see the served line; the backend sees the bare one. Offer it only the filters
            // that cannot tell the two apart (with labels in the line, none), the rest run here.
            // Undecided (auto), plan as if prefixed: what that pushes is exact either way.
            TimePrefix.Split split = labels ? TimePrefix.split(query, f -> false)
                    : mode != TimestampMode.NONE ? TimePrefix.split(query) : new TimePrefix.Split(query, List.of());
            pushdown = source.plan(split.backend());
            List<Stage> localStages = new ArrayList<>(pushdown.residual().stages());
            localStages.addAll(split.local());
            local = new LogQuery(pushdown.residual().range(), localStages);
        } else {
            // A source whose lines are served as read may decide filters on the redacted text
            // itself; any other gets only what RawPushdown allows on raw data, and the whole plan
            // runs here after redaction.
            Optional<Pushdown<Q>> served = mode == TimestampMode.NONE && !labels
                    ? source.planOnServedText(query, redactor.forRead()::redact) : Optional.empty();
            if (served.isPresent()) {
                pushdown = served.get();
                local = pushdown.residual();
            } else {
                // Raw prefilters only for a source that can count entries on served text, never
                // with labels in the line, and under a time prefix only those the prefix cannot affect.
                RedactionMarkers markers = source.countsServedEntries() && !labels ? redactor.markers() : null;
                RawPushdown.RawPlan raw = RawPushdown.forRawBackend(query, markers,
                        mode == TimestampMode.NONE ? f -> true : TimePrefix::sameOnBareLine);
                pushdown = source.plan(raw.query());
                local = new LogQuery(pushdown.residual().range(), query.stages());
                if (!raw.prefilters().isEmpty()) {
                    counted = new ServedEntryCount(redactor.forRead(), raw.prefilters());
                }
            }
        }
        Writer writer = new Writer(out, cap);
        GrepSelection selection = new GrepSelection();
        LineSink sink = new Served(mode, labels, stream.detected(),
                new RedactingSink(redactor, LocalEvaluator.pipeline(local, writer, selection)));
        ReadStats stats;
        if (counted == null) {
            stats = source.fetch(pushdown, sink);
        } else {
            stats = source.fetch(pushdown, sink, counted);
            stats = new ReadStats(counted.servedBytes(), stats.entries(), stats.took(), stats.truncation());
        }
        sink.end();
        writer.rethrow();
        Optional<String> truncation = stats.truncation();
        if (writer.cut) {
            String cut = "default window of " + stream.name() + " (" + stream.window() + ") cut older lines;"
                    + " widen with ?tail=N, ?head=N, ?since= or ?from=, or set window: in namespaces.yaml";
            truncation = Optional.of(truncation.map(t -> t + "; " + cut).orElse(cut));
        }
        String residual = local.isIdentity() && local.range().isAll() ? "" : " | local: " + local;
        // a grep's exit status (afs sh, afs grep) when it prints nothing that shows it (-q, -L, -o)
        Map<String, String> extra = local.stages().stream().anyMatch(s -> s instanceof GrepOutput)
                ? Map.of(LogsDir.GREP_SELECTED_STAT, Long.toString(selection.selected())) : Map.of();
        return new CaptureInfo(source.backend(), pushdown.query().text() + residual, truncation, stats, extra);
    }

    /** The stream's mode; {@code auto} once decided is what was decided, before that still auto. */
    private TimestampMode timestampMode(LogSource<?> source) {
        TimestampMode mode = source.timestampMode();
        if (mode != TimestampMode.AUTO) {
            return mode;
        }
        TimestampMode decided = stream.detected().get();
        return decided != null ? decided : TimestampMode.AUTO;
    }

    /**
     * Shapes each line as served: {@code <time> [<labels>] <text>}. Undecided ({@code auto}), it
     * holds back the stream's first lines, decides once from them for the whole stream (kept in
     * {@code decided}), and then serves every line of the read the same way.
     */
    private static final class Served implements LineSink {
        private final boolean labels;
        private final AtomicReference<TimestampMode> decided;
        private final LineSink next;
        private final List<LogLine> heldLines = new ArrayList<>();
        private final List<String> heldLabels = new ArrayList<>();
        private TimestampMode mode;
        private boolean stopped;

        Served(TimestampMode mode, boolean labels, AtomicReference<TimestampMode> decided, LineSink next) {
            this.mode = mode;
            this.labels = labels;
            this.decided = decided;
            this.next = next;
        }

        @Override
        public boolean accept(LogLine line) {
            return accept(line, null);
        }

        @Override
        public boolean accept(LogLine line, String streamLabels) {
            if (mode == TimestampMode.AUTO) {
                heldLines.add(line);
                heldLabels.add(streamLabels);
                if (heldLines.size() >= AUTO_PROBE_LINES) {
                    decide();
                }
                return !stopped;
            }
            return pass(line, streamLabels);
        }

        private void decide() {
            decided.compareAndSet(null, TimestampMode.detect(heldLines.stream().map(LogLine::text).toList()));
            mode = decided.get();
            for (int i = 0; i < heldLines.size() && !stopped; i++) {
                stopped = !pass(heldLines.get(i), heldLabels.get(i));
            }
            heldLines.clear();
            heldLabels.clear();
        }

        private boolean pass(LogLine line, String streamLabels) {
            boolean prefix = mode == TimestampMode.PREFIX;
            if (!prefix && (!labels || streamLabels == null)) {
                return next.accept(line);
            }
            StringBuilder text = new StringBuilder(line.text().length() + 64);
            if (prefix && line.time() != null) {
                text.append(TimePrefix.format(line.time())).append(' ');
            }
            if (labels && streamLabels != null) {
                text.append(streamLabels).append(' ');
            }
            return next.accept(new LogLine(line.time(), text.append(line.text()).toString()));
        }

        @Override
        public void end() {
            if (mode == TimestampMode.AUTO && !heldLines.isEmpty()) {
                decide(); // fewer lines than the probe wants: decide from those
            }
            next.end();
        }
    }

    /** Writes lines through; with a cap, holds them back to drop the one extra line. */
    private static final class Writer implements LineSink {
        private final SnapshotOutput out;
        private final long cap;
        private final ArrayDeque<String> held = new ArrayDeque<>();
        private AfsException failure;
        boolean cut;

        Writer(SnapshotOutput out, long cap) {
            this.out = out;
            this.cap = cap;
        }

        @Override
        public boolean accept(LogLine line) {
            if (failure != null) {
                return false;
            }
            if (cap > 0) {
                held.addLast(line.text());
                return true;
            }
            return write(line.text());
        }

        @Override
        public void end() {
            if (cap > 0) {
                if (held.size() > cap) {
                    held.removeFirst();
                    cut = true;
                }
                for (String text : held) {
                    if (!write(text)) {
                        break;
                    }
                }
                held.clear();
            }
        }

        private boolean write(String text) {
            try {
                out.servedLine(text);
                return true;
            } catch (AfsException e) {
                failure = e;
                return false;
            }
        }

        void rethrow() throws AfsException {
            if (failure != null) {
                throw failure;
            }
        }
    }
}
