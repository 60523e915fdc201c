package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.access.Principal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The incident workspace's part of the API (what {@code /incidents/<id>/} in the mount shows):
 * <pre>
 * GET  /v1/timelines                             {"incidents": [...]}: incidents with anything the caller may see
 * GET  /v1/incidents/ID/timeline                 {"incident": ID, "entries": [...]} in time order
 * GET  /v1/incidents/ID/ledger                   {"entries": [...]}: the ledger slice of the incident
 * POST /v1/incidents/ID/feedback/STEP            body: useful | useless | dangerous
 * </pre>
 * The other {@code /v1/incidents} routes (the incident itself) are the lifecycle's.
 */
final class IncidentRoutes {

    /** The sub-resources of {@code /v1/incidents/<id>/} answered here. */
    static final Set<String> OWNED = Set.of("timeline", "ledger", "feedback");

    private final IncidentTimeline timeline;

    IncidentRoutes(IncidentTimeline timeline) {
        this.timeline = requireNonNull(timeline, "timeline is null");
    }

    /** Whether {@code parts} (the path split at /) is a route of this class. */
    static boolean owns(List<String> parts) {
        return (parts.size() == 2 && parts.get(0).equals("v1") && parts.get(1).equals("timelines"))
                || (parts.size() >= 4 && parts.get(0).equals("v1") && parts.get(1).equals("incidents") && OWNED.contains(parts.get(3)));
    }

    /** The metrics label of a route of this class. */
    static String endpoint(List<String> parts) {
        return parts.size() == 2 ? "incidents_list" : "incident_" + parts.get(3);
    }

    int handle(HttpExchange ex, List<String> parts, Principal caller) throws IOException, AfsException {
        String method = ex.getRequestMethod();
        if (parts.size() == 2 && method.equals("GET")) {
            ObjectNode body = Ledger.JSON.createObjectNode();
            ArrayNode ids = body.putArray("incidents");
            timeline.incidents(caller).forEach(ids::add);
            return HarnessDaemon.json(ex, 200, body);
        }
        String id = parts.get(2);
        String what = parts.get(3);
        if (what.equals("timeline") && parts.size() == 4 && method.equals("GET")) {
            return HarnessDaemon.json(ex, 200, timeline.json(id, caller));
        }
        if (what.equals("ledger") && parts.size() == 4 && method.equals("GET")) {
            ObjectNode body = Ledger.JSON.createObjectNode();
            ArrayNode entries = body.putArray("entries");
            for (String line : timeline.ledger(id, caller)) {
                entries.add(Ledger.JSON.readTree(line));
            }
            return HarnessDaemon.json(ex, 200, body);
        }
        if (what.equals("feedback") && parts.size() == 5 && method.equals("POST")) {
            String verdict = new String(HarnessDaemon.readBody(ex, 1024), StandardCharsets.UTF_8);
            return HarnessDaemon.json(ex, 201, timeline.feedback(id, parts.get(4), verdict, caller));
        }
        throw new AfsException(AfsError.NOT_FOUND, method + " " + String.join("/", parts) + " is not part of the harness API;"
                + " use GET /v1/incidents/<id>/timeline, GET /v1/incidents/<id>/ledger or POST /v1/incidents/<id>/feedback/<step>");
    }
}
