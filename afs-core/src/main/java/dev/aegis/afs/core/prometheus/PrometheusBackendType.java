package dev.aegis.afs.core.prometheus;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.http.HttpBackendOptions;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.BackendType;
import dev.aegis.afs.query.promql.PromQlEmitter;
import java.util.Objects;

/**
 * {@code type: prometheus}. Options: {@code url} (required; {@code /api/v1/...} is appended),
 * {@code bearer_token_file} / {@code bearer_token_env}, or {@code username} with
 * {@code password_file} / {@code password_env}; {@code timeout} per attempt (default 30s),
 * {@code retries} (default 2), {@code max_points_per_series} (default and at most 11000,
 * Prometheus' own limit), and the common keys ({@code cache_ttl} is read by the core).
 */
public final class PrometheusBackendType implements BackendType {


    private final Sleeper sleeper;

    public PrometheusBackendType() {
        this(Sleeper.SYSTEM);
    }

    /** With an injected sleeper for the backoff between retries (tests). */
    public PrometheusBackendType(Sleeper sleeper) {
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper is null");
    }

    @Override
    public String type() {
        return PrometheusBackend.TYPE;
    }

    @Override
    public Backend create(String name, ConfigNode options, BackendContext context) {
        options.allowOnly(Backend.keys(Backend.keys(Backend.COMMON_OPTION_KEYS, HttpBackendOptions.KEYS), "max_points_per_series"));
        HttpBackendOptions http = HttpBackendOptions.parse(options, context, "http://127.0.0.1:9090");
        int maxPoints = options.get("max_points_per_series")
                .map(n -> n.asLong(2, PromQlEmitter.PROMETHEUS_MAX_POINTS))
                .orElse((long) PromQlEmitter.PROMETHEUS_MAX_POINTS).intValue();
        PrometheusClient client = new PrometheusClient(name, http, sleeper);
        return new PrometheusBackend(name, client, maxPoints);
    }
}
