package dev.aegis.afs.query.promql;

import dev.aegis.afs.query.pushdown.BackendQuery;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One request to the Prometheus HTTP API v1: {@code query_range} or {@code query}, with its
 * parameters in the order sent. {@link #text()} is what evidence records, e.g.
 * {@code query_range?query=rate(x[5m])&start=2026-01-01T00:00:00Z&end=...&step=30s} (values as
 * sent, before URL encoding).
 */
public record PrometheusQuery(Endpoint endpoint, List<Param> params) implements BackendQuery {

    public enum Endpoint {
        QUERY_RANGE("query_range"), QUERY("query");

        private final String path;

        Endpoint(String path) {
            this.path = path;
        }

        /** The path under {@code /api/v1/}. */
        public String path() {
            return path;
        }
    }

    public record Param(String name, String value) {
        public Param {
            Objects.requireNonNull(name, "name is null");
            Objects.requireNonNull(value, "value is null");
        }
    }

    public PrometheusQuery {
        Objects.requireNonNull(endpoint, "endpoint is null");
        params = List.copyOf(Objects.requireNonNull(params, "params is null"));
    }

    /** The PromQL expression (the {@code query} parameter). */
    public String promQl() {
        return params.stream().filter(p -> p.name().equals("query")).map(Param::value).findFirst().orElseThrow();
    }

    @Override
    public String text() {
        return endpoint.path() + "?" + params.stream().map(p -> p.name() + "=" + p.value()).collect(Collectors.joining("&"));
    }

    @Override
    public String toString() {
        return text();
    }
}
