package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.ALICE;
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
import dev.aegis.afs.core.harness.HarnessClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon over HTTP, driven through afs-core's HarnessClient as the CLI and FUSE daemon use it. */
class HarnessDaemonTest {

    @TempDir
    Path dir;
    HarnessFixture f;
    HarnessDaemon daemon;
    HarnessClient client;
    EvidenceRecord ev;

    @BeforeEach
    void start() throws Exception {
        f = new HarnessFixture(dir);
        ev = f.snapshot(30);
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        Files.writeString(dir.resolve("harness.yaml"), """
                listen: 127.0.0.1:0
                data_dir: data
                namespaces: namespaces.yaml
                evidence_dir: evidence
                policy: {max_evidence_age: 2h}
                """ + f.captureKeysYaml());
        HarnessConfig config = HarnessConfig.read(dir.resolve("harness.yaml"));
        daemon = HarnessDaemon.start(config, f.cluster.client, f.clock, f.accounts, Harness.Probe.NONE);
        client = new HarnessClient(URI.create(daemon.url()), Duration.ofSeconds(20), java.util.Optional.of(daemon.tokenFile()));
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

    private byte[] doc(double confidence, String key) {
        return plan("prod", confidence, pointer(ev, "1-3"), scale("api", 4, key), "").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void submitApproveStatusListAndLedgerOverHttp() throws Exception {
        assertTrue(client.healthy());
        HarnessClient.Reply reply = client.submit(doc(0.5, "http-1"), AGENT);
        assertEquals(201, reply.status());
        assertEquals("PENDING_APPROVAL", reply.state());
        String id = reply.id();

        AfsException self = assertThrows(AfsException.class, () -> client.approve(id, AGENT));
        assertEquals(AfsError.ACCESS_DENIED, self.error());
        // a local process without the token cannot claim to be an approver
        HarnessClient forger = new HarnessClient(URI.create(daemon.url()), Duration.ofSeconds(20));
        AfsException forged = assertThrows(AfsException.class, () -> forger.approve(id, ALICE));
        assertEquals(AfsError.ACCESS_DENIED, forged.error());
        assertTrue(forged.getMessage().contains("not authenticated"), forged.getMessage());
        assertEquals("PENDING_APPROVAL", client.get(id, AGENT).path("state").asText());
        client.approve(id, ALICE);
        daemon.harness().awaitIdle();

        String status = client.statusText(id, AGENT);
        assertTrue(status.startsWith(id + "  SUCCEEDED  (execute mode)\n"), status);
        assertTrue(status.contains("approvals: 1 of 1  user:alice at "), status);
        assertTrue(status.contains("action 0: scale payments/Deployment/api  DONE"), status);
        assertEquals(4, f.replicas("payments", "api"));

        List<JsonNode> list = client.list(10, AGENT);
        assertEquals(1, list.size());
        assertEquals(id, list.get(0).path("id").asText());
        List<JsonNode> ledger = client.ledger(1, 100, AGENT);
        assertEquals("submit", ledger.get(0).path("event").asText());
        assertEquals(1, ledger.get(0).path("seq").asInt());
        assertTrue(ledger.stream().anyMatch(e -> e.path("event").asText().equals("approve") && e.path("actor").asText().startsWith("unix:2001@")));

        AfsException missing = assertThrows(AfsException.class, () -> client.statusText("cr-nope", AGENT));
        assertEquals(AfsError.NOT_FOUND, missing.error());
    }

    @Test
    void submitUnderAChosenNameAsTheMountDoes() throws Exception {
        HarnessClient.Reply reply = client.submit(doc(0.5, "named-1"), AGENT, "scale-api-1");
        assertEquals("scale-api-1", reply.id());
        assertEquals("PENDING_APPROVAL", client.get("scale-api-1", AGENT).path("state").asText());
        assertEquals(new String(doc(0.5, "named-1"), StandardCharsets.UTF_8), client.get("scale-api-1", AGENT).path("document").asText());
        // another person cannot take the name over
        AfsException taken = assertThrows(AfsException.class, () -> client.submit(doc(0.5, "named-2"), ALICE, "scale-api-1"));
        assertEquals(AfsError.ALREADY_EXISTS, taken.error());
        // its submitter may change the waiting plan: it is validated again and needs new approvals
        client.submit(doc(0.5, "named-2"), AGENT, "scale-api-1");
        daemon.harness().awaitIdle();
        assertEquals(new String(doc(0.5, "named-2"), StandardCharsets.UTF_8), client.get("scale-api-1", AGENT).path("document").asText());
        assertEquals("PENDING_APPROVAL", client.get("scale-api-1", AGENT).path("state").asText());
        AfsException bad = assertThrows(AfsException.class, () -> client.submit(doc(0.5, "named-3"), AGENT, "../x"));
        assertEquals(AfsError.INVALID_ARGUMENT, bad.error());
    }

    @Test
    void malformedDocumentIsRefusedWithEachProblem() {
        AfsException e = assertThrows(AfsException.class, () -> client.submit(
                "incident_id: INC-1\nteam: payments\n".getBytes(StandardCharsets.UTF_8), AGENT));
        assertEquals(AfsError.INVALID_ARGUMENT, e.error());
        assertTrue(e.getMessage().contains("env: missing; add env:"), e.getMessage());
        assertTrue(e.getMessage().contains("actions: missing; add actions:"), e.getMessage());
    }

    @Test
    void metricsCountRequestsTransitionsAndGateFailures() throws Exception {
        client.submit(plan("staging", 0.9, pointer(ev, "1-3"),
                "  - {tool: restart, target: {kind: Deployment, name: api}, idempotency_key: m-1}\n", "")
                .getBytes(StandardCharsets.UTF_8), AGENT);
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(daemon.url() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        String text = metrics.body();
        assertTrue(text.contains("afs_harness_gate_failures_total{gate=\"policy\"} 1.0"), text);
        assertTrue(text.contains("afs_harness_transitions_total{from=\"VALIDATING\",to=\"REJECTED\"} 1.0"), text);
        assertTrue(text.contains("afs_harness_http_requests_total{endpoint=\"submit\",status=\"201\"} 1.0"), text);
    }

    @Test
    void stoppedHarnessIsReportedUnavailable() throws Exception {
        daemon.stop();
        daemon = null;
        assertFalse(client.healthy());
        AfsException e = assertThrows(AfsException.class, () -> client.submit(doc(0.9, "down-1"), AGENT));
        assertEquals(AfsError.UNAVAILABLE, e.error());
        assertTrue(e.getMessage().contains("is unreachable"), e.getMessage());
    }

    @Test
    void aBearerTokenIsATokenPrincipalAndNothingIsShownWithoutProof() throws Exception {
        String id = client.submit(doc(0.5, "bearer-1"), AGENT, "bearer-1").id();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<String, java.net.http.HttpResponse<String>> get = auth -> {
            java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(URI.create(daemon.url() + "/v1/requests"));
            if (auth != null) {
                b.header("Authorization", auth);
            }
            try {
                return http.send(b.GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        // the MCP server forwards its client's token: token:bot may read payments/prod
        java.net.http.HttpResponse<String> bot = get.apply("Bearer secret");
        assertEquals(200, bot.statusCode(), bot.body());
        assertTrue(bot.body().contains("\"id\":\"" + id + "\""), bot.body());
        assertEquals(403, get.apply("Bearer wrong").statusCode());
        java.net.http.HttpResponse<String> anonymous = get.apply(null);
        assertEquals(403, anonymous.statusCode());
        assertTrue(anonymous.body().contains("not authenticated"), anonymous.body());
        // a token is an agent: it never approves, whatever the approver list says
        java.net.http.HttpResponse<String> approve = http.send(java.net.http.HttpRequest.newBuilder(
                        URI.create(daemon.url() + "/v1/requests/" + id + "/approve")).header("Authorization", "Bearer secret")
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(403, approve.statusCode());
        assertTrue(approve.body().contains("token:bot is an agent"), approve.body());
        assertEquals(200, http.send(java.net.http.HttpRequest.newBuilder(URI.create(daemon.url() + "/health")).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
    }
}
