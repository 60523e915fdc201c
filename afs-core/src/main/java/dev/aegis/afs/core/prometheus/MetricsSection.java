package dev.aegis.afs.core.prometheus;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.EnvContext;
import dev.aegis.afs.core.tree.EnvSection;
import dev.aegis.afs.query.promql.LabelMatcher;
import dev.aegis.afs.query.promql.PromQlStrings;
import dev.aegis.afs.query.promql.SeriesDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code metrics:} section of an env:
 * <pre>{@code
 * metrics:
 *   backend: prom                 # a backend of type prometheus
 *   series:
 *     requests: {metric: http_requests_total, match: {job: api, env: prod}}
 *     errors: sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))
 * }</pre>
 * Each series is shown as {@code metrics/<name>.prom}, {@code .csv} and {@code .tsv}.
 */
public final class MetricsSection implements EnvSection {

    private static final Pattern SERIES_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");

    @Override
    public String key() {
        return "metrics";
    }

    @Override
    public DirNode directory(EnvContext context, ConfigNode section) {
        section.allowOnly(Set.of("backend", "series"));
        PrometheusBackend backend = context.backend(section, PrometheusBackend.class, PrometheusBackend.TYPE);
        ConfigNode seriesNode = section.require("series");
        if (!seriesNode.isMap() || seriesNode.keys().isEmpty()) {
            throw seriesNode.error("series must map names to a PromQL expression or {metric: ..., match: {...}},"
                    + " e.g. requests: {metric: http_requests_total, match: {job: api}}");
        }
        Map<String, SeriesDefinition> series = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : seriesNode.entries().entrySet()) {
            if (!SERIES_NAME.matcher(e.getKey()).matches()) {
                throw e.getValue().error("series name '" + e.getKey() + "' cannot be a file name; use letters,"
                        + " digits, '_', '.' and '-' (at most 100), starting with a letter or digit");
            }
            series.put(e.getKey(), definition(e.getValue()));
        }
        return new MetricsDirectory(context.treePath() + "/" + key(), backend, series, context.clock(),
                context.captures(), context.cacheTtlMillis(backend));
    }

    static SeriesDefinition definition(ConfigNode node) {
        try {
            if (!node.isMap()) {
                return new SeriesDefinition.Expression(node.asString());
            }
            node.allowOnly(Set.of("metric", "match"));
            ConfigNode metric = node.require("metric");
            if (!PromQlStrings.isMetricName(metric.asString())) {
                throw metric.error("'" + metric.asString() + "' is not a metric name; write e.g. http_requests_total"
                        + " (for anything else write the series as a PromQL expression string)");
            }
            List<LabelMatcher> matchers = new ArrayList<>();
            ConfigNode match = node.get("match").orElse(null);
            if (match != null) {
                if (!match.isMap()) {
                    throw match.error("match must map label names to values, e.g. match: {job: api, env: prod}");
                }
                for (Map.Entry<String, ConfigNode> m : match.entries().entrySet()) {
                    if (!PromQlStrings.isLabelName(m.getKey())) {
                        throw m.getValue().error("'" + m.getKey() + "' is not a label name; a label name is a letter"
                                + " or _ followed by letters, digits and _");
                    }
                    matchers.add(LabelMatcher.eq(m.getKey(), m.getValue().asString()));
                }
            }
            return new SeriesDefinition.Selector(metric.asString(), matchers);
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }
}
