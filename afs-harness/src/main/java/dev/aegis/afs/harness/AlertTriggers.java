package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code POST /v1/triggers/<sender>}: Alertmanager webhooks (the v4 payload: grouped alerts,
 * firing and resolved) and PagerDuty Events API v2 events open or update incidents. Each sender
 * of harness.yaml {@code incidents.senders} proves itself with its own secret, a bearer token or
 * an HMAC-SHA256 of the body; anything else is refused before the body is looked at, and nothing
 * is recorded for it.
 */
final class AlertTriggers {

    static final int MAX_BODY = 1 << 20;

    private final Map<String, IncidentSettings.Sender> senders;
    private final Incidents incidents;
    private final HarnessMetrics metrics;

    AlertTriggers(IncidentSettings settings, Incidents incidents, HarnessMetrics metrics) throws IOException {
        this.senders = Map.copyOf(settings.senders());
        this.incidents = requireNonNull(incidents, "incidents is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        for (IncidentSettings.Sender s : senders.values()) {
            if (!Files.isRegularFile(s.secretFile())) {
                throw new IOException("incidents.senders." + s.name() + ": " + s.secretFile() + " does not exist; write the "
                        + "sender's secret there (e.g. head -c 32 /dev/urandom | base64 > " + s.secretFile() + "; chmod 600 "
                        + s.secretFile() + ")");
            }
            PrivateFiles.refuseShared(s.secretFile(), "600");
        }
    }

    /** The answer: HTTP status and JSON body. */
    record Answer(int status, ObjectNode body) {
    }

    Answer handle(String name, String authorization, String signature, byte[] body) throws AfsException {
        IncidentSettings.Sender s = senders.get(name);
        if (s == null) {
            throw new AfsException(AfsError.NOT_FOUND, "no sender '" + name + "' in harness.yaml incidents.senders"
                    + (senders.isEmpty() ? "" : " (senders: " + new java.util.TreeSet<>(senders.keySet()) + ")"));
        }
        authenticate(s, authorization, signature, body);
        JsonNode payload;
        try {
            payload = Ledger.JSON.readTree(body);
        } catch (IOException e) {
            metrics.trigger(s.type(), "invalid");
            throw new AfsException(AfsError.INVALID_ARGUMENT, "the body is not JSON: " + e.getMessage());
        }
        if (payload == null || !payload.isObject()) {
            metrics.trigger(s.type(), "invalid");
            throw new AfsException(AfsError.INVALID_ARGUMENT, "the body must be a JSON object");
        }
        try {
            return s.type().equals("alertmanager") ? alertmanager(s, payload) : pagerduty(s, payload);
        } catch (SQLException e) {
            throw new AfsException(e instanceof RequestStore.Unavailable ? AfsError.UNAVAILABLE : AfsError.INTERNAL,
                    "the incident store: " + e.getMessage(), e);
        }
    }

    private void authenticate(IncidentSettings.Sender s, String authorization, String signature, byte[] body)
            throws AfsException {
        String secret;
        try {
            secret = Files.readString(s.secretFile(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new AfsException(AfsError.UNAVAILABLE, "cannot read the secret of sender " + s.name() + ": " + e.getMessage());
        }
        boolean ok;
        if (s.auth() == IncidentSettings.Auth.BEARER) {
            ok = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                    && MessageDigest.isEqual(authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8),
                    secret.getBytes(StandardCharsets.UTF_8));
        } else {
            String expected = "sha256=" + IncidentNotifier.hmac(secret, new byte[0], body);
            ok = signature != null && MessageDigest.isEqual(signature.strip().toLowerCase(java.util.Locale.ROOT)
                    .getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
        }
        if (!ok) {
            metrics.trigger(s.type(), "refused");
            throw new AfsException(AfsError.ACCESS_DENIED, "sender " + s.name() + " is not authenticated: "
                    + (s.auth() == IncidentSettings.Auth.BEARER ? "send Authorization: Bearer <the token in its bearer_token_file>"
                    : "send X-Afs-Signature: sha256=<hex HMAC-SHA256 of the body with its hmac_secret_file>")
                    + "; nothing was recorded");
        }
    }

    /** Alertmanager's webhook_config payload, version 4: one notification per alert group. */
    private Answer alertmanager(IncidentSettings.Sender s, JsonNode p) throws AfsException, SQLException {
        if (!p.path("version").asText().equals("4")) {
            metrics.trigger(s.type(), "invalid");
            throw new AfsException(AfsError.INVALID_ARGUMENT, "version '" + p.path("version").asText() + "' of the Alertmanager"
                    + " payload is not supported; the harness reads version 4 (Alertmanager 0.x webhook_config)");
        }
        String key = p.path("groupKey").asText("");
        if (key.isEmpty() || !p.path("alerts").isArray() || p.path("alerts").isEmpty()) {
            metrics.trigger(s.type(), "invalid");
            throw new AfsException(AfsError.INVALID_ARGUMENT, "an Alertmanager notification needs groupKey and alerts");
        }
        ArrayNode alerts = Ledger.JSON.createArrayNode();
        for (JsonNode a : p.path("alerts")) {
            ObjectNode o = alerts.addObject();
            o.put("name", a.path("labels").path("alertname").asText(""));
            o.put("status", a.path("status").asText("firing").equals("resolved") ? "resolved" : "firing");
            o.set("labels", strings(a.path("labels")));
            o.set("annotations", strings(a.path("annotations")));
            o.put("starts_at", a.path("startsAt").asText(""));
            o.put("ends_at", a.path("endsAt").asText(""));
            o.put("fingerprint", a.path("fingerprint").asText(Harness.sha256(a.path("labels").toString()
                    .getBytes(StandardCharsets.UTF_8)).substring(0, 16)));
            o.put("generator_url", a.path("generatorURL").asText(""));
        }
        Map<String, String> labels = labels(p.path("commonLabels"));
        String severity = labels.getOrDefault("severity", alerts.get(0).path("labels").path("severity").asText("unknown"));
        String title = p.path("commonAnnotations").path("summary").asText(
                alerts.get(0).path("annotations").path("summary").asText(labels.getOrDefault("alertname", "alert")));
        Optional<IncidentScopes.Scope> scope = incidents.scopes().forLabels(labels)
                .or(() -> incidents.scopes().forLabels(labels(alerts.get(0).path("labels"))));
        return apply(s, "alertmanager:" + s.name(), key, scope, severity, title, alerts, labels);
    }

    /** PagerDuty Events API v2: trigger, acknowledge or resolve one alert under its dedup_key. */
    private Answer pagerduty(IncidentSettings.Sender s, JsonNode p) throws AfsException, SQLException {
        String action = p.path("event_action").asText("");
        if (!java.util.List.of("trigger", "acknowledge", "resolve").contains(action)) {
            metrics.trigger(s.type(), "invalid");
            throw new AfsException(AfsError.INVALID_ARGUMENT, "event_action '" + action + "' is not trigger, acknowledge or"
                    + " resolve (PagerDuty Events API v2)");
        }
        JsonNode payload = p.path("payload");
        String key = p.path("dedup_key").asText("");
        if (key.isEmpty()) {
            if (!action.equals("trigger")) {
                metrics.trigger(s.type(), "invalid");
                throw new AfsException(AfsError.INVALID_ARGUMENT, action + " needs the dedup_key the trigger answered with");
            }
            key = Harness.sha256((payload.path("summary").asText() + "\n" + payload.path("source").asText())
                    .getBytes(StandardCharsets.UTF_8)).substring(0, 32);
        }
        if (action.equals("trigger") && (payload.path("summary").asText("").isEmpty() || payload.path("source").asText("").isEmpty()
                || payload.path("severity").asText("").isEmpty())) {
            metrics.trigger(s.type(), "invalid");
            throw new AfsException(AfsError.INVALID_ARGUMENT, "a trigger needs payload.summary, payload.source and "
                    + "payload.severity (critical, error, warning or info)");
        }
        Map<String, String> labels = new TreeMap<>(labels(payload.path("custom_details")));
        for (String k : java.util.List.of("source", "component", "group", "class", "severity")) {
            if (payload.hasNonNull(k)) {
                labels.putIfAbsent(k, payload.path(k).asText());
            }
        }
        ArrayNode alerts = Ledger.JSON.createArrayNode();
        ObjectNode o = alerts.addObject();
        o.put("name", payload.path("summary").asText(""));
        o.put("status", action.equals("resolve") ? "resolved" : "firing");
        o.set("labels", Ledger.JSON.valueToTree(labels));
        o.set("annotations", Ledger.JSON.createObjectNode());
        o.put("starts_at", payload.path("timestamp").asText(""));
        o.put("ends_at", "");
        o.put("fingerprint", key);
        o.put("generator_url", "");
        Optional<IncidentScopes.Scope> scope = incidents.scopes().forLabels(labels);
        Answer a = apply(s, "pagerduty:" + s.name(), key, scope, payload.path("severity").asText("unknown"),
                payload.path("summary").asText(""), alerts, labels);
        a.body().put("status", "success");
        a.body().put("message", "Event processed");
        a.body().put("dedup_key", key);
        return new Answer(a.status() == 201 ? 202 : a.status(), a.body());
    }

    private Answer apply(IncidentSettings.Sender s, String source, String key, Optional<IncidentScopes.Scope> scope,
                         String severity, String title, ArrayNode alerts, Map<String, String> labels)
            throws AfsException, SQLException {
        boolean firing = false;
        for (JsonNode a : alerts) {
            firing |= a.path("status").asText().equals("firing");
        }
        if (scope.isEmpty() && firing) {
            metrics.trigger(s.type(), "unmatched");
            throw new AfsException(AfsError.INVALID_ARGUMENT, "no team/env's incidents.match in namespaces.yaml matches the "
                    + "alert labels " + labels + "; add e.g. teams.<team>.<env>.incidents.match: {namespace: ...} (nothing was "
                    + "recorded)");
        }
        boolean existed = incidents.openBySource(source, key).isPresent();
        IncidentScopes.Scope where = scope.orElse(null);
        Optional<Incident> i = where == null && !existed ? Optional.empty()
                : incidents.alert(source, key, where, severity, title, alerts);
        ObjectNode out = Ledger.JSON.createObjectNode();
        String outcome = i.isEmpty() ? "ignored" : !existed ? "opened" : firing ? "updated" : "resolved";
        metrics.trigger(s.type(), outcome);
        out.put("outcome", outcome);
        i.ifPresent(x -> {
            out.put("incident", x.id());
            out.put("state", x.state().name());
        });
        return new Answer(outcome.equals("opened") ? 201 : 200, out);
    }

    private static ObjectNode strings(JsonNode n) {
        ObjectNode o = Ledger.JSON.createObjectNode();
        labels(n).forEach(o::put);
        return o;
    }

    /** The scalar members of an object, as strings, sorted. */
    private static Map<String, String> labels(JsonNode n) {
        Map<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isValueNode()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        }
        return out;
    }
}
