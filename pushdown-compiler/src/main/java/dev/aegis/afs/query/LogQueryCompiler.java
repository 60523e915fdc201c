package dev.aegis.afs.query;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathTerm;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Compiles the path terms of a log file ({@code api.log?since=1h&grep-i=oom&tail=50}) to a
 * {@link LogQuery}.
 *
 * <p>Keys ({@link #LOG_KEYS}):
 * <ul>
 *   <li>{@code grep=RE} keeps lines matching RE (RE2 syntax), {@code grep-v=RE} drops them,
 *       {@code grep-i=RE} keeps them ignoring case, {@code grep-F=TEXT} keeps lines containing
 *       TEXT literally. Each may repeat; each term is its own filter, so they AND.</li>
 *   <li>{@code tail=N} keeps the newest N lines (still printed oldest first), {@code head=N} the
 *       oldest N; N is a whole number from 0 to {@value #MAX_LINES}.</li>
 *   <li>{@code since=30s|15m|2h|7d} starts the window that long before now (the injected clock);
 *       {@code from=} (inclusive) and {@code to=} (exclusive) take RFC 3339 times with {@code Z} or
 *       an offset, e.g. {@code 2026-11-21T09:00:00+01:00}. {@code since} and {@code from} cannot
 *       both be given, and the window cannot end before it starts.</li>
 *   <li>{@code raw=1} serves the bare message without the time in front, {@code labels=1} adds
 *       the stream's labels after the time. They shape the served line (which every filter
 *       sees) and are read by the tree, not compiled into stages.</li>
 * </ul>
 *
 * <p>Stage order: every filter first, in the order written, then every {@code tail}/{@code head}
 * in the order written, whatever the order of the terms. So {@code tail=50&head=10} is the
 * oldest 10 of the newest 50 ({@code grep | tail -n 50 | head -n 10}), and {@code tail=5&grep=x}
 * is the newest 5 matching lines, not the matches among the newest 5.
 */
public final class LogQueryCompiler {

    /** The keys a log file accepts, in the order messages list them. */
    public static final Set<String> LOG_KEYS = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            "grep", "grep-v", "grep-i", "grep-F", "tail", "head", "since", "from", "to", "raw", "labels")));

    /** Keys of metrics files, named in the message when used on a log file. */
    static final Set<String> METRIC_KEYS = Set.of("window", "step", "at", "fn", "by", "match");

    /** The largest {@code tail=} or {@code head=} accepted. */
    public static final long MAX_LINES = 10_000_000L;

    private static final Pattern LINES = Pattern.compile("[0-9]{1,9}");
    private static final Pattern SINCE = Pattern.compile("([0-9]{1,9})([smhd])");
    private static final String RE2_SYNTAX = "https://github.com/google/re2/wiki/Syntax";

    private LogQueryCompiler() {
    }

    /** @throws QuerySyntaxException naming the term's column and the fix */
    public static LogQuery compile(PathQuery query, Clock clock) {
        Objects.requireNonNull(query, "query is null");
        Objects.requireNonNull(clock, "clock is null");
        List<Stage> filters = new ArrayList<>();
        List<Stage> limits = new ArrayList<>();
        Window window = new Window();
        for (PathTerm term : query.terms()) {
            switch (term.key()) {
                case "grep" -> filters.add(LineFilter.keep(regex(term, Match.regex(term.value()))));
                case "grep-v" -> filters.add(LineFilter.drop(regex(term, Match.regex(term.value()))));
                case "grep-i" -> filters.add(LineFilter.keep(regex(term, new Match(term.value(), false, true))));
                case "grep-F" -> filters.add(LineFilter.keep(Match.literal(term.value())));
                case "tail" -> limits.add(LineLimit.newest(lines(term)));
                case "head" -> limits.add(LineLimit.oldest(lines(term)));
                case "since" -> window.since(term, clock);
                case "from" -> window.from(term);
                case "to" -> window.to(term);
                case "raw", "labels" -> lineSwitch(term); // how lines are shown: read by the tree, not a stage
                default -> throw unknownKey(term);
            }
        }
        List<Stage> stages = new ArrayList<>(filters.size() + limits.size());
        stages.addAll(filters);
        stages.addAll(limits);
        return new LogQuery(window.range(), stages);
    }

    private static Match regex(PathTerm term, Match match) {
        try {
            RegexBudget.compile(match.toRe2());
            return match;
        } catch (QuerySyntaxException e) {
            throw new QuerySyntaxException(term.key() + "=: " + e.getMessage(), term.column());
        } catch (PatternSyntaxException e) {
            throw new QuerySyntaxException(term.key() + "=" + term.value() + " is not a valid regular expression: "
                    + e.getDescription() + "; fix it (RE2 syntax, " + RE2_SYNTAX
                    + ") or use grep-F= to match the text literally", term.column());
        }
    }

    /** {@code raw=1|0}, {@code labels=1|0} ({@code true}/{@code false} too). */
    public static boolean lineSwitch(PathTerm term) {
        return switch (term.value()) {
            case "1", "true" -> true;
            case "0", "false" -> false;
            default -> throw new QuerySyntaxException(term.key() + "=" + term.value() + " is not a switch; write "
                    + term.key() + "=1 or " + term.key() + "=0", term.column());
        };
    }

    private static long lines(PathTerm term) {
        String value = term.value();
        if (!LINES.matcher(value).matches() || Long.parseLong(value) > MAX_LINES) {
            throw new QuerySyntaxException(term.key() + "=" + value + " is not a line count; write a whole number"
                    + " from 0 to " + MAX_LINES + ", e.g. " + term.key() + "=50", term.column());
        }
        return Long.parseLong(value);
    }

    private static QuerySyntaxException unknownKey(PathTerm term) {
        String key = term.key();
        if (METRIC_KEYS.contains(key)) {
            return new QuerySyntaxException("'" + key + "' is only valid on metrics files (metrics/<name>.prom);"
                    + " log files take " + String.join(", ", LOG_KEYS), term.column());
        }
        String suggestion = KeySuggestion.nearest(key, LOG_KEYS)
                .map(k -> "did you mean '" + k + "'? ")
                .orElse("");
        return new QuerySyntaxException("unknown key '" + key + "'; " + suggestion + "log files take "
                + String.join(", ", LOG_KEYS), term.column());
    }

    /** The time window terms, checked as they come. */
    private static final class Window {
        private static final DateTimeFormatter RFC_3339 = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

        private PathTerm startTerm;
        private PathTerm endTerm;
        private Instant from;
        private Instant to;

        void since(PathTerm term, Clock clock) {
            Matcher m = SINCE.matcher(term.value());
            if (!m.matches()) {
                throw new QuerySyntaxException("since=" + term.value() + " is not a duration; write a whole number"
                        + " and a unit s, m, h or d, e.g. since=15m", term.column());
            }
            ChronoUnit unit = switch (m.group(2)) {
                case "s" -> ChronoUnit.SECONDS;
                case "m" -> ChronoUnit.MINUTES;
                case "h" -> ChronoUnit.HOURS;
                default -> ChronoUnit.DAYS;
            };
            start(term, clock.instant().minus(Duration.of(Long.parseLong(m.group(1)), unit)));
        }

        void from(PathTerm term) {
            start(term, instant(term));
        }

        void to(PathTerm term) {
            if (endTerm != null) {
                throw new QuerySyntaxException("'to' is given twice (first at column " + endTerm.column()
                        + "); keep one", term.column());
            }
            endTerm = term;
            to = instant(term);
            checkOrder(term);
        }

        private void start(PathTerm term, Instant start) {
            if (startTerm != null) {
                String message = startTerm.key().equals(term.key())
                        ? "'" + term.key() + "' is given twice (first at column " + startTerm.column() + "); keep one"
                        : "'since' and 'from' both set the start of the window (first at column "
                                + startTerm.column() + "); use one";
                throw new QuerySyntaxException(message, term.column());
            }
            startTerm = term;
            from = start;
            checkOrder(term);
        }

        private void checkOrder(PathTerm term) {
            if (from != null && to != null && to.isBefore(from)) {
                throw new QuerySyntaxException("the window ends (to=" + endTerm.value() + ") before it starts ("
                        + startTerm.key() + "=" + startTerm.value() + ", " + from + "); make 'to' later than the start",
                        term.column());
            }
        }

        private static Instant instant(PathTerm term) {
            try {
                // RFC 3339 allows a lowercase t and z.
                return OffsetDateTime.parse(term.value().toUpperCase(Locale.ROOT), RFC_3339).toInstant();
            } catch (DateTimeException e) {
                throw new QuerySyntaxException(term.key() + "=" + term.value() + " is not an RFC 3339 time; write"
                        + " e.g. " + term.key() + "=2026-11-21T09:00:00Z or with an offset, 2026-11-21T10:00:00+01:00",
                        term.column());
            }
        }

        TimeRange range() {
            return from == null && to == null ? TimeRange.ALL : new TimeRange(from, to);
        }
    }
}
