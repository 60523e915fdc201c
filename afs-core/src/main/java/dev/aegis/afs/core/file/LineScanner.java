package dev.aegis.afs.core.file;

import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.local.ReadDeadline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * Walks lines from a {@link LineReader}, keeping the time in effect (a line without a
 * timestamp belongs to the line before), and hands each line inside the range that passes the
 * filters to a {@link Visitor}. The time carries over from one reader to the next, so a stream
 * of several files is scanned by one scanner.
 */
final class LineScanner {

    /** Time not yet known: the line's timestamp is on a line before the scanned part. */
    static final Instant UNKNOWN = Instant.MIN;

    interface Visitor {
        /** Takes a line (its text via {@link LineScanner#text()}); false stops the scan. */
        boolean visit(Instant time, LineScanner line);
    }

    enum Outcome { END, STOPPED, REACHED_END_OF_RANGE }

    private final LineFormat format;
    private final TimestampFormat timestamps;
    private final LineFilters filters;
    private final TimeRange range;
    private final byte[] needle;
    private final LineReader.SkipListener skipListener = this::skipped;

    private Instant time;
    private boolean pastEnd;
    private boolean sawBeforeRange;
    private long cutLines;
    private long scanned;

    private byte[] b;
    private int textStart;
    private int textEnd;
    private String text;

    /**
     * @param ordered the stream's timestamps do not decrease, so lines need not be read one by
     *                one to find where a range ends
     */
    LineScanner(LineFormat format, TimestampFormat timestamps, LineFilters filters, TimeRange range, boolean ordered) {
        this.format = Objects.requireNonNull(format, "format is null");
        this.timestamps = Objects.requireNonNull(timestamps, "timestamps is null");
        this.filters = Objects.requireNonNull(filters, "filters is null");
        this.range = Objects.requireNonNull(range, "range is null");
        // Lines without the first filter's literal can be skipped unread unless every line must
        // be looked at to find the first one past the range's end (a stream not in time order).
        this.needle = ordered || range.to() == null ? filters.requiredNeedle() : null;
    }

    /** Sets the time in effect before the next line: null at the stream's start, or {@link #UNKNOWN}. */
    void startAt(Instant inherited) {
        this.time = inherited;
        this.sawBeforeRange = false;
        this.pastEnd = false;
    }

    Instant time() {
        return time;
    }

    /** True when a line with a known time before the range's start was seen since {@link #startAt}. */
    boolean sawBeforeRange() {
        return sawBeforeRange;
    }

    long cutLines() {
        return cutLines;
    }

    /** The current line's served text, decoded as UTF-8 (malformed bytes become U+FFFD). */
    String text() {
        if (text == null) {
            text = new String(b, textStart, textEnd - textStart, StandardCharsets.UTF_8);
        }
        return text;
    }

    /**
     * Scans lines that start before {@code endOffset}. With a range, a line of unknown time is
     * passed on only when {@code passUnknown}; a line at or after the range's end stops the scan
     * (lines are in time order).
     */
    Outcome scan(LineReader reader, long endOffset, boolean passUnknown, Visitor visitor) throws IOException {
        boolean ranged = !range.isAll();
        Instant from = range.from();
        Instant to = range.to();
        try {
            while (needle != null ? reader.nextContaining(needle, skipListener) : reader.next()) {
                if (pastEnd) {
                    return Outcome.REACHED_END_OF_RANGE;
                }
                if (reader.offset() >= endOffset) {
                    return Outcome.END;
                }
                if ((++scanned & 255) == 0) {
                    ReadDeadline.check(); // a scan of a huge file stops when the read is over budget
                }
                byte[] bytes = reader.bytes();
                int s = reader.start();
                int e = reader.end();
                int message = format.messageStart(bytes, s, e);
                Instant own = format == LineFormat.PLAIN || message >= 0 ? timestamps.parse(bytes, s, e) : null;
                if (own != null) {
                    time = own;
                }
                if (ranged) {
                    if (time == UNKNOWN) {
                        if (!passUnknown) {
                            continue;
                        }
                    } else if (time == null) {
                        continue;
                    } else if (to != null && !time.isBefore(to)) {
                        return Outcome.REACHED_END_OF_RANGE;
                    } else if (from != null && time.isBefore(from)) {
                        sawBeforeRange = true;
                        continue;
                    }
                }
                b = bytes;
                textStart = message >= 0 ? message : s;
                textEnd = e;
                text = null;
                if (!filters.keeps(bytes, textStart, textEnd, this)) {
                    continue;
                }
                if (!visitor.visit(time, this)) {
                    return Outcome.STOPPED;
                }
            }
            return pastEnd ? Outcome.REACHED_END_OF_RANGE : Outcome.END;
        } finally {
            cutLines += reader.cutLines();
            b = null;
            text = null;
        }
    }

    /**
     * Lines skipped unread (they lack the needle): only their last timestamp matters, as the
     * time in effect for the lines after them, so read lines backward until one has a timestamp.
     */
    private void skipped(byte[] bytes, int from, int to) {
        ReadDeadline.check();
        if (timestamps == TimestampFormat.NONE) {
            return;
        }
        int end = to > from && bytes[to - 1] == '\n' ? to - 1 : to;
        while (true) {
            int newline = ByteSearch.lastIndexOf(bytes, from, end, (byte) '\n');
            int start = newline < 0 ? from : newline + 1;
            Instant own = ownTime(format, timestamps, bytes, start, end);
            if (own != null) {
                time = own;
                if (range.to() != null && !own.isBefore(range.to())) {
                    pastEnd = true;
                } else if (range.from() != null && own.isBefore(range.from())) {
                    sawBeforeRange = true;
                }
                return;
            }
            if (newline < 0) {
                return;
            }
            end = newline;
        }
    }

    /** The timestamp a raw line carries itself, or null. */
    static Instant ownTime(LineFormat format, TimestampFormat timestamps, byte[] b, int s, int e) {
        return format == LineFormat.PLAIN || format.messageStart(b, s, e) >= 0 ? timestamps.parse(b, s, e) : null;
    }
}
