package dev.aegis.afs.core.traces;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.prometheus.Credentials;
import dev.aegis.afs.core.prometheus.Sleeper;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.BackendType;
import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * {@code type: zipkin}. Options: {@code url} (required; {@code /api/v2/...} is appended),
 * {@code bearer_token_file} / {@code bearer_token_env} or {@code username} with
 * {@code password_file} / {@code password_env}, {@code timeout} (default 30s), {@code retries}
 * (default 2), {@code default_limit} (traces a listing shows without tail=, default 20) and
 * {@code max_traces} (the most a listing asks for, default 1000).
 */
public final class ZipkinBackendType implements BackendType {

    private static final OkHttpClient SHARED = new OkHttpClient();

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
        options.allowOnly(Backend.keys(Backend.COMMON_OPTION_KEYS, "url", "bearer_token_file", "bearer_token_env",
                "username", "password_file", "password_env", "timeout", "retries", "default_limit", "max_traces"));
        ConfigNode urlNode = options.require("url");
        HttpUrl url = HttpUrl.parse(urlNode.asString().strip());
        if (url == null) {
            throw urlNode.error("'" + urlNode.asString() + "' is not an http or https URL; write e.g. http://127.0.0.1:9411");
        }
        if (url.username().length() > 0 || url.password().length() > 0) {
            throw urlNode.error("the url holds credentials; move them to username and password_file");
        }
        if (url.query() != null || url.fragment() != null) {
            throw urlNode.error("the url has a query or fragment; give the server's base URL, e.g. http://127.0.0.1:9411");
        }
        Duration timeout = options.get("timeout").map(ConfigNode::asDuration).orElse(Duration.ofSeconds(30));
        if (timeout.isZero()) {
            throw options.require("timeout").error("timeout must be positive; write e.g. 30s");
        }
        int retries = options.get("retries").map(n -> n.asLong(0, 10)).orElse(2L).intValue();
        long maxTraces = options.get("max_traces").map(n -> n.asLong(1, 100_000)).orElse(1000L);
        long defaultLimit = options.get("default_limit").map(n -> n.asLong(1, maxTraces)).orElse(Math.min(20L, maxTraces));
        OkHttpClient http = SHARED.newBuilder().callTimeout(timeout).readTimeout(timeout)
                .connectTimeout(timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10))
                .retryOnConnectionFailure(false).build();
        ZipkinClient client = new ZipkinClient(name, url, http, Credentials.from(options, context), retries, sleeper);
        return new ZipkinBackend(name, client, defaultLimit, maxTraces);
    }
}
