package dev.aegis.afs.query.promql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.QuerySyntaxException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PromQlEmitterTest {

    private static final MetricQueryCompiler COMPILER =
            new MetricQueryCompiler(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    private static final SeriesDefinition REQUESTS = new SeriesDefinition.Selector("http_requests_total",
            List.of(LabelMatcher.eq("job", "api"), LabelMatcher.eq("env", "prod")));
    private static final SeriesDefinition ERRORS =
            new SeriesDefinition.Expression("sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))");

    private static MetricPlan emit(SeriesDefinition series, String terms) {
        return new PromQlEmitter(series, 11_000).emit(COMPILER.compile(Terms.of(terms)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        ''                                  | query_range?query=http_requests_total{job="api", env="prod"}&start=2025-12-31T23:45:00Z&end=2026-01-01T00:00:00Z&step=5s
        window=1h&step=30s                  | query_range?query=http_requests_total{job="api", env="prod"}&start=2025-12-31T23:00:00Z&end=2026-01-01T00:00:00Z&step=30s
        at=now                              | query?query=http_requests_total{job="api", env="prod"}&time=2026-01-01T00:00:00Z
        at=now&fn=rate(5m)                  | query?query=rate(http_requests_total{job="api", env="prod"}[5m])&time=2026-01-01T00:00:00Z
        at=now&fn=increase(1h30m)           | query?query=increase(http_requests_total{job="api", env="prod"}[1h30m])&time=2026-01-01T00:00:00Z
        at=now&fn=quantile_over_time(0.99,5m) | query?query=quantile_over_time(0.99, http_requests_total{job="api", env="prod"}[5m])&time=2026-01-01T00:00:00Z
        at=now&fn=rate(5m)&by=code,instance | query?query=sum by (code, instance) (rate(http_requests_total{job="api", env="prod"}[5m]))&time=2026-01-01T00:00:00Z
        at=now&by=                          | query?query=sum(http_requests_total{job="api", env="prod"})&time=2026-01-01T00:00:00Z
        at=now&match=code=~5..&match=path!~/health.*&match=pod!=a | query?query=http_requests_total{job="api", env="prod", code=~"5..", path!~"/health.*", pod!="a"}&time=2026-01-01T00:00:00Z
        at=now&grep=api&grep-v=code="500"   | query?query=http_requests_total{job="api", env="prod", code!="500"}&time=2026-01-01T00:00:00Z
        at=now&grep-v=code="500"&by=job     | query?query=sum by (job) (http_requests_total{job="api", env="prod"})&time=2026-01-01T00:00:00Z
        at=now&grep-v=code=""               | query?query=http_requests_total{job="api", env="prod"}&time=2026-01-01T00:00:00Z
        at=now&grep-v=code="a\\b"           | query?query=http_requests_total{job="api", env="prod"}&time=2026-01-01T00:00:00Z
        at=now&grep-v=code=500              | query?query=http_requests_total{job="api", env="prod"}&time=2026-01-01T00:00:00Z
        """)
    void selectorSeries(String terms, String expected) {
        assertEquals(expected, emit(REQUESTS, terms).query().text());
    }

    @Test
    void grepFiltersAlwaysStayLocal() {
        MetricPlan plan = emit(REQUESTS, "grep=api&grep-v=code=\"500\"");
        assertEquals(List.of(LineFilter.keep(Match.literal("api")), LineFilter.drop(Match.literal("code=\"500\""))),
                plan.seriesFilters());
        assertEquals(List.of(), plan.localMatchers());
    }

    @Test
    void bareMetricHasNoBraces() {
        assertEquals("query?query=up&time=2026-01-01T00:00:00Z",
                emit(new SeriesDefinition.Selector("up", List.of()), "at=now").query().text());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        plain                | "plain"
        say "hi"             | "say \\"hi\\""
        C:\\temp\\x          | "C:\\\\temp\\\\x"
        a\\"b                | "a\\\\\\"b"
        ünïcødé ✓            | "ünïcødé ✓"
        """)
    void labelValuesAreQuotedExactly(String value, String quoted) {
        assertEquals("query?query=m{l=" + quoted + "}&time=2026-01-01T00:00:00Z",
                emit(new SeriesDefinition.Selector("m", List.of(LabelMatcher.eq("l", value))), "at=now").query().text());
    }

    @Test
    void controlCharactersInLabelValuesAreEscaped() {
        SeriesDefinition series = new SeriesDefinition.Selector("m",
                List.of(LabelMatcher.eq("a", "line1\nline2\r\ttab"), LabelMatcher.eq("b", "nul\0del\u007fnel\u0085")));
        assertEquals("m{a=\"line1\\nline2\\r\\ttab\", b=\"nul\\x00del\\x7fnel\\u0085\"}",
                emit(series, "at=now").query().promQl());
    }

    @Test
    void hostileMatchTermsAreQuotedNotInjected() {
        assertEquals("http_requests_total{job=\"api\", env=\"prod\", path=\"x\\\"} or vector(1) #\"}",
                emit(REQUESTS, "at=now&match=path=x\"} or vector(1) #").query().promQl());
        assertEquals("http_requests_total{job=\"api\", env=\"prod\", path=~\"a\\\\.b\\\\\\\\\"}",
                emit(REQUESTS, "at=now&match=path=~a\\.b\\\\").query().promQl());
    }

    @Test
    void expressionSeriesIsSentAsWrittenAndSummedByWrapping() {
        assertEquals("query_range?query=sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))"
                + "&start=2025-12-31T23:00:00Z&end=2026-01-01T00:00:00Z&step=15s", emit(ERRORS, "window=1h").query().text());
        assertEquals("sum(sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])))",
                emit(ERRORS, "by=").query().promQl());
    }

    @Test
    void matchOnAnExpressionSeriesFiltersItsResultLocally() {
        MetricPlan plan = emit(ERRORS, "match=job=api");
        assertEquals("sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))", plan.query().promQl());
        assertEquals(List.of(LabelMatcher.eq("job", "api")), plan.localMatchers());
        assertEquals(true, plan.localMatchers().get(0).matches(Map.of("job", "api")));
        assertEquals(false, plan.localMatchers().get(0).matches(Map.of("job", "web")));
    }

    @Test
    void termsThatCannotApplyToAnExpressionAreRefused() {
        assertEquals("fn= needs a series configured as {metric: ..., match: ...}; this series is the PromQL expression"
                        + " sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])): write the function into the"
                        + " expression instead",
                assertThrows(QuerySyntaxException.class, () -> emit(ERRORS, "fn=rate(5m)")).getMessage());
        assertEquals("match= cannot select the series inside the PromQL expression sum by (job)"
                        + " (rate(http_requests_total{code=~\"5..\"}[5m])) before by= sums them; configure the series"
                        + " as {metric: ..., match: ...} or drop by=",
                assertThrows(QuerySyntaxException.class, () -> emit(ERRORS, "match=job=api&by=")).getMessage());
    }

    @Test
    void tooManyPointsWidenTheStepAndSaySo() {
        MetricPlan plan = emit(REQUESTS, "window=7d&step=30s");
        // start and end are then rounded down to multiples of the wider step
        assertEquals("query_range?query=http_requests_total{job=\"api\", env=\"prod\"}&start=2025-12-24T23:59:50Z"
                + "&end=2025-12-31T23:59:30Z&step=55s", plan.query().text());
        assertEquals(Optional.of("step widened from 30s to 55s: a 1w window at 30s is 20161 points per series, over"
                + " max_points_per_series 11000; pass a larger step= or a shorter window="), plan.adjustment());
        MetricQuery.Range fitted = new MetricQuery.Range(Instant.parse("2025-12-25T00:00:00Z"),
                Instant.parse("2026-01-01T00:00:00Z"), java.time.Duration.ofSeconds(55));
        assertEquals(true, fitted.points() <= 11_000);
    }

    @Test
    void aSmallerLimitFromTheBackendApplies() {
        MetricPlan plan = new PromQlEmitter(REQUESTS, 100).emit(COMPILER.compile(Terms.of("window=1h&step=1s")));
        assertEquals("step widened from 1s to 37s: a 1h window at 1s is 3601 points per series, over"
                + " max_points_per_series 100; pass a larger step= or a shorter window=", plan.adjustment().orElseThrow());
        assertEquals(Optional.empty(), emit(REQUESTS, "window=1h&step=1s").adjustment());
    }

    @Test
    void subSecondStepsStayExact() {
        assertEquals("query_range?query=up&start=2025-12-31T23:59:00Z&end=2026-01-01T00:00:00Z&step=500ms",
                emit(new SeriesDefinition.Selector("up", List.of()), "window=1m&step=500ms").query().text());
    }
}
