package dev.aegis.afs.core.traces;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.http.HttpBackendOptions;
import dev.aegis.afs.core.prometheus.PrometheusClient;
import dev.aegis.afs.core.prometheus.Sleeper;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.BackendType;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code type: tempo}. Options: {@code url} (Tempo's query frontend; {@code /api/...} is
 * appended), the credentials, {@code timeout} and {@code retries} as for every HTTP backend,
 * {@code default_limit} (traces a listing shows without tail=, default 20), {@code max_traces}
 * (the most a listing asks for, default 200: each trace found is fetched whole), and
 * {@code service_graph} ({@code {url: ...}} plus credentials: the Prometheus that holds the
 * metrics-generator's service graph metrics; without it {@code traces/graph} says so).
 */
public final class TempoBackendType implements BackendType {

    private final Sleeper sleeper;

    public TempoBackendType() {
        this(Sleeper.SYSTEM);
    }

    public TempoBackendType(Sleeper sleeper) {
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper is null");
    }

    @Override
    public String type() {
        return TempoBackend.TYPE;
    }

    @Override
    public Backend create(String name, ConfigNode options, BackendContext context) {
        options.allowOnly(Backend.keys(Backend.keys(Backend.COMMON_OPTION_KEYS, HttpBackendOptions.KEYS), "default_limit",
                "max_traces", "service_graph"));
        HttpBackendOptions http = HttpBackendOptions.parse(options, context, "http://127.0.0.1:3200");
        long maxTraces = options.get("max_traces").map(n -> n.asLong(1, 10_000)).orElse(200L);
        long defaultLimit = options.get("default_limit").map(n -> n.asLong(1, maxTraces)).orElse(Math.min(20L, maxTraces));
        Optional<PrometheusClient> graph = options.get("service_graph").map(g -> {
            g.allowOnly(Set.of(HttpBackendOptions.KEYS));
            return PrometheusClient.of(name + ".service_graph", HttpBackendOptions.parse(g, context, "http://127.0.0.1:9090"),
                    sleeper);
        });
        return new TempoBackend(name, new TempoClient(name, http, sleeper), defaultLimit, maxTraces, graph);
    }
}
