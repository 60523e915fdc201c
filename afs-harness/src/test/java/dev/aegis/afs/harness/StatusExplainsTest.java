package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.ALICE;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.evidence.EvidenceRecord;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request's status explains itself: every gate with its outcome and what it checked, why that
 * many approvals, the approvals so far; notes apart from rejection reasons; actions that will
 * never run are not PLANNED.
 */
class StatusExplainsTest {

    @TempDir
    Path dir;
    HarnessFixture f;
    EvidenceRecord ev;

    @BeforeEach
    void setUp() throws Exception {
        f = new HarnessFixture(dir);
        ev = f.snapshot(50);
        f.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        f.close();
    }

    private String status(String id) throws Exception {
        return RequestView.text(RequestView.json(f.get(id)));
    }

    private static String restart(String name, String key) {
        return "  - {tool: restart, target: {kind: Deployment, name: " + name + "}, idempotency_key: " + key + "}\n";
    }

    @Test
    void aPendingRequestListsEveryGateAndWhyTwoApprovals() throws Exception {
        f.cluster.deployment("payments", "big", 10, 10, "256Mi");
        StoredRequest r = f.submit(plan("prod", 0.9, pointer(ev, "10-20"), restart("big", "k1"), ""), AGENT).request();
        f.harness.approve(r.id(), f.p(ALICE));
        String s = status(r.id());

        assertTrue(s.startsWith(r.id() + "  PENDING_APPROVAL  (execute mode)\n"), s);
        assertTrue(s.contains("gates (at submit, " + HarnessFixture.START + "):"), s);
        assertTrue(s.contains("  evidence    PASSED\n      evidence[0] /evidence/" + ev.id() + " sha256 " + ev.sha256()
                + " verified at " + HarnessFixture.START + " (lines 10-20 of 50; captured from payments/prod"), s);
        assertTrue(s.contains("  allowlist   PASSED\n      actions[0] restart is allowed (teams.payments.prod.changes.allow:"), s);
        assertTrue(s.contains("  namespaces  PASSED\n      actions[0] changes namespace payments"), s);
        assertTrue(s.contains("  target      PASSED\n      actions[0] Deployment payments/big read live: 10 replicas, 10 ready"), s);
        assertTrue(s.contains("  guardrails  PASSED\n      actions[0] passed replicas_within_factor, restart_fraction, "
                + "memory_within_factor, change_window, freeze"), s);
        assertTrue(s.contains("  budget      PASSED\n      incident INC-1 used 0 of 10 actions in the last hour"), s);
        assertTrue(s.contains("  loops       PASSED"), s);
        assertTrue(s.contains("  confidence  PASSED\n      0.9 is at least policy.confidence_threshold 0.7"), s);
        assertTrue(s.contains("approvals: 1 of 2  user:alice at "), s);
        assertTrue(s.contains("why: 2 approvals (two-person rule) because actions[0] restart has base risk 1 (restart, "
                + "set_resources and undo) +1 as its target has 10 replicas, at least policy.large_workload 10"), s);
        assertTrue(s.contains("action 0: restart payments/Deployment/big  PLANNED"), s);
        assertFalse(s.contains("notes"), s);

        // the JSON API carries the same report the text is made of
        GateReport stored = f.get(r.id()).gates().orElseThrow();
        assertEquals(2, stored.requiredApprovals());
        assertEquals(9, stored.gates().size());
    }

    @Test
    void aRejectedRequestSaysWhichGateFailedKeepsTheConfidenceNoteApartAndRunsNothing() throws Exception {
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        // a 5x scale breaks replicas_within_factor; the confidence is low as well
        StoredRequest r = f.submit(plan("prod", 0.4, pointer(ev, "1-2"), scale("api", 15, "k2"), ""), AGENT).request();
        assertEquals(State.REJECTED, f.get(r.id()).state());
        String s = status(r.id());

        assertTrue(s.contains("  guardrails  FAILED\n      actions[0]: guardrail replicas_within_factor blocked scale"), s);
        assertTrue(s.contains("      actions[0] passed restart_fraction, memory_within_factor, change_window, freeze"), s);
        assertTrue(s.contains("  confidence  NOTE\n      confidence: 0.4 is below 0.7; a human must approve"), s);
        assertTrue(s.contains("action 0: scale payments/Deployment/api  NOT_RUN"), s);
        String rejected = s.substring(s.indexOf("rejected because:\n"));
        assertTrue(rejected.contains("- guardrail: actions[0]: guardrail replicas_within_factor"), rejected);
        assertFalse(rejected.contains("confidence"), "a low-confidence note is not a rejection reason:\n" + s);
        String notes = s.substring(s.indexOf("notes (they raise the approvals; they are not rejection reasons):\n"),
                s.indexOf("rejected because:"));
        assertTrue(notes.contains("- confidence: 0.4 is below 0.7; a human must approve"), notes);
        assertEquals(3, f.replicas("payments", "api"));
    }

    @Test
    void aPolicyFailureMarksTheLaterGatesNotReached() throws Exception {
        StoredRequest r = f.submit(plan("staging", 0.9, pointer(f.snapshot("staging", 5), "1-2"), restart("api", "k3"), ""),
                AGENT).request();
        String s = status(r.id());
        assertTrue(s.contains("  allowlist   FAILED\n      actions[0].tool: restart is not allowed for payments/staging"), s);
        assertTrue(s.contains("  guardrails  SKIPPED\n      not checked: an earlier gate failed for every action"), s);
        assertTrue(s.contains("action 0: restart payments-staging/Deployment/api  NOT_RUN"), s);
    }

    @Test
    void aCancelledRequestsActionsAreNotRun() throws Exception {
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        StoredRequest r = f.submit(plan("prod", 0.4, pointer(ev, "1-2"), scale("api", 4, "k4"), ""), AGENT).request();
        f.harness.cancel(r.id(), f.p(AGENT));
        assertEquals("NOT_RUN", f.get(r.id()).actions().get(0).status());
        assertTrue(status(r.id()).contains("why: 1 approval because low confidence needs a human"), status(r.id()));
    }
}
