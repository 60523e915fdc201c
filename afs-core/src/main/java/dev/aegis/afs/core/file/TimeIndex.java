package dev.aegis.afs.core.file;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Objects;

/**
 * Finds positions by time without reading whole files: the first timestamp of a file, and by
 * binary search over the bytes of an uncompressed file the first line stamped at or after an
 * instant. Assumes timestamps do not decrease within a file, as the local evaluator does when
 * it stops at the first line past a range's end.
 */
final class TimeIndex {

    /** How far into a file to look for its first timestamp. */
    static final int FIRST_TIME_LOOKAHEAD = 1 << 20;
    /** Below this many bytes the search reads forward. */
    private static final long LINEAR = 64 * 1024;
    private static final int PROBE_BUFFER = 4096;

    private final LineFormat format;
    private final TimestampFormat timestamps;
    private final Segment.ByteCounter counter;

    TimeIndex(LineFormat format, TimestampFormat timestamps, Segment.ByteCounter counter) {
        this.format = Objects.requireNonNull(format, "format is null");
        this.timestamps = Objects.requireNonNull(timestamps, "timestamps is null");
        this.counter = Objects.requireNonNull(counter, "counter is null");
    }

    /** The first timestamp in the file's first MiB, or null. */
    Instant firstTime(Segment segment) throws IOException {
        try (InputStream in = segment.open(0, Long.MAX_VALUE, counter)) {
            LineReader reader = new LineReader(in, 0, PROBE_BUFFER);
            while (reader.next() && reader.offset() < FIRST_TIME_LOOKAHEAD) {
                Instant t = LineScanner.ownTime(format, timestamps, reader.bytes(), reader.start(), reader.end());
                if (t != null) {
                    return t;
                }
            }
            return null;
        }
    }

    /**
     * The offset of the first line stamped at or after {@code instant} in an uncompressed file,
     * or its size when there is none. Lines before that offset are all earlier (or continue an
     * earlier line).
     */
    long lowerBound(Segment segment, Instant instant) throws IOException {
        long lo = 0;
        long hi = segment.size();
        long answer = segment.size();
        while (hi - lo > LINEAR) {
            long mid = (lo + hi) >>> 1;
            Probe p = firstStampedFrom(segment, mid, hi);
            if (p == null) {
                hi = mid;
            } else if (!p.time.isBefore(instant)) {
                answer = p.offset;
                hi = mid;
            } else {
                lo = p.next;
            }
        }
        try (InputStream in = segment.open(lo, Long.MAX_VALUE, counter)) {
            LineReader reader = new LineReader(in, lo, PROBE_BUFFER);
            while (reader.next() && reader.offset() < hi) {
                Instant t = LineScanner.ownTime(format, timestamps, reader.bytes(), reader.start(), reader.end());
                if (t != null && !t.isBefore(instant)) {
                    return reader.offset();
                }
            }
        }
        return answer;
    }

    private record Probe(long offset, Instant time, long next) {
    }

    /** The first stamped line that starts in {@code [from, before)}, or null. */
    private Probe firstStampedFrom(Segment segment, long from, long before) throws IOException {
        long start = Math.max(0, from - 1);
        try (InputStream in = segment.open(start, Long.MAX_VALUE, counter)) {
            LineReader reader = new LineReader(in, start, PROBE_BUFFER);
            if (from > 0 && !reader.next()) {
                return null; // the rest of the line that holds from - 1
            }
            while (reader.next() && reader.offset() < before) {
                Instant t = LineScanner.ownTime(format, timestamps, reader.bytes(), reader.start(), reader.end());
                if (t != null) {
                    return new Probe(reader.offset(), t, reader.position());
                }
            }
            return null;
        }
    }
}
