package dev.aegis.afs.query.traces;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.LogQueryCompiler;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathTerm;
import dev.aegis.afs.query.promql.PromDuration;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Compiles the terms of a trace listing ({@code traces/api/traces.log?since=1h&status=error&tail=20})
 * into a {@link TraceQuery}. Pure; "now" is the injected clock's, truncated to milliseconds (the
 * precision of Zipkin's {@code endTs}).
 *
 * <p>Terms: {@code since=}, {@code from=}, {@code to=} (as for log files; default the last
 * {@code defaultWindow}), {@code min-duration=} and {@code max-duration=} (e.g. {@code 250ms},
 * {@code 2s}), {@code status=error}, {@code span=NAME}, {@code tail=N} (the newest N traces), and
 * {@code grep=}, {@code grep-v=}, {@code grep-i=}, {@code grep-F=} on the listing's lines.
 */
public final class TraceQueryCompiler {

    /** Every key, in the order messages list them. */
    public static final Set<String> KEYS = new LinkedHashSet<>(List.of("since", "from", "to", "min-duration",
            "max-duration", "status", "span", "tail", "grep", "grep-v", "grep-i", "grep-F"));

    private static final Set<String> OWN = Set.of("min-duration", "max-duration", "status", "span");

    private final Clock clock;
    private final Duration defaultWindow;

    public TraceQueryCompiler(Clock clock, Duration defaultWindow) {
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.defaultWindow = Objects.requireNonNull(defaultWindow, "defaultWindow is null");
        if (defaultWindow.isZero() || defaultWindow.isNegative()) {
            throw new IllegalArgumentException("defaultWindow must be positive, was " + defaultWindow);
        }
    }

    /** @throws QuerySyntaxException naming the term's column and the fix */
    public TraceQuery compile(String service, PathQuery query) {
        Objects.requireNonNull(service, "service is null");
        Objects.requireNonNull(query, "query is null");
        List<PathTerm> common = new ArrayList<>();
        Optional<String> span = Optional.empty();
        Optional<Duration> min = Optional.empty();
        Optional<Duration> max = Optional.empty();
        boolean errors = false;
        Set<String> seen = new java.util.HashSet<>();
        for (PathTerm term : query.terms()) {
            if (!KEYS.contains(term.key())) {
                throw new QuerySyntaxException("unknown term '" + term.key() + "' for a trace listing; valid terms: "
                        + String.join(", ", KEYS) + " (e.g. since=1h&status=error&min-duration=500ms&tail=20)",
                        term.column());
            }
            if ((OWN.contains(term.key()) || term.key().equals("tail")) && !seen.add(term.key())) {
                throw new QuerySyntaxException("'" + term.key() + "' is given twice; keep one", term.column());
            }
            switch (term.key()) {
                case "span" -> {
                    if (term.value().isEmpty()) {
                        throw new QuerySyntaxException("span= needs a span name, e.g. span=get%20/pay", term.column());
                    }
                    span = Optional.of(term.value());
                }
                case "min-duration" -> min = Optional.of(duration(term));
                case "max-duration" -> max = Optional.of(duration(term));
                case "status" -> {
                    if (!term.value().equals("error")) {
                        throw new QuerySyntaxException("status=" + term.value() + " is not a trace status; write"
                                + " status=error for traces with a failed span (leave it out for all)", term.column());
                    }
                    errors = true;
                }
                default -> common.add(term);
            }
        }
        if (min.isPresent() && max.isPresent() && max.get().compareTo(min.get()) < 0) {
            PathTerm at = query.terms().stream().filter(t -> t.key().equals("max-duration")).findFirst().orElseThrow();
            throw new QuerySyntaxException("max-duration is shorter than min-duration; make it longer", at.column());
        }
        Clock now = Clock.fixed(clock.instant().truncatedTo(ChronoUnit.MILLIS), java.time.ZoneOffset.UTC);
        LogQuery lines = LogQueryCompiler.compile(new PathQuery(query.text(), common), now);
        List<LineFilter> filters = new ArrayList<>();
        OptionalLong tail = OptionalLong.empty();
        for (Stage s : lines.stages()) {
            if (s instanceof LineFilter f) {
                filters.add(f);
            } else if (s instanceof LineLimit l) {
                tail = OptionalLong.of(l.count());
            }
        }
        Instant end = lines.range().end().orElse(now.instant());
        Instant start = lines.range().start().orElse(end.minus(defaultWindow));
        if (end.isBefore(start)) {
            PathTerm at = common.stream().filter(t -> !t.key().startsWith("grep")).findFirst().orElseThrow();
            throw new QuerySyntaxException("the window ends (" + end + ") before it starts (" + start
                    + "); give since= or from= before to=", at.column());
        }
        return new TraceQuery(service, span, min, max, errors, start, end, tail, filters, lines.range().isAll());
    }

    private static Duration duration(PathTerm term) {
        Duration d = PromDuration.parse(term.value(), term.key(), term.column());
        return d;
    }
}
