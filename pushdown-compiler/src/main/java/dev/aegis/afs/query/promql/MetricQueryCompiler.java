package dev.aegis.afs.query.promql;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathTerm;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Compiles the path terms of a metrics file ({@code requests.prom?window=1h&fn=rate(5m)&by=code})
 * into a {@link MetricQuery}. Pure; "now" comes from the injected clock, truncated to seconds.
 *
 * <p>Terms: {@code from=} and {@code to=} (RFC 3339, {@code now}, or relative to now such as
 * {@code -2h}; any two of {@code from}, {@code to}, {@code window} fix the range), {@code window=}
 * (default {@value #DEFAULT_WINDOW_TEXT}, ending at {@code to} or now), {@code step=}
 * (default: the smallest of 1s, 2s, 5s, 10s, 15s, 30s, 1m, ... giving at most
 * {@value #TARGET_POINTS} points), {@code at=} (RFC 3339 or {@code now}: one instant instead of a
 * range), {@code fn=}, {@code by=} (comma-separated labels; empty sums every series),
 * {@code match=} (repeatable), {@code grep=} and {@code grep-v=} (repeatable, fixed strings).
 */
public final class MetricQueryCompiler {

    public static final String DEFAULT_WINDOW_TEXT = "15m";
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(15);
    /** The default step keeps a range at or under this many points per series. */
    public static final int TARGET_POINTS = 250;

    static final List<String> KEYS = List.of("at", "by", "fn", "from", "grep", "grep-v", "match", "step", "to", "window");
    private static final List<String> REPEATABLE = List.of("grep", "grep-v", "match");
    private static final List<Duration> NICE_STEPS = Arrays.stream(new long[] {
            1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400})
            .mapToObj(Duration::ofSeconds).toList();

    private static final String WINDOW_INSTEAD = "metrics files are read over a time window, not by lines;"
            + " use window= (e.g. window=5m) or at= for one instant";
    private static final String GREP_INSTEAD = "on a metrics file grep= already matches a fixed string on the"
            + " series text (name{labels}); for a regular expression on a label use match=label=~regex";
    private static final Map<String, String> LOG_ONLY = Map.ofEntries(
            Map.entry("tail", WINDOW_INSTEAD),
            Map.entry("head", WINDOW_INSTEAD),
            Map.entry("lines", WINDOW_INSTEAD),
            Map.entry("since", "use from=-1h (or window=1h) for the hour up to now, or at=2026-01-01T00:00:00Z for one instant"),
            Map.entry("until", "use to=2026-01-01T00:00:00Z (or to=-1h) to end the range there"),
            Map.entry("count", "metrics files have no line count; use by= (empty) to sum all series, or by=label"),
            Map.entry("grep-F", GREP_INSTEAD),
            Map.entry("grep-E", GREP_INSTEAD),
            Map.entry("grep-G", GREP_INSTEAD),
            Map.entry("grep-i", GREP_INSTEAD),
            Map.entry("grep-w", GREP_INSTEAD),
            Map.entry("grep-x", GREP_INSTEAD));

    private final Clock clock;

    public MetricQueryCompiler(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    /** @throws QuerySyntaxException naming the term's column and the fix */
    public MetricQuery compile(PathQuery query) {
        Objects.requireNonNull(query, "query is null");
        Map<String, PathTerm> single = new HashMap<>();
        List<LabelMatcher> matchers = new ArrayList<>();
        List<LineFilter> filters = new ArrayList<>();
        for (PathTerm term : query.terms()) {
            String key = term.key();
            if (!KEYS.contains(key)) {
                String instead = LOG_ONLY.get(key);
                throw new QuerySyntaxException(instead != null
                        ? "'" + key + "' does not apply to a metrics file: " + instead
                        : "unknown term '" + key + "' for a metrics file; valid terms: " + String.join(", ", KEYS),
                        term.column());
            }
            if (!REPEATABLE.contains(key) && single.putIfAbsent(key, term) != null) {
                throw new QuerySyntaxException("'" + key + "' is given twice; keep one", term.column());
            }
            switch (key) {
                case "match" -> matchers.add(matcher(term));
                case "grep" -> filters.add(LineFilter.keep(Match.literal(term.value())));
                case "grep-v" -> filters.add(LineFilter.drop(Match.literal(term.value())));
                default -> { }
            }
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        return new MetricQuery(evaluation(single, now), function(single.get("fn")), sumBy(single.get("by")),
                matchers, filters);
    }

    private static MetricQuery.Evaluation evaluation(Map<String, PathTerm> terms, Instant now) {
        PathTerm at = terms.get("at");
        if (at != null) {
            for (String other : List.of("window", "step", "from", "to")) {
                if (terms.containsKey(other)) {
                    throw new QuerySyntaxException("at= reads one instant and cannot be combined with " + other
                            + "=; drop one of them", terms.get(other).column());
                }
            }
            return new MetricQuery.At(instant(at, now));
        }
        PathTerm windowTerm = terms.get("window");
        PathTerm fromTerm = terms.get("from");
        PathTerm toTerm = terms.get("to");
        if (windowTerm != null && fromTerm != null && toTerm != null) {
            throw new QuerySyntaxException("from=, to= and window= all fix the range; give two of them",
                    windowTerm.column());
        }
        Duration window = windowTerm == null ? DEFAULT_WINDOW
                : PromDuration.parse(windowTerm.value(), "window", windowTerm.column());
        Instant from = fromTerm == null ? null : instant(fromTerm, now);
        Instant end = toTerm != null ? instant(toTerm, now) : from != null && windowTerm != null ? from.plus(window) : now;
        Instant start = from != null ? from : end.minus(window);
        if (end.isBefore(start)) {
            PathTerm at2 = toTerm != null ? toTerm : fromTerm;
            throw new QuerySyntaxException("the range ends (" + end + ") before it starts (" + start
                    + "); make to= later than from=", at2.column());
        }
        PathTerm stepTerm = terms.get("step");
        Duration step = stepTerm == null ? defaultStep(Duration.between(start, end))
                : PromDuration.parse(stepTerm.value(), "step", stepTerm.column());
        boolean defaulted = windowTerm == null && fromTerm == null && toTerm == null;
        return new MetricQuery.Range(start, end, step, defaulted);
    }

    /** The smallest nice step giving at most {@link #TARGET_POINTS} points over {@code window}. */
    static Duration defaultStep(Duration window) {
        for (Duration step : NICE_STEPS) {
            if (window.toMillis() / step.toMillis() + 1 <= TARGET_POINTS) {
                return step;
            }
        }
        long seconds = (window.toSeconds() + TARGET_POINTS - 2) / (TARGET_POINTS - 1);
        return Duration.ofSeconds(seconds);
    }

    /** {@code now}, RFC 3339, or relative to now: {@code -2h}, {@code now-2h}, {@code -1h30m}. */
    private static Instant instant(PathTerm term, Instant now) {
        String value = term.value();
        if (value.equals("now")) {
            return now;
        }
        if (value.startsWith("-") || value.startsWith("now-")) {
            String ago = value.substring(value.indexOf('-') + 1);
            return now.minus(PromDuration.parse(ago, term.key(), term.column()));
        }
        try {
            return OffsetDateTime.parse(value.toUpperCase(java.util.Locale.ROOT)).toInstant();
        } catch (DateTimeParseException e) {
            throw new QuerySyntaxException("'" + value + "' is not a time for " + term.key() + "=; write now, RFC 3339"
                    + " (e.g. " + term.key() + "=2026-01-01T12:00:00Z) or a time before now (e.g. " + term.key() + "=-2h)",
                    term.column());
        }
    }

    private static Optional<RangeFunction> function(PathTerm term) {
        return term == null ? Optional.empty() : Optional.of(RangeFunction.parse(term.value(), term.column()));
    }

    private static Optional<List<String>> sumBy(PathTerm term) {
        if (term == null) {
            return Optional.empty();
        }
        if (term.value().isEmpty()) {
            return Optional.of(List.of());
        }
        List<String> labels = new ArrayList<>();
        for (String label : term.value().split(",", -1)) {
            String name = label.strip();
            if (!PromQlStrings.isLabelName(name)) {
                throw new QuerySyntaxException("'" + name + "' in by= is not a label name; write labels separated"
                        + " by commas, e.g. by=job,code (an empty by= sums every series)", term.column());
            }
            if (labels.contains(name)) {
                throw new QuerySyntaxException("label '" + name + "' is repeated in by=; list it once", term.column());
            }
            labels.add(name);
        }
        return Optional.of(labels);
    }

    private static LabelMatcher matcher(PathTerm term) {
        try {
            return LabelMatcher.parse(term.value());
        } catch (QuerySyntaxException e) {
            throw new QuerySyntaxException(e.getMessage(), term.column());
        }
    }
}
