package dev.aegis.afs.core.file;

import java.nio.charset.StandardCharsets;
import java.text.ParsePosition;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/**
 * Reads the timestamp at the start of a line (option {@code timestamp}). A line whose prefix
 * does not parse has no timestamp of its own and belongs to the line before.
 */
interface TimestampFormat {

    /** The instant written at {@code b[start..end)}'s start, or null when the line has none. */
    Instant parse(byte[] b, int start, int end);

    /** {@code timestamp: none}: no line carries a time. */
    TimestampFormat NONE = new TimestampFormat() {
        @Override
        public Instant parse(byte[] b, int start, int end) {
            return null;
        }

        @Override
        public String toString() {
            return "none";
        }
    };

    /**
     * A {@link DateTimeFormatter} pattern for the line prefix. Times without an offset or zone
     * are taken as UTC. Slower than rfc3339 (a String and a parse per line).
     */
    static TimestampFormat pattern(String pattern) {
        DateTimeFormatter formatter = DateTimeFormatter.ofPattern(pattern).withZone(ZoneOffset.UTC);
        return new TimestampFormat() {
            @Override
            public Instant parse(byte[] b, int start, int end) {
                int len = Math.min(end - start, 128);
                if (len <= 0) {
                    return null;
                }
                String prefix = new String(b, start, len, StandardCharsets.UTF_8);
                ParsePosition position = new ParsePosition(0);
                try {
                    TemporalAccessor parsed = formatter.parse(prefix, position);
                    return Instant.from(parsed);
                } catch (java.time.DateTimeException e) {
                    return null;
                }
            }

            @Override
            public String toString() {
                return "'" + pattern + "'";
            }
        };
    }

    /** True when {@code format} can tell an instant from what it writes (it has a full date and time). */
    static boolean resolvesInstant(String pattern) {
        DateTimeFormatter formatter = DateTimeFormatter.ofPattern(pattern).withZone(ZoneOffset.UTC);
        Instant sample = Instant.parse("2024-03-05T06:07:08.123456789Z");
        try {
            String text = formatter.format(sample);
            TemporalAccessor parsed = formatter.parse(text);
            Instant back = Instant.from(parsed);
            return back.getEpochSecond() / 60 == sample.getEpochSecond() / 60
                    && parsed.isSupported(ChronoField.YEAR);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
