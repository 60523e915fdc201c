package dev.aegis.afs.core.http;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.prometheus.Credentials;
import dev.aegis.afs.core.source.BackendContext;
import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * The options every HTTP backend reads the same way: {@code url} (the server's base URL, no
 * credentials, query or fragment in it), {@code timeout} (default 30s), {@code retries} (default
 * 2) and the credentials ({@code bearer_token_file} / {@code bearer_token_env}, or
 * {@code username} with {@code password_file} / {@code password_env}).
 *
 * @param http an OkHttp client with the timeout applied and OkHttp's own retries off (ours are counted)
 */
public record HttpBackendOptions(HttpUrl url, Duration timeout, int retries, Credentials credentials, OkHttpClient http) {

    /** The option keys {@link #parse} reads, for {@code allowOnly}. */
    public static final String[] KEYS = {"url", "bearer_token_file", "bearer_token_env", "username", "password_file",
            "password_env", "timeout", "retries"};

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_RETRIES = 2;

    /** One connection pool and dispatcher for all HTTP backends; each derives its own timeouts. */
    private static final OkHttpClient SHARED = new OkHttpClient();

    public HttpBackendOptions {
        Objects.requireNonNull(url, "url is null");
        Objects.requireNonNull(timeout, "timeout is null");
        Objects.requireNonNull(credentials, "credentials is null");
        Objects.requireNonNull(http, "http is null");
    }

    /**
     * @param exampleUrl shown in messages, e.g. {@code http://127.0.0.1:9090}
     */
    public static HttpBackendOptions parse(ConfigNode options, BackendContext context, String exampleUrl) {
        return parse(options, "url", context, exampleUrl);
    }

    /** As {@link #parse(ConfigNode, BackendContext, String)}, with the URL under {@code urlKey}. */
    public static HttpBackendOptions parse(ConfigNode options, String urlKey, BackendContext context, String exampleUrl) {
        ConfigNode urlNode = options.require(urlKey);
        HttpUrl url = HttpUrl.parse(urlNode.asString().strip());
        if (url == null) {
            throw urlNode.error("'" + urlNode.asString() + "' is not an http or https URL; write e.g. " + exampleUrl);
        }
        if (url.username().length() > 0 || url.password().length() > 0) {
            throw urlNode.error("the url holds credentials; move them to username and password_file");
        }
        if (url.query() != null || url.fragment() != null) {
            throw urlNode.error("the url has a query or fragment; give the server's base URL, e.g. " + exampleUrl);
        }
        Duration timeout = options.get("timeout").map(ConfigNode::asDuration).orElse(DEFAULT_TIMEOUT);
        if (timeout.isZero()) {
            throw options.require("timeout").error("timeout must be positive; write e.g. 30s");
        }
        int retries = options.get("retries").map(n -> n.asLong(0, 10)).orElse((long) DEFAULT_RETRIES).intValue();
        Credentials credentials = Credentials.from(options, context);
        OkHttpClient http = SHARED.newBuilder()
                .callTimeout(timeout)
                .readTimeout(timeout)
                .connectTimeout(timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10))
                .retryOnConnectionFailure(false) // retries are ours, counted and backed off
                .build();
        return new HttpBackendOptions(url, timeout, retries, credentials, http);
    }
}
