package dev.aegis.afs.query.promql;

import java.util.List;
import java.util.Objects;

/** What a configured metrics file reads: a metric with label matchers, or a PromQL expression. */
public sealed interface SeriesDefinition {

    /**
     * {@code {metric: http_requests_total, match: {job: api}}}: path terms can add matchers,
     * a range function and an aggregation to it.
     */
    record Selector(String metric, List<LabelMatcher> matchers) implements SeriesDefinition {
        public Selector {
            Objects.requireNonNull(metric, "metric is null");
            matchers = List.copyOf(Objects.requireNonNull(matchers, "matchers is null"));
            if (!PromQlStrings.isMetricName(metric)) {
                throw new IllegalArgumentException("'" + metric + "' is not a metric name; a metric name is a letter,"
                        + " _ or : followed by letters, digits, _ and :, e.g. http_requests_total");
            }
        }

        /** The vector selector with {@code extra} matchers after the configured ones. */
        public String selector(List<LabelMatcher> extra) {
            if (matchers.isEmpty() && extra.isEmpty()) {
                return metric;
            }
            StringBuilder out = new StringBuilder(metric).append('{');
            String sep = "";
            for (LabelMatcher m : matchers) {
                out.append(sep).append(m.toPromQl());
                sep = ", ";
            }
            for (LabelMatcher m : extra) {
                out.append(sep).append(m.toPromQl());
                sep = ", ";
            }
            return out.append('}').toString();
        }
    }

    /** A PromQL expression written in the configuration, sent as written. */
    record Expression(String promQl) implements SeriesDefinition {
        public Expression {
            Objects.requireNonNull(promQl, "promQl is null");
            promQl = promQl.strip();
            if (promQl.isEmpty()) {
                throw new IllegalArgumentException("the PromQL expression is empty; write e.g. sum(rate(http_requests_total[5m]))");
            }
        }
    }
}
