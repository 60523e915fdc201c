package dev.aegis.afs.query.promql;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.QuerySyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Turns a {@link MetricQuery} on one configured series into a Prometheus request; see the package doc. */
public final class PromQlEmitter {

    /** Prometheus refuses a range query over 11000 points per series. */
    public static final int PROMETHEUS_MAX_POINTS = 11_000;

    private final SeriesDefinition series;
    private final int maxPointsPerSeries;

    public PromQlEmitter(SeriesDefinition series, int maxPointsPerSeries) {
        this.series = Objects.requireNonNull(series, "series is null");
        if (maxPointsPerSeries < 2 || maxPointsPerSeries > PROMETHEUS_MAX_POINTS) {
            throw new IllegalArgumentException("maxPointsPerSeries must be from 2 to " + PROMETHEUS_MAX_POINTS
                    + ", was " + maxPointsPerSeries);
        }
        this.maxPointsPerSeries = maxPointsPerSeries;
    }

    /** @throws QuerySyntaxException when the terms cannot apply to this series */
    public MetricPlan emit(MetricQuery query) {
        Objects.requireNonNull(query, "query is null");
        List<LabelMatcher> local = new ArrayList<>();
        String promQl = series instanceof SeriesDefinition.Selector s
                ? selectorQuery(s, query)
                : expressionQuery((SeriesDefinition.Expression) series, query, local);
        List<PrometheusQuery.Param> params = new ArrayList<>();
        params.add(new PrometheusQuery.Param("query", promQl));
        Optional<String> adjustment = Optional.empty();
        Optional<MetricQuery.Range> defaultWindow = Optional.empty();
        PrometheusQuery.Endpoint endpoint;
        if (query.evaluation() instanceof MetricQuery.At at) {
            endpoint = PrometheusQuery.Endpoint.QUERY;
            params.add(new PrometheusQuery.Param("time", at.time().toString()));
        } else {
            MetricQuery.Range range = (MetricQuery.Range) query.evaluation();
            endpoint = PrometheusQuery.Endpoint.QUERY_RANGE;
            MetricQuery.Range fitted = fit(range);
            if (!fitted.equals(range)) {
                adjustment = Optional.of(widened(range, fitted));
            }
            fitted = fitted.aligned();
            if (fitted.defaultWindow()) {
                defaultWindow = Optional.of(fitted);
            }
            params.add(new PrometheusQuery.Param("start", fitted.start().toString()));
            params.add(new PrometheusQuery.Param("end", fitted.end().toString()));
            params.add(new PrometheusQuery.Param("step", PromDuration.format(fitted.step())));
        }
        return new MetricPlan(new PrometheusQuery(endpoint, params), local, query.seriesFilters(), adjustment,
                defaultWindow);
    }

    private static String selectorQuery(SeriesDefinition.Selector s, MetricQuery query) {
        List<LabelMatcher> extra = new ArrayList<>(query.matchers());
        if (query.sumBy().isEmpty()) {
            // Without a sum the result keeps every input label, so a dropped pair is dropped at the source too.
            for (LineFilter filter : query.seriesFilters()) {
                exclusionMatcher(filter).filter(m -> !extra.contains(m)).ifPresent(extra::add);
            }
        }
        String selector = s.selector(extra);
        String expr = query.function().map(fn -> fn.apply(selector)).orElse(selector);
        return query.sumBy().map(by -> sum(by, expr)).orElse(expr);
    }

    private static String expressionQuery(SeriesDefinition.Expression e, MetricQuery query, List<LabelMatcher> local) {
        if (query.function().isPresent()) {
            throw new QuerySyntaxException("fn= needs a series configured as {metric: ..., match: ...}; this series"
                    + " is the PromQL expression " + e.promQl() + ": write the function into the expression instead");
        }
        if (!query.matchers().isEmpty()) {
            if (query.sumBy().isPresent()) {
                throw new QuerySyntaxException("match= cannot select the series inside the PromQL expression "
                        + e.promQl() + " before by= sums them; configure the series as {metric: ..., match: ...}"
                        + " or drop by=");
            }
            // The expression's result series are filtered by their labels as they arrive: exact.
            local.addAll(query.matchers());
        }
        return query.sumBy().map(by -> sum(by, e.promQl())).orElse(e.promQl());
    }

    private static String sum(List<String> by, String inner) {
        return by.isEmpty() ? "sum(" + inner + ")" : "sum by (" + String.join(", ", by) + ") (" + inner + ")";
    }

    /**
     * {@code grep-v='label="value"'} drops exactly the series whose label has that value: a
     * series text holds {@code label="value"} only where that pair is (values are escaped, so the
     * quotes cannot come from inside one); a longer label name ending in {@code label}
     * ({@code exported_job="api"} for {@code job="api"}) is also dropped by the local filter, which
     * stays. A positive {@code grep=} is never pushed: that longer name would be lost.
     */
    static Optional<LabelMatcher> exclusionMatcher(LineFilter filter) {
        if (!filter.exclude() || filter.anyOf().size() != 1 || !filter.isLiteral()) {
            return Optional.empty();
        }
        String text = filter.anyOf().get(0).text();
        int eq = text.indexOf("=\"");
        if (eq <= 0 || !text.endsWith("\"") || text.length() < eq + 4) {
            return Optional.empty(); // also refuses label="" : an absent label is "" but has no text
        }
        String label = text.substring(0, eq);
        String value = text.substring(eq + 2, text.length() - 1);
        if (!PromQlStrings.isLabelName(label) || label.equals("__name__") || value.indexOf('"') >= 0
                || value.indexOf('\\') >= 0) {
            return Optional.empty();
        }
        return Optional.of(new LabelMatcher(label, LabelMatcher.Op.NEQ, value));
    }

    /** The range with its step widened, when needed, to stay within the points limit. */
    MetricQuery.Range fit(MetricQuery.Range range) {
        if (range.points() <= maxPointsPerSeries) {
            return range;
        }
        long spanMillis = Duration.between(range.start(), range.end()).toMillis();
        long stepMillis = ceilDiv(spanMillis, maxPointsPerSeries - 1L);
        if (stepMillis >= 1000) {
            stepMillis = ceilDiv(stepMillis, 1000) * 1000;
        }
        return new MetricQuery.Range(range.start(), range.end(), Duration.ofMillis(stepMillis), range.defaultWindow());
    }

    private String widened(MetricQuery.Range asked, MetricQuery.Range fitted) {
        return "step widened from " + PromDuration.format(asked.step()) + " to " + PromDuration.format(fitted.step())
                + ": a " + PromDuration.format(Duration.between(asked.start(), asked.end())) + " window at "
                + PromDuration.format(asked.step()) + " is " + asked.points() + " points per series, over"
                + " max_points_per_series " + maxPointsPerSeries + "; pass a larger step= or a shorter window=";
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
