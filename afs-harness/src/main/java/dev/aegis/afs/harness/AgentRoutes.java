package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.intent.TaskResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The agents' endpoints of docs/execution-plane.md: {@code GET /v1/keys} (open: agents trust the
 * certificates, not the document), {@code GET /v1/tasks?cluster=<id>} and
 * {@code POST /v1/tasks/<id>/result}, both only with a poll token signed by the agent key
 * pinned for that cluster.
 */
final class AgentRoutes {

    private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    static final String LOCK_HEADER = "X-Afs-Agent-Lock";

    private final Harness harness;
    private final IntentLeasing leasing;

    AgentRoutes(Harness harness, IntentLeasing leasing) {
        this.harness = requireNonNull(harness, "harness is null");
        this.leasing = requireNonNull(leasing, "leasing is null");
    }

    /** Answers one request under /v1/keys or /v1/tasks; returns the HTTP status sent. */
    int handle(HttpExchange ex, List<String> parts) throws IOException, AfsException {
        String method = ex.getRequestMethod();
        try {
            if (parts.equals(List.of("v1", "keys")) && method.equals("GET")) {
                return HarnessDaemon.send(ex, 200, "application/json", (leasing.jwks() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            String cluster = leasing.authenticate(ex.getRequestHeaders().getFirst("Authorization"), method,
                    ex.getRequestURI().toString());
            if (parts.equals(List.of("v1", "tasks")) && method.equals("GET")) {
                return tasks(ex, cluster);
            }
            if (parts.size() == 4 && parts.get(0).equals("v1") && parts.get(1).equals("tasks") && parts.get(3).equals("result")
                    && method.equals("POST")) {
                return result(ex, cluster, parts.get(2));
            }
            return error(ex, 404, method + " " + ex.getRequestURI().getPath() + " is not part of the agent API");
        } catch (IntentLeasing.Refused e) {
            return error(ex, e.status(), e.getMessage());
        }
    }

    private int tasks(HttpExchange ex, String cluster) throws IOException, AfsException {
        String query = Optional.ofNullable(ex.getRequestURI().getQuery()).orElse("");
        String asked = query.startsWith("cluster=") ? query.substring("cluster=".length()) : "";
        if (!asked.equals(cluster)) {
            return error(ex, 403, "the token is agent:" + cluster + "'s; it may poll only /v1/tasks?cluster=" + cluster);
        }
        String lock = ex.getRequestHeaders().getFirst(LOCK_HEADER);
        leasing.polled(cluster, ex.getRequestHeaders().getFirst("User-Agent"), Optional.ofNullable(lock).filter(s -> !s.isBlank()));
        ObjectNode body = Ledger.JSON.createObjectNode();
        ArrayNode tasks = body.putArray("tasks");
        if (lock == null || lock.isBlank()) { // a locked agent would refuse them all: lease nothing to it
            for (Harness.Lease l : harness.lease(cluster)) {
                tasks.addObject().put("id", l.jti()).put("intent", l.compact());
            }
        }
        return HarnessDaemon.json(ex, 200, body);
    }

    private int result(HttpExchange ex, String cluster, String id) throws IOException, AfsException, IntentLeasing.Refused {
        if (!TASK_ID.matcher(id).matches()) {
            return error(ex, 404, "no task " + id);
        }
        String jws = new String(HarnessDaemon.readBody(ex, 256 * 1024), StandardCharsets.UTF_8).strip();
        TaskResult r = leasing.verifyResult(cluster, jws);
        if (!r.task().equals(id)) {
            return error(ex, 400, "the result is for task " + r.task() + ", posted to task " + id);
        }
        return switch (harness.acceptResult(cluster, id, r, jws)) {
            case STORED, REPEAT -> HarnessDaemon.json(ex, 200, Ledger.JSON.createObjectNode().put("stored", true));
            case CONFLICT -> error(ex, 409, "task " + id + " already has a different result");
            case UNKNOWN -> error(ex, 404, "no task " + id + " was leased to cluster " + cluster);
        };
    }

    /** {@code GET /v1/agents}: for afs agents ls. */
    ObjectNode agents() throws AfsException {
        Map<String, Integer> leased = harness.leasedByCluster();
        return leasing.agents(leased);
    }

    private static int error(HttpExchange ex, int status, String message) throws IOException {
        ObjectNode body = Ledger.JSON.createObjectNode();
        body.put("error", status == 401 ? "UNAUTHENTICATED" : status == 403 ? "ACCESS_DENIED" : status == 404 ? "NOT_FOUND"
                : status == 409 ? "ALREADY_EXISTS" : "INVALID_ARGUMENT");
        body.put("message", message);
        return HarnessDaemon.json(ex, status, body);
    }
}
