package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.ALICE;
import static dev.aegis.afs.harness.HarnessFixture.BOB;
import static dev.aegis.afs.harness.HarnessFixture.MALLORY;
import static dev.aegis.afs.harness.HarnessFixture.joined;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static dev.aegis.afs.harness.HarnessFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.access.Principal;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may propose and approve, and the gates run again right before an action: each attack is
 * refused with its reason and the Kubernetes API receives no write.
 */
class DecisionPathTest {

    @TempDir
    Path dir;
    HarnessFixture f;
    EvidenceRecord ev;

    @BeforeEach
    void setUp() throws Exception {
        f = new HarnessFixture(dir);
        ev = f.snapshot(50);
        f.open();
        f.cluster.deployment("payments", "api", 4, 4, "256Mi");
        f.cluster.deployment("payments", "big", 10, 10, "256Mi");
    }

    @AfterEach
    void tearDown() throws Exception {
        f.close();
    }

    private static String restart(String name, String key) {
        return "  - {tool: restart, target: {kind: Deployment, name: " + name + "}, idempotency_key: " + key + "}\n";
    }

    @Test
    void aCallerWhoMayNotReadTheEnvCannotProposeAndLearnsNothing() throws Exception {
        AfsException e = assertThrows(AfsException.class, () -> f.submit(plan("prod", 0.9, pointer(ev, "1-2"),
                scale("api", 5, "x1"), ""), MALLORY));
        assertEquals(AfsError.ACCESS_DENIED, e.error());
        assertTrue(e.getMessage().contains("REJECTED: unix:4000@test-host may not read payments/prod"), e.getMessage());
        assertEquals(0, f.harness.list(100, f.p(MALLORY)).size());
        assertEquals(0, f.writes("payments", "api"));
        // the refusal is ledgered, with the env, for the env's readers
        assertTrue(f.harness.ledger(1, 100, f.p(ALICE)).stream().anyMatch(l -> l.contains("\"refused\"")));
    }

    @Test
    void aReaderWhoIsNotAProposerIsRefused() {
        EvidenceRecord staging;
        try {
            staging = f.snapshot("staging", 5);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        AfsException e = assertThrows(AfsException.class, () -> f.submit(plan("staging", 0.9, pointer(staging, "1-2"),
                scale("api", 5, "x2"), ""), ALICE));
        assertEquals(AfsError.ACCESS_DENIED, e.error());
        assertTrue(e.getMessage().contains("is not a proposer for payments/staging (proposers: uid:1000)"), e.getMessage());
    }

    @Test
    void evidenceFromAnotherEnvIsRejected() throws Exception {
        EvidenceRecord staging = f.snapshot("staging", 5);
        StoredRequest r = f.get(f.submit(plan("prod", 0.9, pointer(staging, "1-2"), scale("api", 5, "x3"), ""), AGENT)
                .request().id());
        assertEquals(State.REJECTED, r.state());
        assertTrue(joined(r).contains("captured from payments/staging, not payments/prod"), joined(r));
    }

    @Test
    void anAgentNeverApprovesWhateverTheApproverListSays() throws Exception {
        StoredRequest r = f.submit(plan("prod", 0.9, pointer(ev, "1-2"), restart("big", "x4"), ""), AGENT).request();
        assertEquals(State.PENDING_APPROVAL, r.state(), joined(r));
        Principal bot = f.access.token("secret").orElseThrow();
        assertTrue(bot.agent());
        AfsException e = assertThrows(AfsException.class, () -> f.harness.approve(r.id(), bot));
        assertEquals(AfsError.ACCESS_DENIED, e.error());
        assertTrue(e.getMessage().contains("token:bot is an agent"), e.getMessage());
        assertTrue(f.access.token("not-the-secret").isEmpty());
        assertEquals(State.PENDING_APPROVAL, f.get(r.id()).state());
    }

    @Test
    void evidenceAlteredAfterSubmissionIsCaughtRightBeforeTheAction() throws Exception {
        StoredRequest r = f.submit(plan("prod", 0.9, pointer(ev, "1-2"), restart("big", "x5"), ""), AGENT).request();
        assertEquals(State.PENDING_APPROVAL, r.state(), joined(r));
        Files.setPosixFilePermissions(ev.file(), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(ev.file(), "forged\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        f.harness.approve(r.id(), f.p(ALICE));
        f.harness.approve(r.id(), f.p(BOB));
        StoredRequest done = f.get(r.id());
        assertEquals(State.REJECTED, done.state(), joined(done));
        assertTrue(joined(done).contains("at execution: evidence: evidence[0]"), joined(done));
        assertEquals("NOT_RUN", done.actions().get(0).status(), "a rejected request's action is not shown as PLANNED");
        GateReport gates = done.gates().orElseThrow();
        assertEquals("execution", gates.phase());
        assertEquals(GateReport.Outcome.FAILED, gates.gates().get(0).outcome(), gates.toString());
        assertEquals(0, f.writes("payments", "big"), "nothing may reach the API server");
    }

    @Test
    void approvalsBindToThePlanSoAChangedPlanNeedsNewOnes() throws Exception {
        byte[] first = plan("prod", 0.9, pointer(ev, "1-2"), restart("big", "x6"), "").getBytes(StandardCharsets.UTF_8);
        StoredRequest r = f.harness.submit(first, f.p(AGENT), Optional.of("inc-1")).request();
        f.harness.awaitIdle();
        assertEquals(2, f.get("inc-1").requiredApprovals());
        f.harness.approve("inc-1", f.p(ALICE));
        // the submitter changes the plan after one approval
        byte[] changed = plan("prod", 0.9, pointer(ev, "1-2"), restart("big", "x6") + scale("api", 5, "x7"), "")
                .getBytes(StandardCharsets.UTF_8);
        f.harness.submit(changed, f.p(AGENT), Optional.of("inc-1"));
        f.harness.awaitIdle();
        f.harness.approve("inc-1", f.p(BOB));
        StoredRequest waiting = f.get("inc-1");
        assertEquals(State.PENDING_APPROVAL, waiting.state(), joined(waiting));
        assertEquals(1, waiting.validApprovers(f.clock.millis(), Duration.ofHours(1).toMillis()).size());
        assertEquals(0, f.writes("payments", "big") + f.writes("payments", "api"));
        // a second approval of the plan as it is now lets it run
        f.harness.approve("inc-1", f.p(ALICE));
        assertEquals(State.SUCCEEDED, f.get("inc-1").state(), joined(f.get("inc-1")));
        assertTrue(r.id().equals("inc-1"));
    }

    @Test
    void expiredApprovalsCountForNothing() throws Exception {
        StoredRequest r = f.submit(plan("prod", 0.9, pointer(ev, "1-2"), restart("big", "x8"), ""), AGENT).request();
        f.harness.approve(r.id(), f.p(ALICE));
        f.clock.advance(Duration.ofMinutes(61));
        f.harness.approve(r.id(), f.p(BOB));
        StoredRequest waiting = f.get(r.id());
        assertEquals(State.PENDING_APPROVAL, waiting.state(), joined(waiting));
        assertEquals(0, f.writes("payments", "big"));
    }

    @Test
    void tenantsSeeOnlyTheirEnvsRequestsAndOnlyHashesOfOthersLedgerEntries() throws Exception {
        StoredRequest r = f.submit(plan("prod", 0.9, pointer(ev, "1-2"), restart("big", "x9"), ""), AGENT).request();
        AfsException hidden = assertThrows(AfsException.class, () -> f.harness.get(r.id(), f.p(MALLORY)));
        assertEquals(AfsError.NOT_FOUND, hidden.error());
        assertEquals(1, f.harness.list(10, f.p(ALICE)).size());
        for (String line : f.harness.ledger(1, 100, f.p(MALLORY))) {
            assertTrue(line.contains("\"hidden\"") && !line.contains("hypothesis") && !line.contains("big"), line);
        }
        assertTrue(f.harness.ledger(1, 100, f.p(ALICE)).stream().anyMatch(l -> l.contains("hypothesis")));
    }
}
