package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.access.AccessPolicy;
import dev.aegis.afs.core.access.Principal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The incident lifecycle's endpoints (the timeline's are {@link IncidentRoutes}). A caller sees only incidents of envs it may read (others are
 * NOT_FOUND, as if they did not exist); opening one by hand needs the right to propose there.
 * <pre>
 * GET  /v1/incidents                    {"incidents": [...]}, newest first
 * POST /v1/incidents                    {"team", "env", "severity", "title", "id" (optional), "caps" (optional, e.g. {"tokens": 50000}, only lower)}
 * GET  /v1/incidents/ID                 state, severity, scope, context, budget (used and caps), notifications
 * GET  /v1/incidents/ID/context.yaml    the context, as the mount shows it
 * GET  /v1/incidents/ID/budget          used / cap per kind, as text
 * POST /v1/incidents/ID/close           {"reason"}   a person closes it
 * POST /v1/incidents/ID/resume          {"reason"}   a person takes an escalated incident back to DIAGNOSING
 * POST /v1/incidents/ID/tokens          {"tokens": N}   an agent reports tokens spent on it
 * </pre>
 */
final class IncidentLifecycleRoutes {

    private final Harness harness;
    private final AccessPolicy access;

    IncidentLifecycleRoutes(Harness harness, AccessPolicy access) {
        this.harness = requireNonNull(harness, "harness is null");
        this.access = requireNonNull(access, "access is null");
    }

    /** Handles {@code /v1/incidents[/ID[/what]]}; {@code parts} are the path's segments. */
    int handle(HttpExchange ex, List<String> parts, Principal caller) throws IOException, AfsException {
        String method = ex.getRequestMethod();
        Incidents incidents = harness.incidents();
        try {
            if (parts.size() == 2 && method.equals("GET")) {
                ArrayNode list = Ledger.JSON.createArrayNode();
                for (Incident i : incidents.list(1000)) {
                    if (access.canRead(caller, i.team(), i.env())) {
                        list.add(summary(i));
                    }
                }
                ObjectNode body = Ledger.JSON.createObjectNode();
                body.set("incidents", list);
                return HarnessDaemon.json(ex, 200, body);
            }
            if (parts.size() == 2 && method.equals("POST")) {
                return HarnessDaemon.json(ex, 201, full(incidents, open(incidents, body(ex), caller)));
            }
            if (parts.size() < 3) {
                throw new AfsException(AfsError.NOT_FOUND, method + " " + ex.getRequestURI().getPath() + " is not part of the harness API");
            }
            Incident i = visible(incidents, parts.get(2), caller);
            String what = parts.size() == 3 ? "" : parts.get(3);
            switch (method + " " + what) {
                case "GET " -> {
                    return HarnessDaemon.json(ex, 200, full(incidents, i));
                }
                case "GET context.yaml" -> {
                    return HarnessDaemon.send(ex, 200, "application/yaml; charset=utf-8",
                            incidents.contextYaml(i).getBytes(StandardCharsets.UTF_8));
                }
                case "GET budget" -> {
                    return HarnessDaemon.send(ex, 200, "text/plain; charset=utf-8",
                            incidents.budgetText(i).getBytes(StandardCharsets.UTF_8));
                }
                case "POST close", "POST resume" -> {
                    IncidentState to = what.equals("close") ? IncidentState.CLOSED : IncidentState.DIAGNOSING;
                    if (what.equals("resume") && i.state() != IncidentState.ESCALATED) {
                        throw new AfsException(AfsError.INVALID_ARGUMENT, "incident " + i.id() + " is " + i.state()
                                + ", not ESCALATED; there is nothing to resume");
                    }
                    Incident moved = incidents.transition(i.id(), to, caller.id(), caller.agent(),
                            body(ex).path("reason").asText(""));
                    return HarnessDaemon.json(ex, 200, full(incidents, moved));
                }
                case "POST tokens" -> {
                    JsonNode n = body(ex).path("tokens");
                    if (!n.canConvertToLong()) {
                        throw new AfsException(AfsError.INVALID_ARGUMENT, "the body must be {\"tokens\": <count>}");
                    }
                    IncidentBudget used = incidents.tokens(i.id(), n.asLong());
                    ObjectNode out = Ledger.JSON.createObjectNode();
                    out.set("used", used.json());
                    out.set("caps", i.caps().json());
                    return HarnessDaemon.json(ex, 200, out);
                }
                default -> throw new AfsException(AfsError.NOT_FOUND, method + " " + ex.getRequestURI().getPath()
                        + " is not part of the harness API; see GET /v1/incidents/" + i.id());
            }
        } catch (SQLException e) {
            throw new AfsException(e instanceof RequestStore.Unavailable ? AfsError.UNAVAILABLE : AfsError.INTERNAL,
                    "the incident store: " + e.getMessage(), e);
        }
    }

    private Incident open(Incidents incidents, JsonNode b, Principal caller) throws SQLException, AfsException {
        String team = b.path("team").asText("");
        String env = b.path("env").asText("");
        if (team.isEmpty() || env.isEmpty()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "an incident needs its team and env: "
                    + "{\"team\": \"payments\", \"env\": \"prod\", \"severity\": \"critical\", \"title\": \"...\"}");
        }
        Optional<String> refused = access.proposeProblem(caller, team, env);
        if (refused.isPresent()) {
            throw new AfsException(AfsError.ACCESS_DENIED, "cannot open an incident in " + team + "/" + env + ": " + refused.get());
        }
        try {
            return incidents.open(new Incidents.Opening(Optional.ofNullable(b.path("id").textValue()), team, env,
                    b.path("severity").asText("unknown"), b.path("title").asText("opened by hand"), caller.id(),
                    Optional.empty(), Ledger.JSON.createArrayNode(), caps(b.path("caps"))), caller.id());
        } catch (IllegalArgumentException e) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, e.getMessage());
        }
    }

    private static Map<String, Long> caps(JsonNode n) throws AfsException {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        if (n.isMissingNode() || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "caps must be an object of budget caps, e.g. {\"tokens\": 50000}");
        }
        for (var e : (Iterable<Map.Entry<String, JsonNode>>) n::fields) {
            if (!e.getValue().canConvertToLong()) {
                throw new AfsException(AfsError.INVALID_ARGUMENT, "caps." + e.getKey() + " must be a count, e.g. {\"tokens\": 50000}");
            }
            out.put(e.getKey(), e.getValue().asLong());
        }
        return out;
    }

    private Incident visible(Incidents incidents, String id, Principal caller) throws SQLException, AfsException {
        Optional<Incident> i = incidents.get(id);
        if (i.isEmpty() || !access.canRead(caller, i.get().team(), i.get().env())) {
            throw new AfsException(AfsError.NOT_FOUND, "no incident " + id + "; list them with afs incident ls");
        }
        return i.get();
    }

    static ObjectNode summary(Incident i) {
        ObjectNode o = Ledger.JSON.createObjectNode();
        o.put("id", i.id());
        o.put("state", i.state().name());
        o.put("severity", i.severity());
        o.put("team", i.team());
        o.put("env", i.env());
        o.put("title", i.title());
        o.put("source", i.source());
        o.put("opened_at", Instant.ofEpochMilli(i.openedMillis()).toString());
        o.put("updated_at", Instant.ofEpochMilli(i.updatedMillis()).toString());
        i.escalation().filter(e -> i.state() == IncidentState.ESCALATED).ifPresent(e -> o.put("escalation", e));
        return o;
    }

    private static ObjectNode full(Incidents incidents, Incident i) throws SQLException {
        ObjectNode o = summary(i);
        o.set("context", incidents.contextNow(i));
        ObjectNode budget = o.putObject("budget");
        budget.set("used", incidents.usage(i.id()).json());
        budget.set("caps", i.caps().json());
        ArrayNode n = o.putArray("notifications");
        for (IncidentStore.Delivery d : incidents.deliveries(i.id())) {
            ObjectNode x = n.addObject();
            x.put("event", d.event());
            x.put("channel", d.channel());
            x.put("attempt", d.attempt());
            x.put("outcome", d.outcome());
            x.put("detail", d.detail());
            x.put("at", Instant.ofEpochMilli(d.atMillis()).toString());
        }
        return o;
    }

    private static JsonNode body(HttpExchange ex) throws IOException, AfsException {
        byte[] b = HarnessDaemon.readBody(ex, 64 * 1024);
        if (b.length == 0) {
            return Ledger.JSON.createObjectNode();
        }
        try {
            JsonNode n = Ledger.JSON.readTree(b);
            return n == null ? Ledger.JSON.createObjectNode() : n;
        } catch (IOException e) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "the body must be a JSON object");
        }
    }
}
