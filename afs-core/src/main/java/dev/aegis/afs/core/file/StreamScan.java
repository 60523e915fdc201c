package dev.aegis.afs.core.file;

import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.local.LineSink;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs one {@link ScanPlan} over a stream's files and passes the lines to a sink, oldest first.
 *
 * <ul>
 *   <li>Forward (everything, {@code head}, {@code count}): from the start of the range, found
 *       by skipping rotated files that end before it and binary-searching the first file read;
 *       {@code head} stops after n lines, a range stops at the first line past its end.</li>
 *   <li>{@code tail}: windows read backward from the end (n x 256 bytes, 4-64 KiB, doubling), each scanned
 *       forward, until n lines pass; a compressed file is one window. Reads O(result).</li>
 * </ul>
 * Lines whose timestamp is on an earlier line get that line's time once it is read. Time-based
 * skipping assumes the stream is in time order; a stream of several base names (a glob or a
 * directory of several files) is not assumed to be, and is scanned whole when a range is set.
 */
final class StreamScan {

    /** The first tail window holds about n lines of 256 bytes, within these bounds. */
    private static final long MIN_FIRST_WINDOW = 4 * 1024;
    private static final long MAX_FIRST_WINDOW = 64 * 1024;
    private static final long MAX_WINDOW = 16L << 20;
    private static final int READ_BUFFER = 64 * 1024;
    /** How far back to look for the time of tail lines whose timestamp is on an earlier line. */
    private static final long TIME_LOOKBACK = 1 << 20;

    private final List<Segment> segments;
    private final ScanPlan plan;
    private final LineFormat format;
    private final TimestampFormat timestamps;
    private final Segment.ByteCounter counter = new Segment.ByteCounter();
    private final TimeIndex index;
    private final LineScanner scanner;
    private final boolean ordered;
    private long delivered;

    StreamScan(List<Segment> segments, ScanPlan plan, LineFormat format, TimestampFormat timestamps) {
        this.segments = List.copyOf(Objects.requireNonNull(segments, "segments is null"));
        this.plan = Objects.requireNonNull(plan, "plan is null");
        this.format = Objects.requireNonNull(format, "format is null");
        this.timestamps = Objects.requireNonNull(timestamps, "timestamps is null");
        this.index = new TimeIndex(format, timestamps, counter);
        this.ordered = segments.stream().map(Segment::base).distinct().count() <= 1;
        this.scanner = new LineScanner(format, timestamps, new LineFilters(plan.filters(), plan.served()), plan.range(), ordered);
    }

    long bytesRead() {
        return counter.bytes();
    }

    long delivered() {
        return delivered;
    }

    long cutLines() {
        return scanner.cutLines();
    }

    void run(LineSink sink) throws IOException {
        Optional<Stage> limit = plan.limit();
        if (segments.isEmpty() || (!plan.range().isAll() && timestamps == TimestampFormat.NONE)) {
            // No lines, or no line has a time so none is inside a time range (as in the evaluator).
            if (limit.isPresent() && limit.get() instanceof CountLines) {
                emit(sink, null, "0");
            }
            return;
        }
        if (limit.isEmpty()) {
            forward((time, line) -> emit(sink, time, line.text()));
        } else if (limit.get() instanceof CountLines) {
            long[] count = {0};
            forward((time, line) -> {
                count[0]++;
                return true;
            });
            emit(sink, null, Long.toString(count[0]));
        } else {
            LineLimit l = (LineLimit) limit.get();
            if (l.count() == 0) {
                return;
            }
            if (l.end() == LineLimit.End.OLDEST) {
                long[] left = {l.count()};
                forward((time, line) -> emit(sink, time, line.text()) && --left[0] > 0);
            } else if (!ordered && !plan.range().isAll()) {
                ArrayDeque<LogLine> ring = new ArrayDeque<>();
                forward((time, line) -> {
                    if (ring.size() == l.count()) {
                        ring.removeFirst();
                    }
                    ring.addLast(new LogLine(time, line.text()));
                    return true;
                });
                emitAll(sink, ring);
            } else {
                emitAll(sink, new Tail(l.count()).run());
            }
        }
    }

    private boolean emit(LineSink sink, Instant time, String text) {
        delivered++;
        return sink.accept(new LogLine(time, text));
    }

    private void emitAll(LineSink sink, Iterable<LogLine> lines) {
        for (LogLine line : lines) {
            if (!emit(sink, line.time(), line.text())) {
                return;
            }
        }
    }

    /** Scans from the start of the range (or of the stream) to its end. */
    private void forward(LineScanner.Visitor visitor) throws IOException {
        int first = 0;
        long offset = 0;
        Instant from = plan.range().from();
        if (from != null && ordered) {
            first = firstSegmentFor(from);
            Segment segment = segments.get(first);
            offset = segment.gzip() ? 0 : index.lowerBound(segment, from);
        }
        // Starting past the stream's beginning with a range: lines before the first timestamp
        // read continue a line before the range and are dropped, as the evaluator drops them.
        scanner.startAt(first == 0 && offset == 0 ? null : LineScanner.UNKNOWN);
        for (int i = first; i < segments.size(); i++) {
            Segment segment = segments.get(i);
            long start = i == first ? offset : 0;
            try (InputStream in = segment.open(start, segment.size(), counter)) {
                LineScanner.Outcome outcome = scanner.scan(new LineReader(in, start, READ_BUFFER), Long.MAX_VALUE,
                        false, visitor);
                if (outcome != LineScanner.Outcome.END) {
                    return;
                }
            }
        }
    }

    /** The newest file whose first timestamp is before {@code from}; files before it end before {@code from}. */
    private int firstSegmentFor(Instant from) throws IOException {
        for (int i = segments.size() - 1; i > 0; i--) {
            Instant first = index.firstTime(segments.get(i));
            if (first != null && first.isBefore(from)) {
                return i;
            }
        }
        return 0;
    }

    /** A line collected by tail; its time may still be {@link LineScanner#UNKNOWN}. */
    private static final class Held {
        Instant time;
        final String text;

        Held(Instant time, String text) {
            this.time = time;
            this.text = text;
        }
    }

    /** One window's lines (the newest that fit), where it starts, and the time in effect at its end. */
    private record Window(ArrayDeque<Held> lines, long firstLine, Instant endTime, boolean sawBeforeRange, long bytes) {
    }

    /** The newest n lines, found by reading windows backward. */
    private final class Tail {
        private final long n;
        private final boolean ranged = !plan.range().isAll();
        /** Confirmed lines, oldest first. */
        private final ArrayDeque<Held> collected = new ArrayDeque<>();
        /** Lines older than {@link #collected} whose time is on a line not read yet, oldest first. */
        private final ArrayDeque<Held> pending = new ArrayDeque<>();

        Tail(long n) {
            this.n = n;
        }

        List<LogLine> run() throws IOException {
            boolean done = false;
            long lookback = 0;
            outer:
            for (int i = segments.size() - 1; i >= 0; i--) {
                Segment segment = segments.get(i);
                long end = segment.gzip() ? Long.MAX_VALUE : endOf(segment);
                if (end < segment.size()) {
                    // The line at end is stamped at or after the range's end, so lines waiting
                    // for a time from the end of this file are out of range too.
                    pending.clear();
                }
                long block = Math.max(MIN_FIRST_WINDOW, Math.min(MAX_FIRST_WINDOW, n * 256));
                while (end > 0) {
                    long start = segment.gzip() ? 0 : Math.max(0, end - block);
                    Window w = window(i, start, end, done ? 0 : room());
                    if (done) {
                        lookback += w.bytes();
                    }
                    if (merge(w)) {
                        break outer;
                    }
                    if (!done && isFull()) {
                        done = true;
                    }
                    if (done && (ranged || pending.isEmpty())) {
                        break outer;
                    }
                    if (done && lookback > TIME_LOOKBACK) {
                        break outer; // the time of the oldest lines is too far back to look for
                    }
                    end = segment.gzip() ? 0 : w.firstLine();
                    block = Math.min(block * 2, MAX_WINDOW);
                }
            }
            // At the stream's start (or beyond the lookback), lines still waiting for a time have none.
            resolvePending(null);
            List<LogLine> out = new ArrayList<>(collected.size());
            Iterator<Held> it = collected.iterator();
            long skip = Math.max(0, collected.size() - n);
            while (it.hasNext()) {
                Held h = it.next();
                if (skip-- > 0) {
                    continue;
                }
                out.add(new LogLine(h.time, h.text));
            }
            return out;
        }

        private long endOf(Segment segment) throws IOException {
            Instant to = plan.range().to();
            return to != null && ordered ? index.lowerBound(segment, to) : segment.size();
        }

        private boolean isFull() {
            return ranged ? collected.size() >= n : collected.size() + pending.size() >= n;
        }

        private long room() {
            return Math.max(0, ranged ? n - collected.size() : n - collected.size() - pending.size());
        }

        private Window window(int segmentIndex, long start, long end, long room) throws IOException {
            Segment segment = segments.get(segmentIndex);
            boolean streamStart = segmentIndex == 0 && start == 0;
            scanner.startAt(streamStart || timestamps == TimestampFormat.NONE ? null : LineScanner.UNKNOWN);
            ArrayDeque<Held> ring = new ArrayDeque<>();
            long readFrom = start == 0 ? 0 : start - 1;
            long before = counter.bytes();
            long firstLine;
            try (InputStream in = segment.open(readFrom, segment.gzip() ? Long.MAX_VALUE : end, counter)) {
                LineReader reader = new LineReader(in, readFrom, READ_BUFFER);
                if (start > 0) {
                    reader.next(); // the end of the line that holds start - 1 belongs to the window before
                }
                firstLine = Math.min(reader.position(), end);
                scanner.scan(reader, end, true, (time, line) -> {
                    if (room == 0) {
                        return true;
                    }
                    if (ring.size() == room) {
                        ring.removeFirst();
                    }
                    ring.addLast(new Held(time, line.text()));
                    return true;
                });
            }
            return new Window(ring, firstLine, scanner.time(), scanner.sawBeforeRange(), counter.bytes() - before);
        }

        /** Adds a window (older than everything so far); true when nothing older can matter. */
        private boolean merge(Window w) {
            if (w.endTime() != LineScanner.UNKNOWN) {
                resolvePending(w.endTime());
            }
            Iterator<Held> newestFirst = w.lines().descendingIterator();
            ArrayDeque<Held> unknown = new ArrayDeque<>();
            while (newestFirst.hasNext()) {
                Held h = newestFirst.next();
                if (h.time == LineScanner.UNKNOWN) {
                    unknown.addFirst(h);
                } else {
                    collected.addFirst(h);
                }
            }
            while (!unknown.isEmpty()) {
                pending.addFirst(unknown.removeLast());
            }
            while (collected.size() > n) {
                collected.removeFirst();
            }
            long keep = Math.max(0, n - collected.size());
            while (pending.size() > keep) {
                pending.removeFirst();
            }
            if (ranged && w.sawBeforeRange()) {
                pending.clear(); // they continue a line stamped before the range
                return true;
            }
            return false;
        }

        private void resolvePending(Instant time) {
            if (pending.isEmpty()) {
                return;
            }
            TimeRange range = plan.range();
            boolean keep = !ranged || (time != null && range.contains(time));
            if (keep) {
                Iterator<Held> newestFirst = pending.descendingIterator();
                while (newestFirst.hasNext()) {
                    Held h = newestFirst.next();
                    h.time = time;
                    collected.addFirst(h);
                }
            }
            pending.clear();
        }
    }
}
