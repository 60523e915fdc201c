package dev.aegis.afs.query;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The time a served log line starts with, {@code 2026-11-21T09:00:00.123Z <line>}, as
 * {@code logcli} and {@code kubectl logs --timestamps} print it, and which filters may still be
 * sent to a backend that only knows the bare line.
 *
 * <p>Every filter sees the line as served, prefix included (so the output is what GNU grep
 * prints on the served bytes). A backend filters the bare message, so a filter is pushed only
 * when it cannot tell the two apart: every match must begin with a character that never occurs
 * in the prefix, so no match can start in the prefix or reach across it, and {@code ^} (which
 * would match at the bare message's start but never inside the served line) cannot take part.
 * Anything else ({@code ^ERROR}, {@code \d+}, {@code 2026-11}, {@code .*x}) runs locally.
 */
public final class TimePrefix {

    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter NANOS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** The characters a prefix is made of (both cases of the letters, for {@code -i}). */
    private static final String PREFIX_CHARS = "0123456789-:.TZtz ";

    private TimePrefix() {
    }

    /** RFC 3339 UTC with milliseconds, or nanoseconds when the time has a finer part. */
    public static String format(Instant time) {
        Objects.requireNonNull(time, "time is null");
        return (time.getNano() % 1_000_000 == 0 ? MILLIS : NANOS).format(time);
    }

    /** {@code <time> <text>}; a line without a known time gets no prefix. */
    public static String served(Instant time, String text) {
        return time == null ? text : format(time) + " " + text;
    }

    /** True when {@code filter} keeps the same lines whether it sees the served or the bare line. */
    public static boolean sameOnBareLine(LineFilter filter) {
        return filter.anyOf().stream().allMatch(TimePrefix::sameOnBareLine);
    }

    static boolean sameOnBareLine(Match match) {
        String text = match.text();
        if (text.isEmpty()) {
            return false;
        }
        int first;
        if (match.literal()) {
            first = text.codePointAt(0);
        } else {
            first = firstRegexCharacter(text);
            if (first < 0) {
                return false;
            }
        }
        return PREFIX_CHARS.indexOf(first) < 0 && (!match.ignoreCase() || PREFIX_CHARS.indexOf(Character.toLowerCase(first)) < 0
                && PREFIX_CHARS.indexOf(Character.toUpperCase(first)) < 0);
    }

    /**
     * The character every match of an RE2 pattern begins with, or -1 when that is not plain: the
     * pattern must start with a literal character (or an escaped punctuation mark) that is not
     * made optional, and hold no top-level {@code |} and no {@code ^} anywhere outside a class.
     * Conservative: -1 only costs a local evaluation.
     */
    private static int firstRegexCharacter(String re) {
        int depth = 0;
        boolean inClass = false;
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\') {
                if (i + 1 < re.length() && (re.charAt(i + 1) == 'A')) {
                    return -1;
                }
                i++;
            } else if (inClass) {
                inClass = c != ']';
            } else if (c == '[') {
                inClass = true;
                if (i + 1 < re.length() && re.charAt(i + 1) == ']') {
                    i++;
                }
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '^' || (c == '|' && depth == 0)) {
                return -1;
            }
        }
        int first;
        int next;
        char c = re.charAt(0);
        if (c == '\\') {
            if (re.length() < 2 || Character.isLetterOrDigit(re.charAt(1))) {
                return -1; // \d, \w, \p{..}, \x41, \Q ...: not one plain character
            }
            first = re.charAt(1);
            next = 2;
        } else if (".[()|*+?{}^$".indexOf(c) >= 0) {
            return -1;
        } else {
            first = re.codePointAt(0);
            next = Character.charCount(first);
        }
        if (next < re.length() && "?*{".indexOf(re.charAt(next)) >= 0) {
            return -1; // the first character may be absent
        }
        return first;
    }

    /**
     * The read split for a prefixed stream: what may be offered to the backend (the time range
     * and the filters it cannot tell apart, then, if every leading filter was among them, the
     * rest), and the stages that must run locally after it on the served line, in order.
     * Leading filters commute (they AND), so the pushable ones go first.
     */
    public static Split split(LogQuery query) {
        return split(query, TimePrefix::sameOnBareLine);
    }

    /** As {@link #split(LogQuery)}, offering the backend only the filters {@code pushable} accepts. */
    public static Split split(LogQuery query, java.util.function.Predicate<LineFilter> pushable) {
        List<LineFilter> leading = query.leadingFilters();
        List<Stage> offered = new ArrayList<>();
        List<Stage> local = new ArrayList<>();
        for (LineFilter f : leading) {
            (pushable.test(f) ? offered : local).add(f);
        }
        List<Stage> rest = query.stages().subList(leading.size(), query.stages().size());
        if (local.isEmpty()) {
            return new Split(query, List.of());
        }
        local.addAll(rest);
        return new Split(new LogQuery(query.range(), offered), local);
    }

    /** See {@link #split}. */
    public record Split(LogQuery backend, List<Stage> local) {
        public Split {
            Objects.requireNonNull(backend, "backend is null");
            local = List.copyOf(local);
        }
    }
}
