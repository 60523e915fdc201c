package dev.aegis.afs.core.prometheus;

import dev.aegis.afs.core.source.Backend;
import java.util.Objects;

/**
 * A configured Prometheus server ({@code type: prometheus}). Metrics sections point at it with
 * {@code backend: <name>}; it serves no logs.
 */
public final class PrometheusBackend implements Backend {

    public static final String TYPE = "prometheus";

    private final String name;
    private final PrometheusClient client;
    private final int maxPointsPerSeries;

    PrometheusBackend(String name, PrometheusClient client, int maxPointsPerSeries) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.client = Objects.requireNonNull(client, "client is null");
        this.maxPointsPerSeries = maxPointsPerSeries;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return TYPE;
    }

    public PrometheusClient client() {
        return client;
    }

    /** {@code max_points_per_series}: a range read over more points per series gets a wider step. */
    public int maxPointsPerSeries() {
        return maxPointsPerSeries;
    }

    /** How evidence names this backend, e.g. {@code prometheus:main}. */
    public String label() {
        return TYPE + ":" + name;
    }
}
