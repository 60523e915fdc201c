package dev.aegis.afs.query.promql;

import dev.aegis.afs.query.LineFilter;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What Prometheus runs and what the reader applies to the series it returns.
 *
 * @param query         the API request
 * @param localMatchers label matchers Prometheus could not apply (extra matchers on a series
 *                      defined as a PromQL expression); a series is kept when all match
 * @param seriesFilters grep filters on the series text; a series is kept when all keep it
 * @param adjustment    a change made to fit Prometheus' limits (a widened step), for the
 *                      evidence's truncation reason; empty when the query runs as asked
 * @param defaultWindow the range, when the reader gave none and the default window chose it
 *                      (a read whose series reach back to its start was cut by it)
 */
public record MetricPlan(PrometheusQuery query, List<LabelMatcher> localMatchers, List<LineFilter> seriesFilters,
                         Optional<String> adjustment, Optional<MetricQuery.Range> defaultWindow) {

    public MetricPlan(PrometheusQuery query, List<LabelMatcher> localMatchers, List<LineFilter> seriesFilters,
                      Optional<String> adjustment) {
        this(query, localMatchers, seriesFilters, adjustment, Optional.empty());
    }

    public MetricPlan {
        Objects.requireNonNull(query, "query is null");
        localMatchers = List.copyOf(Objects.requireNonNull(localMatchers, "localMatchers is null"));
        seriesFilters = List.copyOf(Objects.requireNonNull(seriesFilters, "seriesFilters is null"));
        Objects.requireNonNull(adjustment, "adjustment is null");
        Objects.requireNonNull(defaultWindow, "defaultWindow is null");
    }
}
