package dev.aegis.afs.core.file;

import java.time.Instant;

/**
 * Parses an RFC 3339 timestamp at the start of a byte range without allocating, so every line
 * of a large log can be stamped cheaply: {@code 2026-11-21T20:00:00Z},
 * {@code 2026-11-21T20:00:00.123456789+01:00}; {@code t} and a space are accepted for the
 * {@code T}, {@code z} for the {@code Z}. An offset is required (RFC 3339 has no local time).
 * Invalid dates (month 13, 30 February, second 60) are not timestamps.
 */
final class Rfc3339 implements TimestampFormat {

    static final Rfc3339 INSTANCE = new Rfc3339();

    private Rfc3339() {
    }

    @Override
    public Instant parse(byte[] b, int start, int end) {
        if (end - start < 20) {
            return null;
        }
        int year = digits(b, start, 4);
        if (year < 0 || b[start + 4] != '-') {
            return null;
        }
        int month = digits(b, start + 5, 2);
        if (month < 1 || month > 12 || b[start + 7] != '-') {
            return null;
        }
        int day = digits(b, start + 8, 2);
        if (day < 1 || day > daysInMonth(year, month)) {
            return null;
        }
        byte t = b[start + 10];
        if (t != 'T' && t != 't' && t != ' ') {
            return null;
        }
        int hour = digits(b, start + 11, 2);
        int minute = digits(b, start + 14, 2);
        int second = digits(b, start + 17, 2);
        if (hour < 0 || hour > 23 || b[start + 13] != ':' || minute < 0 || minute > 59
                || b[start + 16] != ':' || second < 0 || second > 59) {
            return null;
        }
        int p = start + 19;
        int nanos = 0;
        if (p < end && b[p] == '.') {
            p++;
            int digitsSeen = 0;
            while (p < end && b[p] >= '0' && b[p] <= '9') {
                if (digitsSeen < 9) {
                    nanos = nanos * 10 + (b[p] - '0');
                }
                digitsSeen++;
                p++;
            }
            if (digitsSeen == 0) {
                return null;
            }
            for (int i = Math.min(digitsSeen, 9); i < 9; i++) {
                nanos *= 10;
            }
        }
        if (p >= end) {
            return null;
        }
        int offsetSeconds;
        if (b[p] == 'Z' || b[p] == 'z') {
            offsetSeconds = 0;
        } else if ((b[p] == '+' || b[p] == '-') && p + 6 <= end && b[p + 3] == ':') {
            int oh = digits(b, p + 1, 2);
            int om = digits(b, p + 4, 2);
            if (oh < 0 || oh > 23 || om < 0 || om > 59) {
                return null;
            }
            offsetSeconds = (oh * 3600 + om * 60) * (b[p] == '-' ? -1 : 1);
        } else {
            return null;
        }
        long epochDay = epochDay(year, month, day);
        long seconds = epochDay * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return Instant.ofEpochSecond(seconds, nanos);
    }

    @Override
    public String toString() {
        return "rfc3339";
    }

    private static int digits(byte[] b, int at, int count) {
        int v = 0;
        for (int i = at; i < at + count; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 (proleptic Gregorian), after Howard Hinnant's days_from_civil. */
    private static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }
}
