package dev.aegis.afs.query.promql;

import dev.aegis.afs.query.QuerySyntaxException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prometheus durations: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 7d}, {@code 1w}. */
public final class PromDuration {

    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h|d|w|y))+");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");
    private static final long[] UNIT_MILLIS = {365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1};
    private static final String[] UNIT_NAMES = {"y", "w", "d", "h", "m", "s", "ms"};

    private PromDuration() {
    }

    /** Parses a positive duration; {@code key} names the term in the error. */
    public static Duration parse(String text, String key, int column) {
        if (!WHOLE.matcher(text).matches()) {
            throw new QuerySyntaxException("'" + text + "' is not a duration for " + key
                    + "; write e.g. 30s, 5m, 1h or 1h30m (units ms, s, m, h, d, w, y)", column);
        }
        Matcher m = PART.matcher(text);
        long millis = 0;
        try {
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                long unit = switch (m.group(2)) {
                    case "ms" -> 1;
                    case "s" -> 1000;
                    case "m" -> 60_000;
                    case "h" -> 3_600_000;
                    case "d" -> 86_400_000;
                    case "w" -> 7L * 86_400_000;
                    default -> 365L * 86_400_000;
                };
                millis = Math.addExact(millis, Math.multiplyExact(n, unit));
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw new QuerySyntaxException("duration '" + text + "' for " + key + " is too long; use at most 10y", column);
        }
        if (millis <= 0) {
            throw new QuerySyntaxException("duration for " + key + " must be positive, was '" + text + "'", column);
        }
        if (millis > 10 * UNIT_MILLIS[0]) {
            throw new QuerySyntaxException("duration '" + text + "' for " + key + " is too long; use at most 10y", column);
        }
        return Duration.ofMillis(millis);
    }

    /** The shortest Prometheus spelling, e.g. 90 seconds as {@code 1m30s}. Sub-millisecond parts are dropped. */
    public static String format(Duration d) {
        long millis = d.toMillis();
        if (millis <= 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < UNIT_MILLIS.length; i++) {
            long n = millis / UNIT_MILLIS[i];
            if (n > 0) {
                out.append(n).append(UNIT_NAMES[i]);
                millis -= n * UNIT_MILLIS[i];
            }
        }
        return out.toString();
    }
}
