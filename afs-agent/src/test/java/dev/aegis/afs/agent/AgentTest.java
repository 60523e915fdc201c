package dev.aegis.afs.agent;

import static dev.aegis.afs.agent.AgentFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.afs.intent.Action.Mode;
import dev.aegis.afs.intent.Intent;
import dev.aegis.afs.intent.IntentKeyStore;
import dev.aegis.afs.intent.IntentSigner;
import dev.aegis.afs.intent.KeyFile;
import dev.aegis.afs.intent.TaskResult;
import dev.aegis.afs.intent.TaskResult.Outcome;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent in its own thread, polling a control plane over HTTP, acting on fabric8's mock API
 * server. Every refusal is asserted by what the API server received: nothing.
 */
class AgentTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    AgentFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new AgentFixture(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        f.close();
    }

    @Test
    void aVerifiedAllowedIntentScalesTheDeploymentAndTheResultIsSigned() throws Exception {
        f.start();
        String rv = f.api.get("payments", "api").getMetadata().getResourceVersion();
        AtomicBoolean done = new AtomicBoolean();
        Thread controller = controller(done);
        String task = f.lease(scale(4, Mode.EXECUTE, "cr-7/a1"));
        TaskResult r = f.cp.awaitResult(task);
        done.set(true);
        controller.join();
        assertEquals(Outcome.EXECUTED, r.outcome(), r.message());
        assertEquals(4, f.api.get("payments", "api").getSpec().getReplicas());
        assertTrue(r.details().path("verify").path("pods_ready").asBoolean(), r.details().toString());
        assertEquals(2, r.details().path("diff").path("before").asInt());
        assertEquals(4, r.details().path("diff").path("after").asInt());
        List<ApiServer.Seen> puts = f.api.writes().stream().filter(s -> s.method().equals("PUT")
                && s.path().startsWith("/apis/apps/v1/namespaces/payments/deployments/api")).toList();
        assertEquals(1, puts.size(), f.api.writes().toString());
        assertEquals(rv, JSON.readTree(puts.get(0).body()).path("metadata").path("resourceVersion").asText(),
                "the write carries the resourceVersion the policy saw");
        assertEquals("cr-7", r.requestId().orElseThrow());
        assertEquals("cr-7/a1", r.idempotencyKey().orElseThrow());
    }

    @Test
    void shadowModeOnlyDryRuns() throws Exception {
        f.start();
        TaskResult r = f.cp.awaitResult(f.lease(scale(3, Mode.SHADOW, "cr-7/a1/shadow")));
        assertEquals(Outcome.DRY_RUN, r.outcome(), r.message());
        assertEquals(3, r.details().path("diff").path("after").asInt());
        assertEquals(2, f.api.get("payments", "api").getSpec().getReplicas());
        List<ApiServer.Seen> writes = f.api.writes();
        assertEquals(1, writes.size(), writes.toString());
        assertTrue(writes.get(0).path().contains("dryRun=All"), writes.get(0).path());
    }

    @Test
    void aTamperedPayloadSendsNothing() throws Exception {
        f.start();
        Intent i = f.signer.sign(scale(4, Mode.EXECUTE, "k"));
        String[] parts = i.compact().split("\\.");
        String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"replicas\":4", "\"replicas\":400");
        String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes()) + "."
                + parts[2];
        assertRefusedWithNothingSent(i.jti(), forged, "bad_signature");
    }

    @Test
    void anIntentSignedByAnotherKeySendsNothing() throws Exception {
        f.start();
        Intent i = f.signer.sign(scale(4, Mode.EXECUTE, "k"));
        String kid = com.nimbusds.jose.JWSObject.parse(i.compact()).getHeader().getKeyID();
        assertRefusedWithNothingSent(i.jti(), AgentFixture.resign(i.compact(), KeyFile.generate(f.random), kid), "bad_signature");
    }

    @Test
    void anUnknownKidSendsNothing() throws Exception {
        f.start();
        IntentKeyStore other = IntentKeyStore.open(dir.resolve("other"));
        other.rotate(f.root, Instant.now().minusSeconds(60), Duration.ofHours(24), Duration.ofHours(1), 1, f.random);
        Intent i = new IntentSigner(other, Clock.systemUTC(), f.random, IntentSigner.DEFAULT_TTL).sign(scale(4, Mode.EXECUTE, "k"));
        assertRefusedWithNothingSent(i.jti(), i.compact(), "unknown_kid");
    }

    @Test
    void aKeyCertifiedByAnotherRootSendsNothing() throws Exception {
        f.start();
        IntentKeyStore other = IntentKeyStore.open(dir.resolve("other"));
        other.rotate(KeyFile.generate(f.random), Instant.now().minusSeconds(60), Duration.ofHours(24), Duration.ofHours(1), 1,
                f.random);
        f.cp.extraCertificates.addAll(other.published(Instant.now()));
        Intent i = new IntentSigner(other, Clock.systemUTC(), f.random, IntentSigner.DEFAULT_TTL).sign(scale(4, Mode.EXECUTE, "k"));
        assertRefusedWithNothingSent(i.jti(), i.compact(), "uncertified_key");
    }

    @Test
    void aKeyWhoseCertificateExpiredSendsNothing() throws Exception {
        f.start();
        IntentKeyStore old = IntentKeyStore.open(dir.resolve("old"));
        List<IntentKeyStore.CertifiedKey> keys = old.rotate(f.root, Instant.now().minus(Duration.ofHours(26)), Duration.ofHours(24),
                Duration.ofHours(1), 1, f.random);
        f.cp.extraCertificates.add(keys.get(0).certificate());
        Intent fresh = f.signer.sign(scale(4, Mode.EXECUTE, "k"));
        String forged = AgentFixture.resign(fresh.compact(), keys.get(0).privateKey(), keys.get(0).certificate().keyId());
        assertRefusedWithNothingSent(fresh.jti(), forged, "certificate_expired");
    }

    @Test
    void anIntentForAnotherClusterSendsNothing() throws Exception {
        f.start();
        Intent i = f.signer.sign(new dev.aegis.afs.intent.Action("prod-us", "cr-7", "a1", "scale",
                new dev.aegis.afs.intent.Action.Target("Deployment", "payments", "api"), java.util.Map.of("replicas", 4L),
                Mode.EXECUTE, "ab".repeat(32), "k"));
        assertRefusedWithNothingSent(i.jti(), i.compact(), "wrong_audience");
    }

    @Test
    void anExpiredIntentSendsNothing() throws Exception {
        f.start();
        IntentSigner late = new IntentSigner(f.store, Clock.fixed(Instant.now().minusSeconds(50), ZoneOffset.UTC), f.random,
                IntentSigner.DEFAULT_TTL);
        Intent i = late.sign(scale(4, Mode.EXECUTE, "k"));
        assertRefusedWithNothingSent(i.jti(), i.compact(), "expired");
    }

    @Test
    void aReplayedJtiSendsNothingAlsoAfterARestart() throws Exception {
        f.start();
        Intent i = f.signer.sign(scale(3, Mode.SHADOW, "k"));
        f.cp.lease(i.jti(), i.compact());
        assertEquals(Outcome.DRY_RUN, f.cp.awaitResult(i.jti()).outcome());
        f.cp.results.clear();
        f.api.forget();
        // the same task again is not run again; the same intent under another task id is a replay
        f.cp.lease(i.jti(), i.compact());
        assertRefusedWithNothingSent("replay-1", i.compact(), "replayed");
        assertEquals(null, f.cp.results.get(i.jti()), "an answered task gets no second answer");
        f.stopAgent();
        f.start();
        assertRefusedWithNothingSent("replay-2", i.compact(), "replayed");
    }

    @Test
    void aLocalPolicyThatDeniesSendsNoWrite() throws Exception {
        f.start();
        TaskResult r = f.cp.awaitResult(f.lease(scale(10, Mode.EXECUTE, "k")));
        assertEquals(Outcome.REFUSED, r.outcome());
        assertEquals("policy_denied", r.reason());
        assertTrue(r.message().contains("no allow rule"), r.message());
        assertEquals(List.of(), f.api.writes());
        assertTrue(f.api.seen.stream().allMatch(s -> s.method().equals("GET")), f.api.seen.toString());
        assertEquals(2, f.api.get("payments", "api").getSpec().getReplicas());
    }

    @Test
    void aDenyRuleWinsOverAnAllowRule() throws Exception {
        f.api.client.apps().deployments().inNamespace("payments").withName("api")
                .edit(d -> {
                    d.getMetadata().setLabels(java.util.Map.of("afs/freeze", "true"));
                    return d;
                });
        f.api.forget();
        f.start();
        TaskResult r = f.cp.awaitResult(f.lease(scale(3, Mode.EXECUTE, "k")));
        assertEquals("policy_denied", r.reason());
        assertEquals("frozen", r.details().path("rule").asText());
        assertEquals(List.of(), f.api.writes());
    }

    @Test
    void aPolicyFileThatDoesNotCompileLocksTheAgent() throws Exception {
        java.nio.file.Files.writeString(f.policy, "allow:\n  - name: broken\n    when: \"intent.action ==\"\n");
        AgentProcess agent = f.start();
        JsonNode status = f.statusFile();
        assertEquals("locked", status.path("state").asText());
        assertTrue(status.path("lock_reason").asText().contains("broken"), status.toString());
        String metrics = httpGet("http://127.0.0.1:" + agent.statusPort().orElseThrow() + "/metrics");
        assertTrue(metrics.contains("afs_agent_locked 1.0"), metrics);
        Intent i = f.signer.sign(scale(3, Mode.EXECUTE, "k"));
        assertRefusedWithNothingSent(i.jti(), i.compact(), "locked");
        assertTrue(f.cp.lockReported.orElse("").contains("broken"), "the lock goes with every poll, for afs agents ls: "
                + f.cp.lockReported);
    }

    @Test
    void theApiServerChangingTheObjectAfterTheReadChangesNothing() throws Exception {
        f.api.serveStaleOnce = true;
        f.start();
        TaskResult r = f.cp.awaitResult(f.lease(scale(3, Mode.EXECUTE, "k")));
        assertEquals(Outcome.FAILED, r.outcome());
        assertEquals("conflict", r.reason(), r.message());
        assertEquals(2, f.api.get("payments", "api").getSpec().getReplicas());
    }

    @Test
    void anIdempotencyKeyRunsOnceEvenWhenLeasedAgain() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        Thread controller = controller(done);
        f.start();
        TaskResult first = f.cp.awaitResult(f.lease(scale(3, Mode.EXECUTE, "cr-7/a1")));
        assertEquals(Outcome.EXECUTED, first.outcome(), first.message());
        done.set(true);
        controller.join();
        f.api.forget();
        f.stopAgent();
        f.start();
        TaskResult again = f.cp.awaitResult(f.lease(scale(3, Mode.EXECUTE, "cr-7/a1")));
        assertEquals(Outcome.REFUSED, again.outcome());
        assertEquals("already_executed", again.reason());
        assertEquals(List.of(), f.api.seen);
    }

    @Test
    void anExecutionInterruptedByAStopIsReportedAndNeverRunAgain() throws Exception {
        // the journal as a crash leaves it: the write was announced, then the process died
        // (the API server had applied it); the agent must find it applied and not run it again
        java.nio.file.Files.createDirectories(dir.resolve("agent/data"));
        f.api.client.apps().deployments().inNamespace("payments").withName("api").edit(d -> {
            d.getSpec().setReplicas(3);
            return d;
        });
        f.api.forget();
        java.nio.file.Files.writeString(dir.resolve("agent/data/executions.jsonl"),
                "{\"event\":\"started\",\"key\":\"cr-7/a1\",\"task\":\"t-crashed\",\"marker\":\"\",\"intent\":{\"action\":\"scale\","
                        + "\"kind\":\"Deployment\",\"namespace\":\"payments\",\"name\":\"api\",\"parameters\":{\"replicas\":3},"
                        + "\"request_id\":\"cr-7\",\"action_id\":\"a1\",\"intent_sha256\":\"00\"}}\n");
        f.start();
        TaskResult r = f.cp.awaitResult("t-crashed");
        assertEquals(Outcome.INTERRUPTED, r.outcome());
        assertTrue(r.details().path("applied").asBoolean(), r.details().toString());
        TaskResult again = f.cp.awaitResult(f.lease(scale(3, Mode.EXECUTE, "cr-7/a1")));
        assertEquals("already_executed", again.reason());
        assertTrue(f.api.writes().isEmpty(), f.api.writes().toString());
    }

    @Test
    void resultsTheControlPlaneCouldNotTakeAreSentAgain() throws Exception {
        f.cp.rejectResults = true;
        f.start();
        String task = f.lease(scale(3, Mode.SHADOW, "k"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (f.statusFile().path("results_undelivered").asInt() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, f.statusFile().path("results_undelivered").asInt());
        assertTrue(f.cp.results.isEmpty());
        f.cp.rejectResults = false;
        assertEquals(Outcome.DRY_RUN, f.cp.awaitResult(task).outcome());
        assertEquals(1, f.api.writes().size(), "the task ran once");
    }

    @Test
    void whileTheControlPlaneIsUnreachableNothingRunsAndTheStatusSaysSo() throws Exception {
        f.start();
        f.cp.stop();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!f.statusFile().path("last_poll_error").isTextual() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        JsonNode s = f.statusFile();
        assertEquals(false, s.path("control_plane_reachable").asBoolean(), s.toString());
        assertTrue(s.path("last_poll_error").asText().contains("/v1/tasks"), s.toString());
        assertEquals(List.of(), f.api.seen);
        f.cp.restart();
        TaskResult r = f.cp.awaitResult(f.lease(scale(3, Mode.SHADOW, "k")));
        assertEquals(Outcome.DRY_RUN, r.outcome());
    }

    @Test
    void theStatusEndpointAnswersOnLoopback() throws Exception {
        AgentProcess agent = f.start();
        f.cp.awaitResult(f.lease(scale(3, Mode.SHADOW, "k")));
        JsonNode s = JSON.readTree(httpGet("http://127.0.0.1:" + agent.statusPort().orElseThrow() + "/status"));
        assertEquals("running", s.path("state").asText());
        assertEquals("prod-eu", s.path("cluster").asText());
        assertEquals(f.agentKey.getKeyID(), s.path("agent_key_id").asText());
        assertTrue(s.path("last_successful_poll_at").isTextual(), s.toString());
        for (String file : List.of("status.json", "replay.cache", "executions.jsonl")) {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(dir.resolve("agent/data").resolve(file))), file);
        }
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(dir.resolve("agent/data"))));
    }

    private void assertRefusedWithNothingSent(String task, String intent, String reason) throws Exception {
        f.cp.lease(task, intent);
        TaskResult r = f.cp.awaitResult(task);
        assertEquals(Outcome.REFUSED, r.outcome(), r.message());
        assertEquals(reason, r.reason(), r.message());
        assertEquals(List.of(), f.api.seen, "nothing reached the API server");
    }

    /** A deployment controller: ready pods follow spec.replicas until {@code done}. */
    private Thread controller(AtomicBoolean done) {
        Thread t = new Thread(() -> {
            while (!done.get()) {
                var d = f.api.client.apps().deployments().inNamespace("payments").withName("api").get();
                if (d != null && !d.getSpec().getReplicas().equals(d.getStatus().getReadyReplicas())) {
                    f.api.podsBecomeReady("payments", "api");
                }
                try {
                    Thread.sleep(30);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String httpGet(String url) throws Exception {
        var c = java.net.http.HttpClient.newHttpClient();
        return c.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

}
