package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.ALICE;
import static dev.aegis.afs.harness.HarnessFixture.BOB;
import static dev.aegis.afs.harness.HarnessFixture.MALLORY;
import static dev.aegis.afs.harness.HarnessFixture.SRE_MEMBER;
import static dev.aegis.afs.harness.HarnessFixture.joined;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static dev.aegis.afs.harness.HarnessFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HarnessFlowTest {

    @TempDir
    Path dir;
    HarnessFixture f;
    EvidenceRecord ev;

    /** The fixture on the store under test: SQLite here, PostgreSQL in {@link PostgresHarnessFlowTest}. */
    HarnessFixture fixture(Path dir) throws Exception {
        return new HarnessFixture(dir);
    }

    @BeforeEach
    void setUp() throws Exception {
        f = fixture(dir);
        ev = f.snapshot(50);
        f.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        f.close();
    }

    /** Evidence must come from the plan's own env: a staging plan cites a staging snapshot. */
    private String scalePlan(String env, int replicas, String key, String verify) throws Exception {
        return plan(env, 0.9, pointer(env.equals("prod") ? ev : f.snapshot(env, 50), "10-20"), scale("api", replicas, key), verify);
    }

    @Test
    void executeModeScalesTheDeploymentRecordsBeforeStateAndSucceedsWhenPodsBecomeReady() throws Exception {
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        f.onSleep.add(() -> f.cluster.setReady("payments", "api", 5));
        StoredRequest r = f.submit(scalePlan("prod", 5, "inc1-scale-api",
                "verify:\n  - {pods_ready: {kind: Deployment, name: api}, timeout: 30s}\n"), AGENT).request();

        StoredRequest done = f.get(r.id());
        assertEquals(State.SUCCEEDED, done.state(), joined(done));
        assertEquals(5, f.replicas("payments", "api"));
        StoredRequest.StoredAction a = done.actions().get(0);
        assertEquals("DONE", a.status());
        assertEquals(3, Ledger.JSON.readTree(a.beforeState().orElseThrow()).path("replicas").asInt());
        assertEquals(5, Ledger.JSON.readTree(a.outcome().orElseThrow()).path("diff").path("after").asInt());
    }

    @Test
    void aTargetChangedAfterTheRecheckIsRefusedAndKeepsItsOwnChange() throws Exception {
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        f.closeHarness();
        // someone scales the target between the gates' re-check and the write
        f.probe = (point, id, index) -> {
            if (point.equals("before_execute")) {
                f.cluster.client.apps().deployments().inNamespace("payments").withName("api").edit(d -> {
                    d.getSpec().setReplicas(7);
                    return d;
                });
            }
        };
        f.open();
        StoredRequest r = f.submit(scalePlan("prod", 5, "inc1-raced", ""), AGENT).request();

        StoredRequest done = f.get(r.id());
        assertEquals(State.ROLLED_BACK, done.state(), joined(done)); // FAILED, and nothing of ours to undo
        assertTrue(joined(done).contains("changed after the gates were re-checked"), joined(done));
        assertEquals(7, f.replicas("payments", "api"), "the other writer's change stands; ours never landed");
    }

    @Test
    void failedVerifyRunsTheRollbackToTheBeforeState() throws Exception {
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        StoredRequest r = f.submit(scalePlan("prod", 5, "inc1-scale-api",
                "verify:\n  - {pods_ready: {kind: Deployment, name: api}, timeout: 3s}\n"), AGENT).request();

        StoredRequest done = f.get(r.id());
        assertEquals(State.ROLLED_BACK, done.state(), joined(done));
        assertTrue(joined(done).contains("verify[0]: Deployment payments/api not ready after 3s (3 of 5 pods ready)"), joined(done));
        assertEquals(3, f.replicas("payments", "api"));
        assertEquals("ROLLED_BACK", done.actions().get(0).status());
    }

    @Test
    void aLongVerifyDoesNotHoldUpSubmissionsOrApprovals() throws Exception {
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        f.cluster.deployment("payments", "web", 3, 3, "256Mi");
        java.util.concurrent.CountDownLatch verifying = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        f.onSleep.add(() -> {
            verifying.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            f.cluster.setReady("payments", "api", 5);
        });
        StoredRequest slow = f.harness.submit(scalePlan("prod", 5, "slow-1",
                "verify:\n  - {pods_ready: {kind: Deployment, name: api}, timeout: 60s}\n").getBytes(
                java.nio.charset.StandardCharsets.UTF_8), f.p(AGENT)).request();
        assertTrue(verifying.await(30, java.util.concurrent.TimeUnit.SECONDS));
        try {
            StoredRequest other = f.harness.submit(plan("prod", 0.4, pointer(ev, "1-5"), scale("web", 4, "other-1"), "")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8), f.p(AGENT)).request();
            assertEquals(State.PENDING_APPROVAL, other.state());
            // the runner is still busy verifying the first request, so the second waits APPROVED
            assertEquals(State.APPROVED, f.harness.approve(other.id(), f.p(ALICE)).state());
            assertEquals(State.VERIFYING, f.harness.get(slow.id()).state());
        } finally {
            release.countDown();
        }
        assertEquals(State.SUCCEEDED, f.get(slow.id()).state());
    }

    @Test
    void shadowModeRecordsTheDryRunDiffAndChangesNothing() throws Exception {
        f.cluster.deployment("payments-staging", "api", 3, 3, "256Mi");
        long writesBefore = f.writes("payments-staging", "api");
        StoredRequest r = f.submit(plan("staging", 0.9, pointer(f.snapshot("staging", 5), "1-2"), scale("api", 5, "inc1-shadow"), ""),
                AGENT).request();

        StoredRequest done = f.get(r.id());
        assertEquals(State.SUCCEEDED, done.state(), joined(done));
        assertEquals(ChangePolicy.Mode.SHADOW, done.mode());
        StoredRequest.StoredAction a = done.actions().get(0);
        assertEquals("DRY_RUN", a.status());
        JsonNode outcome = Ledger.JSON.readTree(a.outcome().orElseThrow());
        assertTrue(outcome.path("dry_run").asBoolean());
        assertEquals(3, outcome.path("diff").path("before").asInt());
        assertEquals(5, outcome.path("diff").path("after").asInt());
        assertEquals(3, f.replicas("payments-staging", "api"));
        assertEquals(writesBefore, f.writes("payments-staging", "api"));
        assertTrue(f.cluster.dispatcher.dryRuns.stream().anyMatch(d -> d.contains("payments-staging/deployments/api")),
                f.cluster.dispatcher.dryRuns.toString());
    }

    @Test
    void repeatedIdempotencyKeyReturnsTheEarlierOutcomeAndNeverExecutesTwice() throws Exception {
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        String doc = scalePlan("prod", 4, "inc1-once", "");
        StoredRequest first = f.submit(doc, AGENT).request();
        long writes = f.writes("payments", "api");
        f.cluster.client.apps().deployments().inNamespace("payments").withName("api")
                .edit(d -> { d.getSpec().setReplicas(3); return d; });

        Harness.Submission again = f.submit(doc, AGENT);
        assertTrue(again.duplicate());
        assertEquals(first.id(), again.request().id());
        assertEquals(State.SUCCEEDED, again.request().state());
        assertEquals(3, f.replicas("payments", "api"), "the repeated key must not scale again");
        assertEquals(writes + 1, f.writes("payments", "api"), "only the test's own reset was written");

        AfsException e = assertThrows(AfsException.class, () -> f.submit(scalePlan("prod", 5, "inc1-once", ""), AGENT));
        assertEquals(AfsError.ALREADY_EXISTS, e.error());
        assertTrue(e.getMessage().contains("'inc1-once' was already used by request " + first.id()), e.getMessage());
    }

    @Test
    void twoPersonApprovalNeedsTwoDistinctApproversAndRefusesTheSubmitter() throws Exception {
        f.cluster.deployment("payments", "big", 10, 10, "256Mi");
        String doc = plan("prod", 0.9, pointer(ev, "1-5"),
                "  - {tool: restart, target: {kind: Deployment, name: big}, idempotency_key: inc1-restart-big}\n", "");
        StoredRequest r = f.submit(doc, AGENT).request();
        assertEquals(State.PENDING_APPROVAL, r.state(), joined(r));
        assertEquals(2, r.requiredApprovals());

        AfsException self = assertThrows(AfsException.class, () -> f.harness.approve(r.id(), f.p(AGENT)));
        assertEquals(AfsError.ACCESS_DENIED, self.error());
        assertTrue(self.getMessage().contains("submitted request " + r.id() + " and cannot approve it"), self.getMessage());
        // a stranger who may not read payments/prod does not even learn that the request exists
        AfsException stranger = assertThrows(AfsException.class, () -> f.harness.approve(r.id(), f.p(MALLORY)));
        assertEquals(AfsError.NOT_FOUND, stranger.error());

        assertEquals(State.PENDING_APPROVAL, f.harness.approve(r.id(), f.p(ALICE)).state());
        AfsException twice = assertThrows(AfsException.class, () -> f.harness.approve(r.id(), f.p(ALICE)));
        assertEquals(AfsError.ALREADY_EXISTS, twice.error());
        assertEquals(State.PENDING_APPROVAL, f.get(r.id()).state());
        assertEquals(null, annotation("big"));

        f.harness.approve(r.id(), f.p(BOB));
        StoredRequest done = f.get(r.id());
        assertEquals(State.SUCCEEDED, done.state(), joined(done));
        assertEquals(List.of("user:alice", "user:bob"), done.approvals().stream().map(StoredRequest.Approval::person).toList());
        assertEquals(Ledger.JSON.readTree(done.actions().get(0).beforeState().orElseThrow()).path("restarted_at").isNull(), true);
        assertEquals(done.actions().get(0).marker().orElseThrow(), annotation("big"));
    }

    private String annotation(String name) {
        var a = f.cluster.get("payments", name).getSpec().getTemplate().getMetadata().getAnnotations();
        return a == null ? null : a.get(Cluster.RESTARTED_AT);
    }

    @Test
    void onePersonApprovalByAGroupMemberAndRejectWithReason() throws Exception {
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        String doc = plan("prod", 0.9, pointer(ev, "1-5"), "  - {tool: set_resources, target: {kind: Deployment, name: api,"
                + " container: app}, params: {limits: {memory: 384Mi}}, idempotency_key: inc1-mem}\n", "");
        StoredRequest r = f.submit(doc, AGENT).request();
        assertEquals(State.PENDING_APPROVAL, r.state(), joined(r));
        assertEquals(1, r.requiredApprovals());
        f.harness.approve(r.id(), f.p(SRE_MEMBER));
        StoredRequest done = f.get(r.id());
        assertEquals(State.SUCCEEDED, done.state(), joined(done));
        assertEquals("384Mi", f.cluster.get("payments", "api").getSpec().getTemplate().getSpec().getContainers().get(0)
                .getResources().getLimits().get("memory").toString());

        StoredRequest second = f.submit(plan("prod", 0.9, pointer(ev, "1-5"), "  - {tool: set_resources, target: "
                + "{kind: Deployment, name: api, container: app}, params: {limits: {memory: 512Mi}}, idempotency_key: inc1-mem2}\n", ""),
                AGENT).request();
        AfsException noReason = assertThrows(AfsException.class, () -> f.harness.reject(second.id(), f.p(ALICE), " "));
        assertEquals(AfsError.INVALID_ARGUMENT, noReason.error());
        StoredRequest rejected = f.harness.reject(second.id(), f.p(ALICE), "memory is not the problem");
        assertEquals(State.REJECTED, rejected.state());
        assertTrue(joined(rejected).contains("rejected by user:alice: memory is not the problem"));
    }

    @Test
    void lowConfidenceAlwaysNeedsAHuman() throws Exception {
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        StoredRequest r = f.submit(plan("prod", 0.4, pointer(ev, "1-5"), scale("api", 4, "inc1-low"), ""), AGENT).request();
        assertEquals(State.PENDING_APPROVAL, r.state());
        assertEquals(1, r.requiredApprovals());
        assertEquals(List.of("confidence: 0.4 is below 0.7; a human must approve"), r.gates().orElseThrow().notes());
        assertTrue(r.reasons().isEmpty(), "a low-confidence note is no rejection reason: " + joined(r));
        assertEquals(3, f.replicas("payments", "api"));
    }

    @Test
    void cancelBeforeExecutionByTheSubmitter() throws Exception {
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        StoredRequest r = f.submit(plan("prod", 0.4, pointer(ev, "1-5"), scale("api", 4, "inc1-c"), ""), AGENT).request();
        assertThrows(AfsException.class, () -> f.harness.cancel(r.id(), f.p(MALLORY)));
        assertEquals(State.CANCELLED, f.harness.cancel(r.id(), f.p(AGENT)).state());
        AfsException late = assertThrows(AfsException.class, () -> f.harness.approve(r.id(), f.p(ALICE)));
        assertTrue(late.getMessage().contains("is CANCELLED, not PENDING_APPROVAL"), late.getMessage());
    }

    @Test
    void sameActionOnTheSameTargetRepeatedEscalatesToAHuman() throws Exception {
        f.cluster.deployment("payments", "api", 4, 4, "256Mi");
        assertEquals(State.SUCCEEDED, f.get(f.submit(scalePlan("prod", 5, "loop-1", ""), AGENT).request().id()).state());
        assertEquals(State.SUCCEEDED, f.get(f.submit(scalePlan("prod", 4, "loop-2", ""), AGENT).request().id()).state());
        StoredRequest third = f.submit(scalePlan("prod", 5, "loop-3", ""), AGENT).request();
        assertEquals(State.PENDING_APPROVAL, third.state(), joined(third));
        assertTrue(third.gates().orElseThrow().notes().contains("loop: actions[0] repeats scale on payments/Deployment/api (3 times within 60 min); escalated to a human approver"), third.gates().toString());
        assertFalse(third.actions().isEmpty());
    }

    @Test
    void ledgerOfAFlowVerifies() throws Exception {
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        f.submit(scalePlan("prod", 4, "inc1-l", ""), AGENT);
        f.closeHarness();
        Path data = dir.resolve("data");
        String pub = SigningKey.publicKeyHex(Harness.ledgerPublicKey(data)).orElseThrow();
        LedgerVerifier.Result result = LedgerVerifier.verify(Harness.ledgerPath(data), pub);
        assertTrue(result.ok(), result.problem().orElse(""));
        List<String> lines = java.nio.file.Files.readAllLines(Harness.ledgerPath(data));
        assertEquals(result.entries(), lines.size());
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"from\":\"VERIFYING\",\"to\":\"SUCCEEDED\"")));
        assertEquals(java.util.Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE),
                java.nio.file.Files.getPosixFilePermissions(Harness.keyPath(data)));
    }
}
