package dev.aegis.afs.core.prometheus;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.BackendType;
import dev.aegis.afs.query.promql.PromQlEmitter;
import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * {@code type: prometheus}. Options: {@code url} (required; {@code /api/v1/...} is appended),
 * {@code bearer_token_file} / {@code bearer_token_env}, or {@code username} with
 * {@code password_file} / {@code password_env}; {@code timeout} per attempt (default 30s),
 * {@code retries} (default 2), {@code max_points_per_series} (default and at most 11000,
 * Prometheus' own limit), and the common keys ({@code cache_ttl} is read by the core).
 */
public final class PrometheusBackendType implements BackendType {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_RETRIES = 2;

    private static final OkHttpClient SHARED = new OkHttpClient();

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
        options.allowOnly(Backend.keys(Backend.COMMON_OPTION_KEYS, "url", "bearer_token_file", "bearer_token_env",
                "username", "password_file", "password_env", "timeout", "retries", "max_points_per_series"));
        ConfigNode urlNode = options.require("url");
        HttpUrl url = HttpUrl.parse(urlNode.asString().strip());
        if (url == null) {
            throw urlNode.error("'" + urlNode.asString() + "' is not an http or https URL; write e.g. http://127.0.0.1:9090");
        }
        if (url.username().length() > 0 || url.password().length() > 0) {
            throw urlNode.error("the url holds credentials; move them to username and password_file");
        }
        if (url.query() != null || url.fragment() != null) {
            throw urlNode.error("the url has a query or fragment; give the server's base URL, e.g. http://127.0.0.1:9090");
        }
        Duration timeout = options.get("timeout").map(ConfigNode::asDuration).orElse(DEFAULT_TIMEOUT);
        if (timeout.isZero()) {
            throw options.require("timeout").error("timeout must be positive; write e.g. 30s");
        }
        int retries = options.get("retries").map(n -> n.asLong(0, 10)).orElse((long) DEFAULT_RETRIES).intValue();
        int maxPoints = options.get("max_points_per_series")
                .map(n -> n.asLong(2, PromQlEmitter.PROMETHEUS_MAX_POINTS))
                .orElse((long) PromQlEmitter.PROMETHEUS_MAX_POINTS).intValue();
        Credentials credentials = Credentials.from(options, context);
        OkHttpClient http = SHARED.newBuilder()
                .callTimeout(timeout)
                .readTimeout(timeout)
                .connectTimeout(timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10))
                .retryOnConnectionFailure(false) // retries are ours, counted and backed off
                .build();
        PrometheusClient client = new PrometheusClient(name, url, http, credentials, timeout, retries, sleeper);
        return new PrometheusBackend(name, client, maxPoints);
    }
}
