package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.config.ConfigNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * harness.yaml {@code incidents:}: the default budget, when repeats escalate, who may open
 * incidents by webhook (each sender with its own secret) and where notifications go.
 *
 * <pre>
 * incidents:
 *   budget: {reads: 500, bytes: 268435456, api_calls: 1000, change_requests: 10, tokens: 1000000}
 *   repeat_threshold: 3            # the same read or action without new information this often: ESCALATED
 *   public_url: https://afs.example.com   # links in notifications (default: web.origin, else http://listen)
 *   senders:                       # POST /v1/triggers/&lt;name&gt;
 *     alertmanager: {type: alertmanager, bearer_token_file: am.token}
 *     pagerduty: {type: pagerduty, hmac_secret_file: pd.secret}
 *   notify:
 *     slack: {type: slack, url: https://hooks.slack.com/services/..., events: [opened, pending_approval, escalated, closed]}
 *     ops: {type: webhook, url: https://ops.example.com/afs, secret_file: ops.secret}
 *   retry: {attempts: 5, backoff: 1s}   # doubled after each failed delivery, at most 5 min
 * </pre>
 */
public record IncidentSettings(IncidentBudget budget, int repeatThreshold, Optional<URI> publicUrl,
                               Map<String, Sender> senders, Map<String, Channel> channels, int attempts, Duration backoff) {

    public static final IncidentSettings DEFAULT = new IncidentSettings(IncidentBudget.DEFAULT_CAPS, 3, Optional.empty(),
            Map.of(), Map.of(), 5, Duration.ofSeconds(1));

    /** The events a channel may subscribe to. */
    public static final List<String> EVENTS = List.of("opened", "pending_approval", "escalated", "closed");

    public IncidentSettings {
        requireNonNull(budget, "budget is null");
        requireNonNull(publicUrl, "publicUrl is null");
        senders = Map.copyOf(senders);
        channels = Map.copyOf(channels);
        requireNonNull(backoff, "backoff is null");
        if (repeatThreshold < 2) {
            throw new IllegalArgumentException("repeat_threshold must be at least 2, not " + repeatThreshold);
        }
        if (attempts < 1) {
            throw new IllegalArgumentException("retry.attempts must be at least 1, not " + attempts);
        }
    }

    /** How a sender proves itself: a bearer token, or an HMAC-SHA256 of the body. */
    public enum Auth { BEARER, HMAC }

    /** A webhook sender: the payload it sends (alertmanager v4, pagerduty Events API v2) and its secret. */
    public record Sender(String name, String type, Auth auth, Path secretFile) {
        public Sender {
            requireNonNull(name, "name is null");
            requireNonNull(type, "type is null");
            requireNonNull(auth, "auth is null");
            requireNonNull(secretFile, "secretFile is null");
        }
    }

    /** Where notifications go: a Slack-compatible incoming webhook, or a generic webhook signed with its secret. */
    public record Channel(String name, String type, URI url, Optional<Path> secretFile, Set<String> events) {
        public Channel {
            requireNonNull(name, "name is null");
            requireNonNull(type, "type is null");
            requireNonNull(url, "url is null");
            requireNonNull(secretFile, "secretFile is null");
            events = Set.copyOf(events);
        }
    }

    static IncidentSettings parse(ConfigNode n, Path baseDir) {
        if (!n.isMap()) {
            throw n.error("incidents: is a map with budget, repeat_threshold, public_url, senders, notify, retry");
        }
        n.allowOnly(Set.of("budget", "repeat_threshold", "public_url", "senders", "notify", "retry"));
        IncidentBudget budget = n.get("budget").map(b -> IncidentBudget.parse(b, IncidentBudget.DEFAULT_CAPS))
                .orElse(IncidentBudget.DEFAULT_CAPS);
        int repeats = n.get("repeat_threshold").map(v -> v.asLong(2, 1000)).orElse(3L).intValue();
        Optional<URI> publicUrl = n.get("public_url").map(u -> {
            if (!u.asString().matches("https?://[^\\s]+")) {
                throw u.error("'" + u.asString() + "' is not an http(s) URL; write where people reach the approval page, "
                        + "e.g. https://afs.example.com");
            }
            return URI.create(u.asString().replaceAll("/+$", ""));
        });
        Map<String, Sender> senders = new LinkedHashMap<>();
        n.get("senders").ifPresent(s -> s.entries().forEach((name, spec) -> senders.put(name, sender(name, spec, baseDir))));
        Map<String, Channel> channels = new LinkedHashMap<>();
        n.get("notify").ifPresent(s -> s.entries().forEach((name, spec) -> channels.put(name, channel(name, spec, baseDir))));
        int attempts = 5;
        Duration backoff = Duration.ofSeconds(1);
        Optional<ConfigNode> retry = n.get("retry");
        if (retry.isPresent()) {
            retry.get().allowOnly(Set.of("attempts", "backoff"));
            attempts = retry.get().get("attempts").map(v -> v.asLong(1, 100)).orElse(5L).intValue();
            backoff = retry.get().get("backoff").map(ConfigNode::asDuration).orElse(backoff);
        }
        return new IncidentSettings(budget, repeats, publicUrl, senders, channels, attempts, backoff);
    }

    private static Sender sender(String name, ConfigNode spec, Path baseDir) {
        if (!name.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
            throw spec.error("sender name '" + name + "' must be lower-case letters, digits, '_' or '-' (it is the URL "
                    + "/v1/triggers/" + name + ")");
        }
        spec.allowOnly(Set.of("type", "bearer_token_file", "hmac_secret_file"));
        String type = spec.string("type");
        if (!type.equals("alertmanager") && !type.equals("pagerduty")) {
            throw spec.require("type").error("unknown sender type '" + type + "'; write alertmanager (the webhook_config "
                    + "v4 payload) or pagerduty (Events API v2)");
        }
        Optional<String> bearer = spec.optString("bearer_token_file");
        Optional<String> hmac = spec.optString("hmac_secret_file");
        if (bearer.isPresent() == hmac.isPresent()) {
            throw spec.error("sender '" + name + "' needs exactly one of bearer_token_file (Authorization: Bearer, as "
                    + "Alertmanager's http_config.authorization sends it) or hmac_secret_file (X-Afs-Signature: sha256=<hex "
                    + "HMAC-SHA256 of the body>)");
        }
        return new Sender(name, type, bearer.isPresent() ? Auth.BEARER : Auth.HMAC,
                baseDir.resolve(bearer.orElseGet(hmac::get)).normalize());
    }

    private static Channel channel(String name, ConfigNode spec, Path baseDir) {
        spec.allowOnly(Set.of("type", "url", "secret_file", "events"));
        String type = spec.string("type");
        if (!type.equals("slack") && !type.equals("webhook")) {
            throw spec.require("type").error("unknown notify type '" + type + "'; write slack (an incoming webhook) or "
                    + "webhook (a JSON POST signed with secret_file)");
        }
        String url = spec.string("url");
        if (!url.matches("https?://[^\\s]+")) {
            throw spec.require("url").error("'" + url + "' is not an http(s) URL");
        }
        Optional<Path> secret = spec.optString("secret_file").map(f -> baseDir.resolve(f).normalize());
        if (type.equals("webhook") && secret.isEmpty()) {
            throw spec.error("notify '" + name + "': a generic webhook needs secret_file: its payloads are signed "
                    + "(X-Afs-Signature), so the receiver can tell them from forgeries");
        }
        List<String> events = spec.get("events").map(ConfigNode::asStringList).orElse(EVENTS);
        for (String e : events) {
            if (!EVENTS.contains(e)) {
                throw spec.require("events").error("unknown event '" + e + "'; events are " + EVENTS);
            }
        }
        return new Channel(name, type, URI.create(url), secret, Set.copyOf(events));
    }
}
