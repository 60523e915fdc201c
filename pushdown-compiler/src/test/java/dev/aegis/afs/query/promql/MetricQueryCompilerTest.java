package dev.aegis.afs.query.promql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.QuerySyntaxException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetricQueryCompilerTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final MetricQueryCompiler COMPILER =
            new MetricQueryCompiler(Clock.fixed(NOW.plusMillis(700), ZoneOffset.UTC));

    private static MetricQuery compile(String text) {
        return COMPILER.compile(Terms.of(text));
    }

    @Test
    void fromAndToTakeRfc3339NowOrTimesBeforeNow() {
        assertEquals(new MetricQuery.Range(NOW.minus(Duration.ofHours(2)), NOW, Duration.ofSeconds(30)),
                compile("from=-2h").evaluation());
        assertEquals(new MetricQuery.Range(NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(1)),
                Duration.ofMinutes(1)), compile("from=now-2h&to=-1h&step=1m").evaluation());
        assertEquals(new MetricQuery.Range(Instant.parse("2025-12-31T10:00:00Z"), Instant.parse("2025-12-31T10:30:00Z"),
                Duration.ofSeconds(10)), compile("from=2025-12-31T10:00:00Z&window=30m").evaluation());
        assertEquals(new MetricQuery.Range(Instant.parse("2025-12-31T09:30:00Z"), Instant.parse("2025-12-31T10:00:00Z"),
                Duration.ofSeconds(10)), compile("to=2025-12-31T11:00:00+01:00&window=30m").evaluation());
        QuerySyntaxException three = assertThrows(QuerySyntaxException.class,
                () -> compile("from=-2h&to=-1h&window=1h"));
        assertEquals("column 17: from=, to= and window= all fix the range; give two of them", three.getMessage());
        QuerySyntaxException backwards = assertThrows(QuerySyntaxException.class, () -> compile("from=-1h&to=-2h"));
        assertTrue(backwards.getMessage().contains("make to= later than from="), backwards.getMessage());
    }

    @Test
    void alignedRangesStartAndEndOnMultiplesOfTheStep() {
        MetricQuery.Range r = new MetricQuery.Range(Instant.parse("2025-12-31T10:00:07.250Z"),
                Instant.parse("2025-12-31T10:59:59Z"), Duration.ofSeconds(30));
        assertEquals(new MetricQuery.Range(Instant.parse("2025-12-31T10:00:00Z"), Instant.parse("2025-12-31T10:59:30Z"),
                Duration.ofSeconds(30)), r.aligned());
        assertEquals(r.aligned(), r.aligned().aligned());
    }

    @Test
    void noTermsReadsTheLastFifteenMinutesInAtMost250Points() {
        MetricQuery q = compile("");
        assertEquals(new MetricQuery.Range(NOW.minus(Duration.ofMinutes(15)), NOW, Duration.ofSeconds(5), true), q.evaluation());
        assertEquals(181, ((MetricQuery.Range) q.evaluation()).points());
        assertEquals(Optional.empty(), q.function());
        assertEquals(Optional.empty(), q.sumBy());
    }

    @ParameterizedTest
    @CsvSource({"1m, 1s", "5m, 2s", "15m, 5s", "1h, 15s", "6h, 2m", "1d, 10m", "7d, 1h", "30d, 3h", "10y, 2w15h48m27s"})
    void defaultStepIsTheSmallestNiceStepWithinTarget(String window, String step) {
        MetricQuery.Range r = (MetricQuery.Range) compile("window=" + window).evaluation();
        assertEquals(step, PromDuration.format(r.step()));
        assertEquals(true, r.points() <= MetricQueryCompiler.TARGET_POINTS, () -> r.points() + " points");
    }

    @Test
    void everyTermIsRead() {
        MetricQuery q = compile("window=1h&step=30s&fn=quantile_over_time(0.990,5m)&by=job,code"
                + "&match=code=~5..&match=job!=web&grep=api&grep-v=code=\"503\"");
        assertEquals(new MetricQuery.Range(NOW.minus(Duration.ofHours(1)), NOW, Duration.ofSeconds(30)), q.evaluation());
        assertEquals(Optional.of(new RangeFunction(RangeFunction.Name.QUANTILE_OVER_TIME,
                Optional.of(new BigDecimal("0.990")), Duration.ofMinutes(5))), q.function());
        assertEquals(Optional.of(List.of("job", "code")), q.sumBy());
        assertEquals(List.of(new LabelMatcher("code", LabelMatcher.Op.RE, "5.."),
                new LabelMatcher("job", LabelMatcher.Op.NEQ, "web")), q.matchers());
        assertEquals(List.of(LineFilter.keep(Match.literal("api")), LineFilter.drop(Match.literal("code=\"503\""))),
                q.seriesFilters());
    }

    @Test
    void atReadsOneInstant() {
        assertEquals(new MetricQuery.At(NOW), compile("at=now").evaluation());
        assertEquals(new MetricQuery.At(Instant.parse("2025-12-31T22:30:00Z")),
                compile("at=2026-01-01T00:30:00+02:00").evaluation());
    }

    @Test
    void emptyBySumsEverySeries() {
        assertEquals(Optional.of(List.of()), compile("by=").sumBy());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        foo=1                  | column 1: unknown term 'foo' for a metrics file; valid terms: at, by, fn, from, grep, grep-v, match, step, to, window
        window=1h&tail=5       | column 11: 'tail' does not apply to a metrics file: metrics files are read over a time window, not by lines; use window= (e.g. window=5m) or at= for one instant
        since=1h               | column 1: 'since' does not apply to a metrics file: use from=-1h (or window=1h) for the hour up to now, or at=2026-01-01T00:00:00Z for one instant
        grep-F=x               | column 1: 'grep-F' does not apply to a metrics file: on a metrics file grep= already matches a fixed string on the series text (name{labels}); for a regular expression on a label use match=label=~regex
        window=1h&window=2h    | column 11: 'window' is given twice; keep one
        at=now&step=1m         | column 8: at= reads one instant and cannot be combined with step=; drop one of them
        at=yesterday           | column 1: 'yesterday' is not a time for at=; write now, RFC 3339 (e.g. at=2026-01-01T12:00:00Z) or a time before now (e.g. at=-2h)
        window=1 hour          | column 1: '1 hour' is not a duration for window; write e.g. 30s, 5m, 1h or 1h30m (units ms, s, m, h, d, w, y)
        step=0s                | column 1: duration for step must be positive, was '0s'
        window=11y             | column 1: duration '11y' for window is too long; use at most 10y
        fn=rate                | column 1: 'rate' is not a function; write e.g. fn=rate(5m), fn=increase(1h), fn=avg_over_time(5m) or fn=quantile_over_time(0.99,5m)
        fn=irate(5m)           | column 1: unknown function 'irate'; fn= takes rate, increase, avg_over_time, max_over_time, min_over_time, sum_over_time, count_over_time, quantile_over_time
        fn=rate(5m,1m)         | column 1: rate takes one range, e.g. fn=rate(5m)
        fn=quantile_over_time(1.5,5m) | column 1: quantile '1.5' must be a number from 0 to 1, e.g. 0.99
        fn=quantile_over_time(5m)     | column 1: quantile_over_time takes a quantile and a range, e.g. fn=quantile_over_time(0.99,5m)
        by=job,job             | column 1: label 'job' is repeated in by=; list it once
        by=job,2x              | column 1: '2x' in by= is not a label name; write labels separated by commas, e.g. by=job,code (an empty by= sums every series)
        window=1h&match=code   | column 11: 'code' is not a label matcher; write label=value, label!=value, label=~regex or label!~regex, e.g. match=code=~5..
        match==5               | column 1: '=5' is not a label matcher; write label=value, label!=value, label=~regex or label!~regex, e.g. match=code=~5..
        match=code=~5(         | column 1: invalid regular expression '5(': missing closing ); label regexes use RE2 syntax and match the whole value, e.g. 5..
        """)
    void errorsNameTheColumnAndTheFix(String query, String message) {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> compile(query));
        assertEquals(message, e.getMessage());
    }
}
