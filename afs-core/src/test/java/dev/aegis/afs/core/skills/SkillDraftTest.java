package dev.aegis.afs.core.skills;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.core.AfsException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A skill drafted from an incident: steps from the reads the SUCCEEDED plan cited (not the
 * others), in time order, with names and times generalised; triggers from the first of them;
 * the plan template without the incident's evidence and keys.
 */
class SkillDraftTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static ObjectNode read(String at, String evidence, String source) {
        return JSON.createObjectNode().put("at", at).put("kind", "read").put("evidence", evidence).put("source", source)
                .put("team", "payments").put("env", "prod");
    }

    static ObjectNode request(String id, String state, String document) {
        return JSON.createObjectNode().put("id", id).put("state", state).put("team", "payments").put("env", "prod")
                .put("document", document);
    }

    static final String PLAN = """
            incident_id: INC-7
            team: payments
            env: prod
            hypothesis: payment-api runs out of heap under load
            confidence: 0.9
            evidence:
              - {path: /srv/afs/evidence/2026-11-21/b-oom, sha256: aa, lines: "1-2"}
              - {path: /evidence/2026-11-21/d-pods, sha256: bb, lines: "1-3"}
              - {path: /evidence/2026-11-21/e-logs, sha256: cc, lines: "1-3"}
            actions:
              - {tool: scale, target: {kind: Deployment, name: payment-api}, params: {replicas: 4}, idempotency_key: inc-7-scale}
            rollback: before_state
            """;

    static JsonNode timeline() {
        ObjectNode t = JSON.createObjectNode().put("incident", "INC-7");
        t.putArray("entries")
                .add(read("2026-11-21T10:00:00Z", "2026-11-21/a-noise", "/teams/payments/prod/logs/ingress.log?tail=100"))
                .add(read("2026-11-21T10:01:00Z", "2026-11-21/b-oom",
                        "/teams/payments/prod/logs/api.log?from=2026-11-21T09:31:00Z&to=2026-11-21T10:01:00Z&grep=OutOfMemoryError"))
                .add(read("2026-11-21T10:03:30Z", "2026-11-21/d-pods",
                        "/teams/payments/prod/k8s/pods/payment-api-7d9f8b6c4-x2k4q.describe"))
                .add(read("2026-11-21T10:04:00Z", "2026-11-21/e-logs",
                        "/teams/payments/prod/k8s/pods/payment-api-7d9f8b6c4-x2k4q/logs/app.previous.log?tail=50"))
                .add(JSON.createObjectNode().put("at", "2026-11-21T10:05:00Z").put("kind", "plan").put("request", "inc-7"));
        return t;
    }

    @Test
    void stepsAreTheCitedReadsGeneralised() throws Exception {
        SkillDraft.Draft d = SkillDraft.draft("INC-7", timeline(), List.of(request("inc-0", "REJECTED", "incident_id: INC-7\n"),
                request("inc-7", "SUCCEEDED", PLAN)), Optional.empty());
        assertEquals("inc-7-scale-payment-api", d.name());
        assertEquals("inc-7", d.request());
        StructuredSkill s = SkillSchema.read("x.yaml", d.yaml(), Optional.of(d.name())).skill().orElseThrow();
        assertEquals(List.of(new StructuredSkill.Trigger("log", "OutOfMemoryError")), s.triggers());
        assertEquals(List.of(
                "/teams/{team}/{env}/logs/api.log?since=30m&grep=OutOfMemoryError",
                "/teams/{team}/{env}/k8s/pods?label=app=payment-api",
                "/teams/{team}/{env}/k8s/pods/payment-api-*/logs/app.previous.log?tail=50"),
                s.steps().stream().map(StructuredSkill.Step::read).toList(), d.yaml());
        assertTrue(s.steps().get(2).why().contains("read 3m after the first evidence"), s.steps().get(2).why());
        assertTrue(!d.yaml().contains("x2k4q") && !d.yaml().contains("2026-11-21") && !d.yaml().contains("ingress.log")
                && !d.yaml().contains("idempotency_key") && !d.yaml().contains("sha256"), d.yaml());
        assertEquals("scale", ((java.util.Map<?, ?>) ((List<?>) s.plan().get("actions")).get(0)).get("tool"));
        assertEquals("payment-api runs out of heap under load", s.plan().get("hypothesis"));
    }

    @Test
    void onlyWhatWorkedIsDrafted() {
        AfsException e = assertThrows(AfsException.class, () -> SkillDraft.draft("INC-7", timeline(),
                List.of(request("inc-7", "ROLLED_BACK", PLAN)), Optional.empty()));
        assertTrue(e.getMessage().contains("has no SUCCEEDED change request"), e.getMessage());
    }

    @Test
    void windowsRoundUp() {
        assertEquals("1m", SkillDraft.window(java.time.Duration.ofSeconds(5)));
        assertEquals("31m", SkillDraft.window(java.time.Duration.ofSeconds(30 * 60 + 5)));
        assertEquals("3h", SkillDraft.window(java.time.Duration.ofMinutes(121)));
        assertEquals("3d", SkillDraft.window(java.time.Duration.ofHours(49)));
    }
}
