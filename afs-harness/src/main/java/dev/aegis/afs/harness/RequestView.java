package dev.aegis.afs.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;

/** How a stored request is shown: JSON for the API, text for {@code afs plan status} and the FUSE tree. */
public final class RequestView {

    private RequestView() {
    }

    /** The request with its submitted document (for GET of one request). */
    public static ObjectNode jsonWithDocument(StoredRequest r) {
        ObjectNode n = json(r);
        n.put("document", r.document());
        return n;
    }

    public static ObjectNode json(StoredRequest r) {
        ObjectNode n = Ledger.JSON.createObjectNode();
        n.put("id", r.id());
        n.put("state", r.state().name());
        n.put("mode", r.mode().name().toLowerCase(java.util.Locale.ROOT));
        n.put("incident_id", r.incident());
        n.put("team", r.team());
        n.put("env", r.env());
        n.put("submitter", r.submitter());
        n.put("required_approvals", r.requiredApprovals());
        ArrayNode approvals = n.putArray("approvals");
        r.approvals().stream().filter(a -> a.planSha256().equals(r.documentSha256()))
                .forEach(a -> approvals.addObject().put("person", a.person()).put("principal", a.principal())
                        .put("at", Instant.ofEpochMilli(a.atMillis()).toString()));
        ArrayNode reasons = n.putArray("reasons");
        r.reasons().forEach(reasons::add);
        ArrayNode actions = n.putArray("actions");
        for (StoredRequest.StoredAction a : r.actions()) {
            ObjectNode x = actions.addObject();
            x.put("index", a.index());
            x.put("tool", a.tool());
            x.put("target", a.target());
            x.put("idempotency_key", a.idempotencyKey());
            x.put("status", a.status());
            a.beforeState().ifPresent(b -> x.set("before", parse(b)));
            a.outcome().ifPresent(o -> x.set("outcome", parse(o)));
        }
        r.gates().ifPresent(g -> n.set("gates", g.json()));
        ArrayNode notes = n.putArray("notes");
        r.gates().ifPresent(g -> g.notes().forEach(notes::add));
        n.put("document_sha256", r.documentSha256());
        n.put("created_at", Instant.ofEpochMilli(r.createdMillis()).toString());
        n.put("updated_at", Instant.ofEpochMilli(r.updatedMillis()).toString());
        return n;
    }

    /**
     * The status text shown by {@code afs plan status} and {@code /change_requests/<id>.status}:
     * the state, each gate with its outcome and evidence, why that many approvals, the approvals
     * so far, the notes, the actions, and (apart from the notes) the reasons it was rejected or failed.
     */
    public static String text(JsonNode r) {
        StringBuilder b = new StringBuilder();
        b.append(r.path("id").asText()).append("  ").append(r.path("state").asText())
                .append("  (").append(r.path("mode").asText()).append(" mode)\n");
        b.append("incident ").append(r.path("incident_id").asText()).append("  team ").append(r.path("team").asText())
                .append("/").append(r.path("env").asText()).append("  submitted by ").append(r.path("submitter").asText())
                .append(" at ").append(r.path("created_at").asText()).append('\n');
        JsonNode gates = r.path("gates");
        if (gates.isObject()) {
            b.append("gates (at ").append(gates.path("phase").asText()).append(", ").append(gates.path("checked_at").asText())
                    .append("):\n");
            for (JsonNode g : gates.path("gates")) {
                b.append("  ").append(String.format("%-11s", g.path("gate").asText())).append(' ')
                        .append(g.path("outcome").asText()).append('\n');
                for (JsonNode e : g.path("evidence")) {
                    b.append("      ").append(e.asText()).append('\n');
                }
            }
        }
        b.append("approvals: ").append(r.path("approvals").size()).append(" of ")
                .append(r.path("required_approvals").asInt());
        for (JsonNode a : r.path("approvals")) {
            b.append("  ").append(a.path("person").asText()).append(" at ").append(a.path("at").asText());
        }
        b.append('\n');
        if (gates.isObject()) {
            b.append("why: ").append(gates.path("approval_rule").asText()).append('\n');
        }
        if (!r.path("notes").isEmpty()) {
            b.append("notes (they raise the approvals; they are not rejection reasons):\n");
            for (JsonNode note : r.path("notes")) {
                b.append("- ").append(note.asText()).append('\n');
            }
        }
        for (JsonNode a : r.path("actions")) {
            b.append("action ").append(a.path("index").asInt()).append(": ").append(a.path("tool").asText()).append(' ')
                    .append(a.path("target").asText()).append("  ").append(a.path("status").asText());
            if (a.has("outcome")) {
                b.append("  ").append(a.path("outcome"));
            }
            b.append('\n');
        }
        if (!r.path("reasons").isEmpty()) {
            b.append(switch (r.path("state").asText()) {
                case "REJECTED" -> "rejected because:\n";
                case "FAILED", "ROLLED_BACK" -> "failed because:\n";
                default -> "reasons:\n";
            });
            for (JsonNode reason : r.path("reasons")) {
                b.append("- ").append(reason.asText()).append('\n');
            }
        }
        return b.toString();
    }

    private static JsonNode parse(String s) {
        try {
            return Ledger.JSON.readTree(s);
        } catch (IOException e) {
            return Ledger.JSON.getNodeFactory().textNode(s);
        }
    }
}
