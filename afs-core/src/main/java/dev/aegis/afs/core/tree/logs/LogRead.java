package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.SnapshotOutput;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.query.GrepOutput;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.local.GrepSelection;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import dev.aegis.afs.query.pushdown.BackendQuery;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One read of a log stream: apply the default window, let the backend push down what it can,
 * apply the residual locally, and write the result. A cut by the default window is detected by
 * asking for one line more than the window and is always reported as a truncation.
 */
final class LogRead implements SnapshotProducer {

    private final LogStream stream;
    private final Supplier<LogQuery> plan;
    private final Clock clock;

    LogRead(LogStream stream, Supplier<LogQuery> plan, Clock clock) {
        this.stream = stream;
        this.plan = plan;
        this.clock = clock;
    }

    @Override
    public CaptureInfo produce(SnapshotOutput out) throws AfsException {
        LogQuery query = plan.get();
        Window window = stream.window();
        if (query.range().isAll() && window.since().isPresent()) {
            query = query.withRange(new TimeRange(clock.instant().minus(window.since().get()), null));
        }
        long cap = !query.hasLimit() && window.lines() > 0 ? window.lines() : 0;
        if (cap > 0) {
            List<Stage> stages = new ArrayList<>(query.stages());
            stages.add(LineLimit.newest(cap + 1));
            query = query.withStages(stages);
        }
        return run(stream.source(), query, cap, out);
    }

    private <Q extends BackendQuery> CaptureInfo run(LogSource<Q> source, LogQuery query, long cap,
                                                     SnapshotOutput out) throws AfsException {
        Pushdown<Q> pushdown = source.plan(query);
        Writer writer = new Writer(out, cap);
        GrepSelection selection = new GrepSelection();
        LineSink sink = LocalEvaluator.pipeline(pushdown.residual(), writer, selection);
        ReadStats stats = source.fetch(pushdown, sink);
        sink.end();
        writer.rethrow();
        Optional<String> truncation = stats.truncation();
        if (writer.cut) {
            String cut = "default window of " + stream.name() + " (" + stream.window() + ") cut older lines;"
                    + " widen with ?tail=N, ?head=N, ?since= or ?from=, or set window: in namespaces.yaml";
            truncation = Optional.of(truncation.map(t -> t + "; " + cut).orElse(cut));
        }
        String residual = pushdown.residual().isIdentity() && pushdown.residual().range().isAll()
                ? "" : " | local: " + pushdown.residual();
        // a grep's exit status (afs sh, afs grep) when it prints nothing that shows it (-q, -L, -o)
        Map<String, String> extra = pushdown.residual().stages().stream().anyMatch(s -> s instanceof GrepOutput)
                ? Map.of(LogsDir.GREP_SELECTED_STAT, Long.toString(selection.selected())) : Map.of();
        return new CaptureInfo(source.backend(), pushdown.query().text() + residual, truncation, stats, extra);
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
                out.line(text);
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
