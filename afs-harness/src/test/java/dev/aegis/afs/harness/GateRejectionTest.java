package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.joined;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static dev.aegis.afs.harness.HarnessFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every gate's rejection path: the request ends REJECTED with the named reason and nothing changes. */
class GateRejectionTest {

    @TempDir
    Path dir;
    HarnessFixture f;
    EvidenceRecord ev;

    /** The fixture on the store under test: SQLite here, PostgreSQL in {@link PostgresGateRejectionTest}. */
    HarnessFixture fixture(Path dir) throws Exception {
        return new HarnessFixture(dir);
    }

    @BeforeEach
    void setUp() throws Exception {
        f = fixture(dir);
        ev = f.snapshot(50);
        f.policy = new HarnessConfig.Policy(Duration.ofHours(1), 0.7, 3, 3, Duration.ofHours(1), 10, false);
        f.open();
        f.cluster.deployment("payments", "api", 4, 4, "256Mi");
    }

    @AfterEach
    void tearDown() throws Exception {
        f.close();
    }

    private StoredRequest rejected(String doc, String expected) throws Exception {
        StoredRequest r = f.get(f.submit(doc, AGENT).request().id());
        assertEquals(State.REJECTED, r.state(), joined(r));
        assertTrue(joined(r).contains(expected), "expected <" + expected + "> in:\n" + joined(r));
        assertEquals(4, f.replicas("payments", "api"), "a rejected request must change nothing");
        return r;
    }

    private static String doc(String evidence, String actions) {
        return plan("prod", 0.9, evidence, actions, "");
    }

    @Test
    void evidenceThatIsNotInTheStore() throws Exception {
        String missing = "  - {path: /evidence/2026-11-18/120000.000-aaaaaaaaaaaa-x.log, sha256: " + "a".repeat(64)
                + ", lines: \"1-2\"}\n";
        rejected(doc(missing, scale("api", 5, "k1")), "evidence: evidence[0] (/evidence/2026-11-18/120000.000-aaaaaaaaaaaa-x.log): "
                + "no such snapshot in the evidence store");
    }

    @Test
    void evidenceWithAnotherSha256() throws Exception {
        String wrong = pointer(ev, "1-2").replace(ev.sha256(), "b".repeat(64));
        rejected(doc(wrong, scale("api", 5, "k1")), "sha256 " + "b".repeat(64) + " differs from the sha256 " + ev.sha256() + " registered at");
    }

    @Test
    void evidenceLinesOutsideTheSnapshot() throws Exception {
        rejected(doc(pointer(ev, "40-51"), scale("api", 5, "k1")),
                "lines 40-51 lie outside the snapshot, which has 50 lines");
    }

    @Test
    void staleEvidence() throws Exception {
        f.clock.advance(Duration.ofMinutes(90));
        rejected(doc(pointer(ev, "1-2"), scale("api", 5, "k1")), "registered 90 min ago, older than the maximum age of 60 min");
    }

    @Test
    void tamperedEvidenceFile() throws Exception {
        Files.setPosixFilePermissions(ev.file(), PosixFilePermissions.fromString("rw-r--r--"));
        String text = Files.readString(ev.file());
        Files.writeString(ev.file(), text.replace("OOMKilled api-3", "all good  api-3"));
        rejected(doc(pointer(ev, "1-2"), scale("api", 5, "k1")), "the snapshot was changed on disk after it was registered");
    }

    @Test
    void toolNotAllowedForTheTeamEnvByDefault() throws Exception {
        String restart = "  - {tool: restart, target: {kind: Deployment, name: api}, idempotency_key: k1}\n";
        rejected(plan("staging", 0.9, pointer(ev, "1-2"), restart, ""),
                "policy: actions[0].tool: restart is not allowed for payments/staging (allowed: [scale])");
        // an env namespaces.yaml does not name has no readers, so nobody may propose there
        AfsException unknown = assertThrows(AfsException.class, () -> f.submit(plan("unknown", 0.9, pointer(ev, "1-2"),
                scale("api", 5, "k2"), ""), AGENT));
        assertEquals(dev.aegis.afs.core.AfsError.ACCESS_DENIED, unknown.error());
        assertTrue(unknown.getMessage().contains("REJECTED: there is no env payments/unknown"), unknown.getMessage());
    }

    @Test
    void namespaceOutsideTheTeamEnv() throws Exception {
        String other = "  - {tool: scale, target: {kind: Deployment, name: api, namespace: billing}, params: {replicas: 5},"
                + " idempotency_key: k1}\n";
        rejected(doc(pointer(ev, "1-2"), other),
                "policy: actions[0].target.namespace: payments/prod may only change namespaces [payments]");
    }

    @Test
    void missingTarget() throws Exception {
        rejected(doc(pointer(ev, "1-2"), scale("nope", 5, "k1")), "policy: actions[0].target: Deployment payments/nope does not exist");
    }

    @Test
    void guardrailReplicasAtMostTwice() throws Exception {
        rejected(doc(pointer(ev, "1-2"), scale("api", 9, "k1")), "guardrail replicas_within_factor blocked scale of Deployment payments/api");
        rejected(doc(pointer(ev, "1-2"), scale("api", 1, "k2")), "guardrail replicas_within_factor");
    }

    @Test
    void guardrailRestartAtMostTwentyPercentOfPods() throws Exception {
        String restart = "  - {tool: restart, target: {kind: Deployment, name: api}, idempotency_key: k1}\n";
        rejected(doc(pointer(ev, "1-2"), restart), "guardrail restart_fraction blocked restart of Deployment payments/api");
    }

    @Test
    void guardrailMemoryAtMostTwice() throws Exception {
        String mem = "  - {tool: set_resources, target: {kind: Deployment, name: api, container: app},"
                + " params: {limits: {memory: 1Gi}}, idempotency_key: k1}\n";
        rejected(doc(pointer(ev, "1-2"), mem), "guardrail memory_within_factor blocked set_resources");
    }

    @Test
    void guardrailFreezeAndChangeWindow() throws Exception {
        rejected(plan("frozen", 0.9, pointer(ev, "1-2"), scale("api", 5, "k1"), ""), "guardrail freeze blocked");
        rejected(plan("windowed", 0.9, pointer(ev, "1-2"), scale("api", 5, "k2"), ""), "guardrail change_window blocked");
    }

    @Test
    void budgetOfActionsPerIncidentPerHour() throws Exception {
        String two = scale("api", 5, "b1") + "  - {tool: scale, target: {kind: Deployment, name: api}, params: {replicas: 6},"
                + " idempotency_key: b2}\n";
        StoredRequest first = f.get(f.submit(doc(pointer(ev, "1-2"), two), AGENT).request().id());
        assertEquals(State.SUCCEEDED, first.state(), joined(first));
        f.cluster.client.apps().deployments().inNamespace("payments").withName("api").edit(d -> {
            d.getSpec().setReplicas(4);
            return d;
        });
        rejected(doc(pointer(ev, "1-2"), scale("api", 5, "b3") + scale("api", 6, "b4")),
                "budget: incident INC-1 already used 2 of 3 actions in the last hour and this request adds 2");
    }

    @Test
    void approvalNeededButNoApprovers() throws Exception {
        f.cluster.deployment("payments", "wide", 10, 10, "256Mi");
        String restart = "  - {tool: restart, target: {kind: Deployment, name: wide}, idempotency_key: k1}\n";
        StoredRequest r = f.get(f.submit(plan("lonely", 0.9, pointer(f.snapshot("lonely", 3), "1-2"), restart, ""), AGENT).request().id());
        assertEquals(State.REJECTED, r.state());
        assertTrue(joined(r).contains("approval: this change needs 2 approval(s) but payments/lonely has no approvers"), joined(r));
    }
}
