package dev.aegis.afs.core.loki;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.source.BackendContext;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * The options of one {@code type: loki} backend.
 *
 * @param authorization the {@code Authorization} header, if any (secret: never printed)
 */
record LokiSettings(String name, HttpUrl url, Optional<String> tenant, Optional<Secrets.Auth> authorization,
                    Duration timeout, long maxEntriesPerQuery, long maxEntries, int retries, Duration lookback) {

    static final Set<String> KEYS = Set.of("type", "url", "tenant", "bearer_token_file", "bearer_token_env",
            "username", "password_file", "password_env", "timeout", "max_entries_per_query", "max_entries",
            "retries", "lookback");

    LokiSettings {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(url, "url is null");
        Objects.requireNonNull(tenant, "tenant is null");
        Objects.requireNonNull(authorization, "authorization is null");
        Objects.requireNonNull(timeout, "timeout is null");
        Objects.requireNonNull(lookback, "lookback is null");
    }

    static LokiSettings read(String name, ConfigNode options, BackendContext context) {
        options.allowOnly(KEYS);
        ConfigNode urlNode = options.require("url");
        HttpUrl url = HttpUrl.parse(urlNode.asString().strip());
        if (url == null) {
            throw urlNode.error("'" + urlNode.asString() + "' is not an http(s) URL; write e.g. url: http://loki:3100");
        }
        Optional<Secrets.Auth> authorization = Secrets.authorization(options, context);
        Duration timeout = options.get("timeout").map(ConfigNode::asDuration).orElse(Duration.ofSeconds(30));
        if (timeout.isZero()) {
            throw options.require("timeout").error("timeout must be positive; write e.g. timeout: 30s");
        }
        Duration lookback = options.get("lookback").map(ConfigNode::asDuration).orElse(Duration.ofHours(24));
        if (lookback.isZero()) {
            throw options.require("lookback").error("lookback must be positive; write e.g. lookback: 24h");
        }
        long perQuery = options.get("max_entries_per_query").map(n -> n.asLong(1, 1_000_000)).orElse(5000L);
        long max = options.get("max_entries").map(n -> n.asLong(1, 100_000_000)).orElse(100_000L);
        int retries = (int) (long) options.get("retries").map(n -> n.asLong(0, 10)).orElse(3L);
        return new LokiSettings(name, url, options.optString("tenant"), authorization, timeout, perQuery, max,
                retries, lookback);
    }

    /** {@code host:port}, for messages. */
    String hostPort() {
        return url.host() + ":" + url.port();
    }

    @Override
    public String toString() {
        return "LokiSettings[" + name + " " + url + "]"; // never the authorization
    }
}
