package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the gates decided the last time they ran on a request, gate by gate, with the evidence
 * of each outcome (which snapshot was re-hashed when, which guardrails held, which rule set the
 * approvals). The harness stores it with the request, so {@code .status}, the JSON API and the
 * web page all show the same record.
 *
 * @param phase             {@code submit} or {@code execution}: when the gates ran
 * @param checkedAt         the harness's clock when they ran
 * @param planSha256        the plan they were run on
 * @param gates             each gate in the order it ran
 * @param notes             what did not reject but raised the approvals (low confidence, loops)
 * @param requiredApprovals approvals the risk needs
 * @param approvalRule      why that many: the rule that set the number
 */
public record GateReport(String phase, Instant checkedAt, String planSha256, List<Gate> gates, List<String> notes,
                         int requiredApprovals, String approvalRule) {

    /** How one gate ended. NOTE: held, with a note that raised the approvals. SKIPPED: not reached. */
    public enum Outcome { PASSED, FAILED, NOTE, SKIPPED }

    /** One gate: its name, outcome, and one line per thing it checked. */
    public record Gate(String name, Outcome outcome, List<String> evidence) {
        public Gate {
            requireNonNull(name, "name is null");
            requireNonNull(outcome, "outcome is null");
            evidence = List.copyOf(evidence);
        }
    }

    public GateReport {
        requireNonNull(phase, "phase is null");
        requireNonNull(checkedAt, "checkedAt is null");
        requireNonNull(planSha256, "planSha256 is null");
        gates = List.copyOf(gates);
        notes = List.copyOf(notes);
        requireNonNull(approvalRule, "approvalRule is null");
    }

    public ObjectNode json() {
        ObjectNode n = Ledger.JSON.createObjectNode();
        n.put("phase", phase);
        n.put("checked_at", checkedAt.toString());
        n.put("plan_sha256", planSha256);
        ArrayNode gs = n.putArray("gates");
        for (Gate g : gates) {
            ObjectNode x = gs.addObject();
            x.put("gate", g.name());
            x.put("outcome", g.outcome().name());
            ArrayNode e = x.putArray("evidence");
            g.evidence().forEach(e::add);
        }
        ArrayNode ns = n.putArray("notes");
        notes.forEach(ns::add);
        n.put("required_approvals", requiredApprovals);
        n.put("approval_rule", approvalRule);
        return n;
    }

    public static GateReport parse(JsonNode n) {
        List<Gate> gates = new ArrayList<>();
        for (JsonNode g : n.path("gates")) {
            gates.add(new Gate(g.path("gate").asText(), Outcome.valueOf(g.path("outcome").asText()), texts(g.path("evidence"))));
        }
        return new GateReport(n.path("phase").asText(), Instant.parse(n.path("checked_at").asText()),
                n.path("plan_sha256").asText(), gates, texts(n.path("notes")), n.path("required_approvals").asInt(),
                n.path("approval_rule").asText());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    /** Collects one gate's lines while the gates run; the outcome follows from what was added. */
    static final class Builder {
        private final String name;
        private final List<String> lines = new ArrayList<>();
        private boolean failed;
        private boolean noted;

        Builder(String name) {
            this.name = name;
        }

        Builder passed(String line) {
            lines.add(line);
            return this;
        }

        Builder failed(String line) {
            lines.add(line);
            failed = true;
            return this;
        }

        Builder noted(String line) {
            lines.add(line);
            noted = true;
            return this;
        }

        Gate build(String whenEmpty) {
            if (lines.isEmpty()) {
                return new Gate(name, Outcome.SKIPPED, List.of(whenEmpty));
            }
            return new Gate(name, failed ? Outcome.FAILED : noted ? Outcome.NOTE : Outcome.PASSED, lines);
        }
    }
}
