package dev.aegis.afs.query.local;

import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.GrepOutput;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimeRange;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Applies a plan (usually a backend's residual) to lines, streaming, on memory bounded by the
 * largest tail. This is the reference semantics every backend's pushdown must agree with.
 */
public final class LocalEvaluator {

    private LocalEvaluator() {
    }

    /** A sink that applies {@code query} and passes the surviving lines to {@code out}. */
    public static LineSink pipeline(LogQuery query, LineSink out) {
        return pipeline(query, out, null);
    }

    /**
     * As {@link #pipeline(LogQuery, LineSink)}; {@code selection} (may be null) learns how many
     * lines the plan's last {@link GrepOutput} selected.
     */
    public static LineSink pipeline(LogQuery query, LineSink out, GrepSelection selection) {
        LineSink sink = out;
        List<Stage> stages = query.stages();
        int lastGrep = -1;
        for (int i = 0; i < stages.size(); i++) {
            lastGrep = stages.get(i) instanceof GrepOutput ? i : lastGrep;
        }
        for (int i = stages.size() - 1; i >= 0; i--) {
            sink = stages.get(i) instanceof GrepOutput g
                    ? new GrepPrinter(g, sink, i == lastGrep ? selection : null)
                    : stageSink(stages.get(i), sink);
        }
        return query.range().isAll() ? sink : new InRange(query.range(), sink);
    }

    private static LineSink stageSink(Stage stage, LineSink next) {
        if (stage instanceof LineFilter f) {
            return new Filter(LineMatcher.of(f), next);
        }
        if (stage instanceof LineLimit l) {
            return l.end() == LineLimit.End.NEWEST ? new Newest(l.count(), next) : new Oldest(l.count(), next);
        }
        if (stage instanceof CountLines) {
            return new Count(next);
        }
        throw new IllegalArgumentException("unknown stage " + stage);
    }

    /** Drops lines outside the range; a line with no known time is dropped when a range is set. */
    private record InRange(TimeRange range, LineSink next) implements LineSink {
        @Override
        public boolean accept(LogLine line) {
            if (line.time() != null && range.end().isPresent() && !line.time().isBefore(range.to())) {
                return false; // lines are in time order: nothing later can be in range (the caller ends us)
            }
            if (line.time() == null || !range.contains(line.time())) {
                return true;
            }
            return next.accept(line);
        }

        @Override
        public void end() {
            next.end();
        }
    }

    private record Filter(LineMatcher matcher, LineSink next) implements LineSink {
        @Override
        public boolean accept(LogLine line) {
            ReadDeadline.check();
            return !matcher.keeps(line.text()) || next.accept(line);
        }

        @Override
        public void end() {
            next.end();
        }
    }

    private static final class Newest implements LineSink {
        private final long count;
        private final LineSink next;
        private final ArrayDeque<LogLine> held = new ArrayDeque<>();
        private boolean ended;

        Newest(long count, LineSink next) {
            this.count = count;
            this.next = next;
        }

        @Override
        public boolean accept(LogLine line) {
            if (count == 0) {
                return true;
            }
            if (held.size() == count) {
                held.removeFirst();
            }
            held.addLast(line);
            return true;
        }

        @Override
        public void end() {
            if (ended) {
                return;
            }
            ended = true;
            for (LogLine line : held) {
                if (!next.accept(line)) {
                    break;
                }
            }
            next.end();
        }
    }

    private static final class Oldest implements LineSink {
        private final long count;
        private final LineSink next;
        private long seen;
        private boolean ended;

        Oldest(long count, LineSink next) {
            this.count = count;
            this.next = next;
        }

        @Override
        public boolean accept(LogLine line) {
            if (seen >= count) {
                return false;
            }
            seen++;
            boolean more = next.accept(line);
            return more && seen < count;
        }

        @Override
        public void end() {
            if (!ended) {
                ended = true;
                next.end();
            }
        }
    }

    private static final class Count implements LineSink {
        private final LineSink next;
        private long count;
        private boolean ended;

        Count(LineSink next) {
            this.next = next;
        }

        @Override
        public boolean accept(LogLine line) {
            count++;
            return true;
        }

        @Override
        public void end() {
            if (ended) {
                return; // the count is printed once, however often end() is called
            }
            ended = true;
            next.accept(new LogLine(null, Long.toString(count)));
            next.end();
        }
    }
}
