package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.SnapshotOutput;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.core.tree.evidence.EvidenceFile;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import dev.aegis.afs.query.pushdown.BackendQuery;
import dev.aegis.afs.query.pushdown.Pushdown;
import dev.aegis.afs.query.shell.ToolCommand;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The read a plain tool is served: its plan over the stream's whole lookback (or the last
 * {@code max_pushdown.since}), not the default window. A result over {@code max_pushdown}'s lines
 * or bytes stops the read with {@link OverBound}; the caller then serves the default window.
 */
final class PushedRead implements SnapshotProducer {

    /** The result would pass {@code max_pushdown}: nothing of it is stored. */
    static final class OverBound extends AfsException {
        OverBound(String reason) {
            super(AfsError.TOO_LARGE, reason);
        }
    }

    private final LogStream stream;
    private final ToolCommand tool;
    private final MaxPushdown bound;
    private final Clock clock;

    PushedRead(LogStream stream, ToolCommand tool, MaxPushdown bound, Clock clock) {
        this.stream = Objects.requireNonNull(stream, "stream is null");
        this.tool = Objects.requireNonNull(tool, "tool is null");
        this.bound = Objects.requireNonNull(bound, "bound is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    /** Refuses at once a plan that asks for more lines than the bound (tail -n 10000000). */
    static boolean withinBound(ToolCommand tool, MaxPushdown bound) {
        return tool.plan().stages().stream().noneMatch(s -> s instanceof LineLimit l && l.count() > bound.lines());
    }

    @Override
    public CaptureInfo produce(SnapshotOutput out) throws AfsException {
        LogQuery query = tool.plan();
        if (bound.since().isPresent()) {
            query = query.withRange(new TimeRange(clock.instant().minus(bound.since().get()), null));
        }
        return run(stream.source(), query, out);
    }

    private <Q extends BackendQuery> CaptureInfo run(LogSource<Q> source, LogQuery query, SnapshotOutput out)
            throws AfsException {
        Pushdown<Q> pushdown = source.plan(query);
        Bounded writer = new Bounded(out);
        LineSink sink = LocalEvaluator.pipeline(pushdown.residual(), writer);
        ReadStats stats = source.fetch(pushdown, sink);
        sink.end();
        writer.rethrow();
        Optional<String> truncation = stats.truncation();
        if (bound.since().isPresent()) {
            String since = "a plain " + tool.tool() + " reads the last " + bound.since().get().toString().substring(2)
                    .toLowerCase() + " of " + stream.name() + " (max_pushdown.since); older lines were not read";
            truncation = Optional.of(truncation.map(t -> t + "; " + since).orElse(since));
        }
        String residual = pushdown.residual().isIdentity() && pushdown.residual().range().isAll()
                ? "" : " | local: " + pushdown.residual();
        return new CaptureInfo(source.backend(), pushdown.query().text() + residual, truncation, stats,
                Map.of(EvidenceFile.PUSHDOWN_STAT, tool.command()));
    }

    /** Writes lines through and stops the read once it passes the bound. */
    private final class Bounded implements LineSink {
        private final SnapshotOutput out;
        private long lines;
        private long bytes;
        private AfsException failure;

        Bounded(SnapshotOutput out) {
            this.out = out;
        }

        @Override
        public boolean accept(LogLine line) {
            if (failure != null) {
                return false;
            }
            lines++;
            bytes += line.text().getBytes(StandardCharsets.UTF_8).length + 1L;
            if (lines > bound.lines() || bytes > bound.bytes()) {
                failure = new OverBound("a plain " + tool.tool() + " on " + stream.name() + " would read more than"
                        + " max_pushdown (" + bound + ")");
                return false;
            }
            try {
                out.line(line.text());
                return true;
            } catch (AfsException e) {
                failure = e;
                return false;
            }
        }

        @Override
        public void end() {
        }

        void rethrow() throws AfsException {
            if (failure != null) {
                throw failure;
            }
        }
    }
}
