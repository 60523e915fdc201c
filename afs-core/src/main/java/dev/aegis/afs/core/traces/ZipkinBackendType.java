package dev.aegis.afs.core.traces;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.http.HttpBackendOptions;
import dev.aegis.afs.core.prometheus.Sleeper;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.BackendType;
import java.util.Objects;

/**
 * {@code type: zipkin}. Options: {@code url} (required; {@code /api/v2/...} is appended),
 * {@code bearer_token_file} / {@code bearer_token_env} or {@code username} with
 * {@code password_file} / {@code password_env}, {@code timeout} (default 30s), {@code retries}
 * (default 2), {@code default_limit} (traces a listing shows without tail=, default 20) and
 * {@code max_traces} (the most a listing asks for, default 1000).
 */
public final class ZipkinBackendType implements BackendType {

    private final Sleeper sleeper;

    public ZipkinBackendType() {
        this(Sleeper.SYSTEM);
    }

    public ZipkinBackendType(Sleeper sleeper) {
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper is null");
    }

    @Override
    public String type() {
        return ZipkinBackend.TYPE;
    }

    @Override
    public Backend create(String name, ConfigNode options, BackendContext context) {
        options.allowOnly(Backend.keys(Backend.keys(Backend.COMMON_OPTION_KEYS, HttpBackendOptions.KEYS), "default_limit",
                "max_traces"));
        HttpBackendOptions http = HttpBackendOptions.parse(options, context, "http://127.0.0.1:9411");
        long maxTraces = options.get("max_traces").map(n -> n.asLong(1, 100_000)).orElse(1000L);
        long defaultLimit = options.get("default_limit").map(n -> n.asLong(1, maxTraces)).orElse(Math.min(20L, maxTraces));
        ZipkinClient client = new ZipkinClient(name, http, sleeper);
        return new ZipkinBackend(name, client, defaultLimit, maxTraces);
    }
}
