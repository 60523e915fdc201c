package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static dev.aegis.afs.harness.HarnessFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.harness.HarnessClient;
import dev.aegis.afs.intent.Intent;
import dev.aegis.afs.intent.IntentKeyStore;
import dev.aegis.afs.intent.IntentVerifier;
import dev.aegis.afs.intent.Jwks;
import dev.aegis.afs.intent.KeyFile;
import dev.aegis.afs.intent.PollToken;
import dev.aegis.afs.intent.TaskResult;
import dev.aegis.afs.intent.TaskResult.Outcome;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness as a control plane without cluster credentials (execution: agents), over HTTP,
 * with this test as the agent of cluster prod-eu: it polls with tokens signed by its key,
 * verifies the intents under the pinned root, and posts signed results. The harness's client
 * reads only (live state for the gates); every write here is the test-agent's own.
 */
class AgentLeasingTest {

    @TempDir
    Path dir;
    HarnessFixture f;
    HarnessDaemon daemon;
    HarnessClient client;
    EvidenceRecord ev;
    final SecureRandom random = new SecureRandom();
    final HttpClient http = HttpClient.newHttpClient();
    OctetKeyPair root;
    OctetKeyPair agentKey;
    IntentVerifier verifier;

    @BeforeEach
    void start() throws Exception {
        f = new HarnessFixture(dir);
        ev = f.snapshot(30);
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        root = KeyFile.generate(random);
        agentKey = KeyFile.generate(random);
        IntentKeyStore.open(dir.resolve("data")).rotate(root, f.clock.instant(), Duration.ofHours(24), Duration.ofHours(1), 1, random);
        Files.writeString(dir.resolve("harness.yaml"), """
                listen: 127.0.0.1:0
                data_dir: data
                namespaces: namespaces.yaml
                evidence_dir: evidence
                policy: {max_evidence_age: 2h}
                execution: agents
                live_state: {backend: cluster}
                agents:
                  prod-eu: {public_key: %s}
                """.formatted(agentKey.getX()) + f.captureKeysYaml());
        daemon = HarnessDaemon.start(HarnessConfig.read(dir.resolve("harness.yaml")), f.cluster.client, f.clock, f.accounts,
                Harness.Probe.NONE);
        client = new HarnessClient(URI.create(daemon.url()), Duration.ofSeconds(20), Optional.of(daemon.tokenFile()));
        Set<String> seen = new HashSet<>();
        verifier = new IntentVerifier(root, "prod-eu", kid -> keys().certificate(kid), (jti, exp, now) -> seen.add(jti),
                f.clock, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (daemon != null) {
                daemon.stop();
            }
        } finally {
            f.close();
        }
    }

    private Jwks keys() {
        try {
            return Jwks.parse(http.send(HttpRequest.newBuilder(URI.create(daemon.url() + "/v1/keys")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> send(OctetKeyPair key, String cluster, String method, String pathAndQuery, String body)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(daemon.url() + pathAndQuery))
                .header("Authorization", PollToken.SCHEME + " " + PollToken.sign(key, cluster, method, pathAndQuery, f.clock.instant(), random))
                .header("User-Agent", "afs-agent/9.9")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<JsonNode> poll() throws Exception {
        HttpResponse<String> r = send(agentKey, "prod-eu", "GET", "/v1/tasks?cluster=prod-eu", null);
        assertEquals(200, r.statusCode(), r.body());
        List<JsonNode> out = new ArrayList<>();
        Ledger.JSON.readTree(r.body()).path("tasks").forEach(out::add);
        return out;
    }

    private String result(Intent i, Outcome outcome, String reason, JsonNode details) {
        return new TaskResult("prod-eu", i.jti(), i.sha256(), Optional.of(i.action().requestId()),
                Optional.of(i.action().actionId()), Optional.of(i.action().idempotencyKey()), outcome, reason, "test agent",
                details, f.clock.instant(), "9.9").sign(agentKey);
    }

    private String submit(String key) throws Exception {
        HarnessClient.Reply reply = client.submit(plan("prod", 0.9, pointer(ev, "1-3"), scale("api", 4, key), "")
                .getBytes(StandardCharsets.UTF_8), AGENT);
        daemon.harness().awaitIdle();
        return reply.id();
    }

    @Test
    void anApprovedActionIsLeasedAsASignedIntentAndTheSignedResultMovesTheRequest() throws Exception {
        String id = submit("lease-1");
        assertEquals("EXECUTING", client.get(id, AGENT).path("state").asText());

        List<JsonNode> tasks = poll();
        assertEquals(1, tasks.size());
        Intent intent = verifier.verify(tasks.get(0).path("intent").asText());
        assertEquals(tasks.get(0).path("id").asText(), intent.jti());
        assertEquals("prod-eu", intent.action().cluster());
        assertEquals(id, intent.action().requestId());
        assertEquals("scale", intent.action().tool());
        assertEquals("payments", intent.action().target().namespace());
        assertEquals(4L, intent.action().parameters().get("replicas"));
        assertEquals("lease-1", intent.action().idempotencyKey());
        assertEquals(Duration.ofSeconds(30), Duration.between(intent.issuedAt(), intent.expiresAt()));
        assertEquals(List.of(), poll(), "a leased intent is not handed out again while it is valid");
        assertEquals(3, f.replicas("payments", "api"), "the control plane wrote nothing");
        assertEquals(0, f.writes("payments", "api"), f.cluster.dispatcher.writes.toString());

        String jws = result(intent, Outcome.EXECUTED, "", Ledger.JSON.createObjectNode().set("diff",
                Ledger.JSON.createObjectNode().put("field", "spec.replicas").put("before", 3).put("after", 4)));
        HttpResponse<String> posted = send(agentKey, "prod-eu", "POST", "/v1/tasks/" + intent.jti() + "/result", jws);
        assertEquals(200, posted.statusCode(), posted.body());
        assertEquals(200, send(agentKey, "prod-eu", "POST", "/v1/tasks/" + intent.jti() + "/result", jws).statusCode(),
                "a repeat of the stored result");
        String other = result(intent, Outcome.FAILED, "api_error", Ledger.JSON.createObjectNode());
        assertEquals(409, send(agentKey, "prod-eu", "POST", "/v1/tasks/" + intent.jti() + "/result", other).statusCode());
        daemon.harness().awaitIdle();

        String status = client.statusText(id, AGENT);
        assertTrue(status.startsWith(id + "  SUCCEEDED  (execute mode)"), status);
        assertTrue(status.contains("intents:\n  action 0 -> prod-eu  jti " + intent.jti()), status);
        assertTrue(status.contains("sha256 " + intent.sha256() + "  EXECUTED"), status);
        JsonNode entry = client.ledger(1, 1000, AGENT).stream().filter(e -> e.path("event").asText().equals("intent_result"))
                .findFirst().orElseThrow();
        assertEquals(intent.sha256(), entry.path("detail").path("intent_sha256").asText());
        assertEquals("agent:prod-eu", entry.path("actor").asText());
        assertEquals("executed", entry.path("detail").path("outcome").asText());
        JsonNode agents = Ledger.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(daemon.url() + "/v1/agents"))
                .header("X-Afs-Token", Files.readString(daemon.tokenFile()).strip()).header("X-Afs-Uid", "0").build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("prod-eu", agents.path("agents").get(0).path("cluster").asText());
        assertEquals("9.9", agents.path("agents").get(0).path("version").asText());
        assertEquals("running", agents.path("agents").get(0).path("state").asText());
    }

    @Test
    void shadowModeLeasesADryRunUnderItsOwnIdempotencyKeyAndTheDryRunResultSucceeds() throws Exception {
        f.cluster.deployment("payments-staging", "api", 3, 3, "256Mi");
        String id = client.submit(plan("staging", 0.9, pointer(f.snapshot("staging", 5), "1-2"), scale("api", 5, "shadow-1"), "")
                .getBytes(StandardCharsets.UTF_8), AGENT).id();
        daemon.harness().awaitIdle();
        Intent intent = verifier.verify(poll().get(0).path("intent").asText());
        assertEquals(dev.aegis.afs.intent.Action.Mode.SHADOW, intent.action().mode());
        assertEquals("payments-staging", intent.action().target().namespace());
        assertEquals("shadow-1#shadow", intent.action().idempotencyKey(), "a dry run never spends the execute run's key");
        String jws = result(intent, Outcome.DRY_RUN, "", Ledger.JSON.createObjectNode().set("diff",
                Ledger.JSON.createObjectNode().put("field", "spec.replicas").put("before", 3).put("after", 5)));
        assertEquals(200, send(agentKey, "prod-eu", "POST", "/v1/tasks/" + intent.jti() + "/result", jws).statusCode());
        daemon.harness().awaitIdle();
        String status = client.statusText(id, AGENT);
        assertTrue(status.startsWith(id + "  SUCCEEDED  (shadow mode)"), status);
        assertTrue(status.contains("DRY_RUN  {\"agent\":\"prod-eu\""), status);
        assertTrue(status.contains("\"diff\":{\"field\":\"spec.replicas\",\"before\":3,\"after\":5}"), status);
        assertEquals(3, f.replicas("payments-staging", "api"));
    }

    @Test
    void agentsAreAuthenticatedEachByItsOwnPinnedKey() throws Exception {
        String id = submit("auth-1");
        OctetKeyPair stranger = KeyFile.generate(random);
        assertEquals(401, send(stranger, "prod-eu", "GET", "/v1/tasks?cluster=prod-eu", null).statusCode(), "another key");
        assertEquals(401, send(stranger, "other", "GET", "/v1/tasks?cluster=other", null).statusCode(), "an unpinned cluster");
        HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create(daemon.url() + "/v1/tasks?cluster=prod-eu"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, noToken.statusCode());
        // a token is bound to its path: one minted for another query is refused
        String token = PollToken.sign(agentKey, "prod-eu", "GET", "/v1/tasks?cluster=prod-eu", f.clock.instant(), random);
        HttpResponse<String> moved = http.send(HttpRequest.newBuilder(URI.create(daemon.url() + "/v1/tasks?cluster=prod-eu&x=1"))
                .header("Authorization", "AfsAgent " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, moved.statusCode(), moved.body());
        HttpResponse<String> once = http.send(HttpRequest.newBuilder(URI.create(daemon.url() + "/v1/tasks?cluster=prod-eu"))
                .header("Authorization", "AfsAgent " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, once.statusCode(), once.body());
        HttpResponse<String> replayed = http.send(HttpRequest.newBuilder(URI.create(daemon.url() + "/v1/tasks?cluster=prod-eu"))
                .header("Authorization", "AfsAgent " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, replayed.statusCode(), "a token is accepted once");

        Intent intent = verifier.verify(Ledger.JSON.readTree(once.body()).path("tasks").get(0).path("intent").asText());
        String forged = new TaskResult("prod-eu", intent.jti(), intent.sha256(), Optional.of(id), Optional.of("0"),
                Optional.of("auth-1"), Outcome.EXECUTED, "", "", Ledger.JSON.createObjectNode(), f.clock.instant(), "x").sign(stranger);
        assertEquals(401, send(agentKey, "prod-eu", "POST", "/v1/tasks/" + intent.jti() + "/result", forged).statusCode(),
                "a result not signed by the pinned agent key");
        assertEquals(400, send(agentKey, "prod-eu", "POST", "/v1/tasks/nosuchtask/result",
                result(intent, Outcome.EXECUTED, "", Ledger.JSON.createObjectNode())).statusCode(), "a result posted to another task");
        daemon.harness().awaitIdle();
        assertEquals("EXECUTING", client.get(id, AGENT).path("state").asText(), "nothing the harness did not believe moved it");
    }

    @Test
    void aRefusalFailsTheRequestWithTheAgentsReasonAndAnAlteredIntentIsNamed() throws Exception {
        String id = submit("refuse-1");
        Intent intent = verifier.verify(poll().get(0).path("intent").asText());
        String jws = new TaskResult("prod-eu", intent.jti(), "0".repeat(64), Optional.empty(), Optional.empty(), Optional.empty(),
                Outcome.REFUSED, "bad_signature", "the signature does not verify", Ledger.JSON.createObjectNode(),
                f.clock.instant(), "9.9").sign(agentKey);
        assertEquals(200, send(agentKey, "prod-eu", "POST", "/v1/tasks/" + intent.jti() + "/result", jws).statusCode());
        daemon.harness().awaitIdle();
        String status = client.statusText(id, AGENT);
        assertTrue(status.startsWith(id + "  ROLLED_BACK"), "nothing changed, so nothing to roll back: " + status);
        assertTrue(status.contains("refused by agent prod-eu: bad_signature"), status);
        assertTrue(status.contains("REFUSED (bad_signature)"), status);
        assertEquals(List.of(), poll(), "no rollback intent for an action that changed nothing");
        JsonNode entry = client.ledger(1, 1000, AGENT).stream().filter(e -> e.path("event").asText().equals("intent_result"))
                .findFirst().orElseThrow();
        assertEquals("0".repeat(64), entry.path("detail").path("received_intent_sha256").asText());
        assertEquals(intent.sha256(), entry.path("detail").path("intent_sha256").asText());
    }

    /** Scales api from {@code from} to {@code to} as the agent would, and posts its signed result with that diff. */
    private void scaleAsTheAgent(Intent intent, Outcome outcome, int from, int to) throws Exception {
        f.cluster.client.apps().deployments().inNamespace("payments").withName("api").edit(d -> {
            d.getSpec().setReplicas(to);
            return d;
        });
        String jws = result(intent, outcome, outcome == Outcome.VERIFY_FAILED ? "pods_not_ready" : "", Ledger.JSON.createObjectNode()
                .set("diff", Ledger.JSON.createObjectNode().put("field", "spec.replicas").put("before", from).put("after", to)));
        assertEquals(200, send(agentKey, "prod-eu", "POST", "/v1/tasks/" + intent.jti() + "/result", jws).statusCode());
        daemon.harness().awaitIdle();
    }

    /** Submits a scale of api to 4, leases it, and answers as the agent: scaled from 3, but the pods did not get ready. */
    private String failedVerify(String key) throws Exception {
        String id = submit(key);
        scaleAsTheAgent(verifier.verify(poll().get(0).path("intent").asText()), Outcome.VERIFY_FAILED, 3, 4);
        assertEquals("FAILED", client.get(id, AGENT).path("state").asText());
        return id;
    }

    @Test
    void aFailedVerifyIsRolledBackThroughTheAgentAsASignedIntentRecordedLikeTheAction() throws Exception {
        String id = failedVerify("rb-1");
        List<JsonNode> tasks = poll();
        assertEquals(1, tasks.size(), "the rollback is leased to the agent");
        Intent rollback = verifier.verify(tasks.get(0).path("intent").asText());
        assertEquals("scale", rollback.action().tool());
        assertEquals("api", rollback.action().target().name());
        assertEquals(3L, rollback.action().parameters().get("replicas"), "the state the agent reported before it acted");
        assertEquals("rb-1#rollback", rollback.action().idempotencyKey(), "a key of its own: the agent runs a rollback once too");
        assertEquals(dev.aegis.afs.intent.Action.Mode.EXECUTE, rollback.action().mode());
        assertEquals(List.of(), poll(), "leased once");
        assertEquals(4, f.replicas("payments", "api"), "the control plane wrote nothing itself");

        scaleAsTheAgent(rollback, Outcome.EXECUTED, 4, 3);

        String status = client.statusText(id, AGENT);
        assertTrue(status.startsWith(id + "  ROLLED_BACK"), status);
        assertTrue(status.contains("jti " + rollback.jti()), "the rollback intent is listed with the others: " + status);
        List<JsonNode> ledger = client.ledger(1, 1000, AGENT);
        List<String> events = ledger.stream().map(e -> e.path("event").asText()).toList();
        assertTrue(events.containsAll(List.of("rollback_queued", "rollback_done")), events.toString());
        JsonNode leased = ledger.stream().filter(e -> e.path("event").asText().equals("intent_leased")
                && e.path("detail").path("rollback").asBoolean()).findFirst().orElseThrow();
        assertEquals(rollback.sha256(), leased.path("detail").path("intent_sha256").asText());
        JsonNode done = ledger.stream().filter(e -> e.path("event").asText().equals("intent_result")
                && e.path("detail").path("rollback").asBoolean()).findFirst().orElseThrow();
        assertEquals("agent:prod-eu", done.path("actor").asText());
        assertEquals(rollback.sha256(), done.path("detail").path("intent_sha256").asText());
        assertEquals(List.of(), poll());
    }

    @Test
    void aRollbackTheAgentRefusesLeavesTheRequestFailedWithWhatToRestoreByHand() throws Exception {
        String id = failedVerify("rb-2");
        Intent rollback = verifier.verify(poll().get(0).path("intent").asText());
        String jws = result(rollback, Outcome.REFUSED, "policy_denied", Ledger.JSON.createObjectNode());
        assertEquals(200, send(agentKey, "prod-eu", "POST", "/v1/tasks/" + rollback.jti() + "/result", jws).statusCode());
        daemon.harness().awaitIdle();
        String status = client.statusText(id, AGENT);
        assertTrue(status.startsWith(id + "  FAILED"), status);
        assertTrue(status.contains("rollback: action 0 scale payments/Deployment/api was not restored by agent prod-eu (refused "
                + "policy_denied: test agent); restore by hand to {replicas=3}"), status);
        assertEquals(List.of(), poll(), "a refused rollback is not leased again");
        assertEquals(4, f.replicas("payments", "api"));
    }

    @Test
    void anUnansweredLeaseIsLeasedAgainAfterItExpiresWithTheSameIdempotencyKeyAndGatesRecheckedAtLease() throws Exception {
        String id = submit("again-1");
        Intent first = verifier.verify(poll().get(0).path("intent").asText());
        f.clock.advance(Duration.ofSeconds(36));
        Intent second = verifier.verify(poll().get(0).path("intent").asText());
        assertTrue(!first.jti().equals(second.jti()));
        assertEquals(first.action().idempotencyKey(), second.action().idempotencyKey());

        // the gates run again at lease: the target grew meanwhile, so 4 replicas is a scale-down the guardrails still allow,
        // but a deleted target fails the re-check and nothing is leased
        f.clock.advance(Duration.ofSeconds(36));
        f.cluster.client.apps().deployments().inNamespace("payments").withName("api").delete();
        assertEquals(List.of(), poll());
        daemon.harness().awaitIdle();
        String status = client.statusText(id, AGENT);
        assertTrue(status.startsWith(id + "  ROLLED_BACK"), "failed, with no action done to undo: " + status);
        assertTrue(status.contains("at execution: policy:"), status);
    }

    @Test
    void aRotatedKeySignsFromItsPeriodAndTheOldOneIsPublishedUntilItsCertificateEnds() throws Exception {
        String old = keys().certificatesByKid().keySet().iterator().next();
        String next = IntentKeyStore.open(dir.resolve("data")).rotate(root, f.clock.instant().plus(Duration.ofHours(24)),
                Duration.ofHours(24), Duration.ofHours(1), 1, random).get(0).certificate().keyId();
        assertEquals(Set.of(old, next), keys().certificatesByKid().keySet(), "afs keys rotate publishes the next key ahead");
        submit("rotate-1");
        assertEquals(old, com.nimbusds.jose.JWSObject.parse(poll().get(0).path("intent").asText()).getHeader().getKeyID(),
                "the next key does not sign before its period");

        f.clock.advance(Duration.ofHours(24).plusMinutes(30)); // the old certificate runs one more hour (the overlap)
        assertEquals(Set.of(old, next), keys().certificatesByKid().keySet(), "kept while an intent it signed may be valid");
        f.clock.advance(Duration.ofHours(1));
        assertEquals(Set.of(next), keys().certificatesByKid().keySet());
        assertTrue(!Files.exists(dir.resolve("data/intent-keys/" + old + ".jwk")), "an ended key is deleted");
        assertTrue(Files.exists(dir.resolve("data/intent-keys/" + next + ".jwk")));
    }

    @Test
    void theHarnessRefusesToStartWithKubernetesCredentialsOrWithoutAnIntentKey() throws Exception {
        daemon.stop();
        daemon = null;
        Files.writeString(dir.resolve("bad.yaml"), Files.readString(dir.resolve("harness.yaml"))
                + "kubernetes: {master_url: \"http://127.0.0.1:1\"}\n");
        Exception creds = assertThrows(RuntimeException.class, () -> HarnessConfig.read(dir.resolve("bad.yaml")));
        assertTrue(creds.getMessage().contains("holds no cluster credentials"), creds.getMessage());
        for (Path p : Files.list(dir.resolve("data/intent-keys")).toList()) {
            Files.delete(p);
        }
        IOException noKey = assertThrows(IOException.class, () -> HarnessDaemon.start(HarnessConfig.read(dir.resolve("harness.yaml")),
                f.cluster.client, f.clock, f.accounts, Harness.Probe.NONE));
        assertTrue(noKey.getMessage().contains("afs keys rotate"), noKey.getMessage());
    }
}
