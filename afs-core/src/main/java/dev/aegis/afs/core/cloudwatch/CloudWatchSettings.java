package dev.aegis.afs.core.cloudwatch;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.query.insights.InsightsQuery;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** The options of one {@code type: cloudwatch} backend. */
record CloudWatchSettings(String name, String region, Optional<URI> endpoint, Duration timeout, Duration queryTimeout,
                          Duration pollInterval, long maxEntries, int maxRowsPerQuery, int retries, Duration lookback) {

    static final Set<String> KEYS = Set.of("type", "region", "endpoint", "timeout", "query_timeout", "poll_interval",
            "max_entries", "max_rows_per_query", "retries", "lookback");

    CloudWatchSettings {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(region, "region is null");
        Objects.requireNonNull(endpoint, "endpoint is null");
        Objects.requireNonNull(timeout, "timeout is null");
        Objects.requireNonNull(queryTimeout, "queryTimeout is null");
        Objects.requireNonNull(pollInterval, "pollInterval is null");
        Objects.requireNonNull(lookback, "lookback is null");
    }

    static CloudWatchSettings read(String name, ConfigNode options) {
        options.allowOnly(KEYS);
        ConfigNode regionNode = options.require("region");
        String region = regionNode.asString().strip();
        if (!region.matches("[a-z]{2}(-[a-z]+)+-\\d+")) {
            throw regionNode.error("'" + region + "' is not an AWS region; write e.g. region: eu-west-1");
        }
        Optional<URI> endpoint = Optional.empty();
        if (options.get("endpoint").isPresent()) {
            ConfigNode node = options.require("endpoint");
            try {
                URI uri = new URI(node.asString().strip());
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new URISyntaxException(node.asString(), "not http(s)");
                }
                endpoint = Optional.of(uri);
            } catch (URISyntaxException e) {
                throw node.error("'" + node.asString() + "' is not an http(s) URL; write e.g. endpoint: https://logs.eu-west-1.amazonaws.com");
            }
        }
        return new CloudWatchSettings(name, region, endpoint,
                positive(options, "timeout", Duration.ofSeconds(30)),
                positive(options, "query_timeout", Duration.ofMinutes(2)),
                positive(options, "poll_interval", Duration.ofSeconds(1)),
                options.get("max_entries").map(n -> n.asLong(1, 100_000_000)).orElse(100_000L),
                (int) (long) options.get("max_rows_per_query").map(n -> n.asLong(1, InsightsQuery.MAX_ROWS))
                        .orElse((long) InsightsQuery.MAX_ROWS),
                (int) (long) options.get("retries").map(n -> n.asLong(0, 10)).orElse(3L),
                positive(options, "lookback", Duration.ofHours(24)));
    }

    private static Duration positive(ConfigNode options, String key, Duration fallback) {
        Duration d = options.get(key).map(ConfigNode::asDuration).orElse(fallback);
        if (d.isZero()) {
            throw options.require(key).error(key + " must be positive; write e.g. " + key + ": 30s");
        }
        return d;
    }

    /** {@code host:port} of the endpoint, for messages. */
    String host() {
        return endpoint.map(u -> u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80))
                .orElse("logs." + region + ".amazonaws.com");
    }
}
