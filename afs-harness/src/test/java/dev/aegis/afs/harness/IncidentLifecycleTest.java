package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.ALICE;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static dev.aegis.afs.harness.HarnessFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.harness.HarnessClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incidents through the daemon's HTTP API: webhooks that open, update and resolve them (and
 * forged ones that record nothing), change requests driving the one state machine with every
 * step in the ledger, budget caps that refuse the next change request by name, a repeated action
 * or read that escalates to a human, and signed notifications retried until delivered.
 */
class IncidentLifecycleTest {

    private static final String AM_TOKEN = "am-token-0123456789abcdef";
    private static final String PD_SECRET = "pd-secret-0123456789abcdef";
    private static final String HOOK_SECRET = "hook-secret-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    HarnessFixture f;
    HarnessDaemon daemon;
    HarnessClient client;
    HttpServer receiver;
    final Queue<Received> received = new ConcurrentLinkedQueue<>();
    final AtomicInteger failNextHooks = new AtomicInteger();

    record Received(String path, String body, String timestamp, String signature) {
    }

    @BeforeEach
    void start() throws Exception {
        f = new HarnessFixture(dir);
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        f.cluster.deployment("payments", "worker", 2, 2, "256Mi");
        Files.writeString(dir.resolve("namespaces.yaml"), HarnessFixture.NAMESPACES.replace("""
                    prod:
                      access: {read: [uid:1000, uid:2001, uid:2002, gid:3100, token:bot]}   # gid 3100: sre (the child JVM uses the real /etc/group)
                """, """
                    prod:
                      access: {read: [uid:1000, uid:2001, uid:2002, gid:3100, token:bot]}
                      incidents:
                        match: {namespace: payments, env: prod}
                        budget: {change_requests: 3, tokens: 5000}
                        slo: {name: checkout-availability, objective: "99.9%"}
                        on_call: ["user:alice"]
                """));
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", ex -> {
            try (ex) {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                boolean fail = ex.getRequestURI().getPath().equals("/hook") && failNextHooks.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
                received.add(new Received(ex.getRequestURI().getPath() + (fail ? " (answered 503)" : ""), body,
                        ex.getRequestHeaders().getFirst("X-Afs-Timestamp"), ex.getRequestHeaders().getFirst("X-Afs-Signature")));
                ex.sendResponseHeaders(fail ? 503 : 200, -1);
            }
        });
        receiver.start();
        String hooks = "http://127.0.0.1:" + receiver.getAddress().getPort();
        for (Map.Entry<String, String> s : Map.of("am.token", AM_TOKEN, "pd.secret", PD_SECRET, "hook.secret", HOOK_SECRET).entrySet()) {
            PrivateFiles.file(dir.resolve(s.getKey()));
            Files.writeString(dir.resolve(s.getKey()), s.getValue() + "\n");
        }
        Files.writeString(dir.resolve("harness.yaml"), """
                listen: 127.0.0.1:0
                data_dir: data
                namespaces: namespaces.yaml
                evidence_dir: evidence
                policy: {max_evidence_age: 2h, loop_threshold: 2}
                incidents:
                  public_url: https://afs.example.com
                  repeat_threshold: 3
                  senders:
                    am: {type: alertmanager, bearer_token_file: am.token}
                    pd: {type: pagerduty, hmac_secret_file: pd.secret}
                  notify:
                    ops: {type: webhook, url: "%s/hook", secret_file: hook.secret}
                    chat: {type: slack, url: "%s/slack", events: [escalated]}
                  retry: {attempts: 3, backoff: 50ms}
                """.formatted(hooks, hooks) + f.captureKeysYaml());
        daemon = HarnessDaemon.start(HarnessConfig.read(dir.resolve("harness.yaml")), f.cluster.client, f.clock, f.accounts,
                Harness.Probe.NONE);
        client = new HarnessClient(URI.create(daemon.url()), Duration.ofSeconds(20), java.util.Optional.of(daemon.tokenFile()));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (daemon != null) {
                daemon.stop();
            }
            if (receiver != null) {
                receiver.stop(0);
            }
        } finally {
            f.close();
        }
    }

    private HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(daemon.url() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String alertmanager(String status, String alertStatus) {
        return """
                {"version": "4", "groupKey": "{}:{alertname=\\"PaymentsErrors\\"}", "status": "%s", "receiver": "afs",
                 "groupLabels": {"alertname": "PaymentsErrors"},
                 "commonLabels": {"alertname": "PaymentsErrors", "namespace": "payments", "env": "prod", "severity": "critical"},
                 "commonAnnotations": {"summary": "payments 5xx above 5%%"}, "externalURL": "http://am:9093",
                 "alerts": [{"status": "%s", "labels": {"alertname": "PaymentsErrors", "namespace": "payments", "env": "prod",
                   "severity": "critical"}, "annotations": {"summary": "payments 5xx above 5%%"},
                   "startsAt": "2026-11-18T11:58:00Z", "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prom/graph",
                   "fingerprint": "a1b2c3"}]}
                """.formatted(status, alertStatus);
    }

    private List<String> events(String kind) throws AfsException {
        return client.ledger(1, 1000, ALICE).stream().filter(e -> e.path("event").asText().equals(kind))
                .map(e -> e.path("detail").path("from").asText() + "->" + e.path("detail").path("to").asText()).toList();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 200 && !condition.getAsBoolean(); i++) {
            Thread.sleep(50);
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    private List<Received> hooks(String event) {
        return received.stream().filter(r -> r.path().equals("/hook") && r.body().contains("\"event\":\"" + event + "\"")).toList();
    }

    @Test
    void forgedWebhooksAreRefusedAndRecordNothing() throws Exception {
        HttpResponse<String> noToken = post("/v1/triggers/am", alertmanager("firing", "firing"), Map.of());
        assertEquals(403, noToken.statusCode(), noToken.body());
        HttpResponse<String> wrong = post("/v1/triggers/am", alertmanager("firing", "firing"),
                Map.of("Authorization", "Bearer " + AM_TOKEN + "x"));
        assertEquals(403, wrong.statusCode(), wrong.body());
        assertTrue(wrong.body().contains("nothing was recorded"), wrong.body());
        String pd = "{\"routing_key\": \"r\", \"event_action\": \"trigger\", \"payload\": {\"summary\": \"x\", \"source\": \"s\","
                + " \"severity\": \"critical\", \"custom_details\": {\"namespace\": \"payments\", \"env\": \"prod\"}}}";
        HttpResponse<String> badMac = post("/v1/triggers/pd", pd, Map.of("X-Afs-Signature",
                "sha256=" + IncidentNotifier.hmac("not-the-secret", new byte[0], pd.getBytes(StandardCharsets.UTF_8))));
        assertEquals(403, badMac.statusCode(), badMac.body());
        // the right token on the other sender's URL proves nothing there either
        assertEquals(403, post("/v1/triggers/pd", pd, Map.of("Authorization", "Bearer " + AM_TOKEN)).statusCode());

        assertEquals(List.of(), client.incidentList(ALICE));
        assertEquals(List.of(), client.ledger(1, 100, ALICE));
        Thread.sleep(200);
        assertEquals(List.of(), List.copyOf(received));
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(daemon.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("afs_harness_triggers_total{outcome=\"refused\",type=\"alertmanager\"} 2.0"), metrics);
    }

    @Test
    void alertmanagerOpensWithScopeUpdatesAndClosesOnResolve() throws Exception {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + AM_TOKEN);
        HttpResponse<String> opened = post("/v1/triggers/am", alertmanager("firing", "firing"), auth);
        assertEquals(201, opened.statusCode(), opened.body());
        String id = Ledger.JSON.readTree(opened.body()).path("incident").asText();
        assertEquals("INC-1", id);
        assertEquals(200, post("/v1/triggers/am", alertmanager("firing", "firing"), auth).statusCode(), "the same group again");
        assertEquals(1, client.incidentList(ALICE).size());

        JsonNode i = client.incident(id, ALICE);
        assertEquals("TRIAGE", i.path("state").asText());
        assertEquals("critical", i.path("severity").asText());
        assertEquals("payments", i.path("team").asText());
        assertEquals("prod", i.path("env").asText());
        String context = client.incidentText(id, "context.yaml", ALICE);
        for (String line : List.of("incident_id: INC-1", "state: TRIAGE", "team: payments", "env: prod", "name: PaymentsErrors",
                "fingerprint: a1b2c3", "objective: 99.9%", "change_requests: 3", "mode: execute", "freeze: false",
                "- user:alice", "source: alertmanager:am")) {
            assertTrue(context.contains(line), line + " in\n" + context);
        }
        // a reader of another env does not see it
        assertThrows(AfsException.class, () -> client.incident(id, HarnessFixture.MALLORY));

        HttpResponse<String> resolved = post("/v1/triggers/am", alertmanager("resolved", "resolved"), auth);
        assertEquals(200, resolved.statusCode(), resolved.body());
        assertEquals("CLOSED", client.incident(id, ALICE).path("state").asText());
        assertEquals(List.of("TRIAGE->CLOSED"), events("incident_transition"));
        await(() -> hooks("closed").size() == 1, "the closed notification: " + received);
        Received open = hooks("opened").get(0);
        assertEquals("sha256=" + IncidentNotifier.hmac(HOOK_SECRET, (open.timestamp() + ".").getBytes(StandardCharsets.UTF_8),
                open.body().getBytes(StandardCharsets.UTF_8)), open.signature(), "signed with the channel's secret");
        assertTrue(received.stream().noneMatch(r -> r.path().equals("/slack")), "the slack channel wants escalations only");
    }

    @Test
    void pagerDutyEventsWithAnHmacOpenAndResolve() throws Exception {
        String trigger = "{\"routing_key\": \"r\", \"event_action\": \"trigger\", \"dedup_key\": \"pd-1\", \"payload\": {"
                + "\"summary\": \"checkout latency\", \"source\": \"checkout\", \"severity\": \"error\", \"custom_details\": "
                + "{\"namespace\": \"payments\", \"env\": \"prod\"}}}";
        HttpResponse<String> r = post("/v1/triggers/pd", trigger, Map.of("X-Afs-Signature",
                "sha256=" + IncidentNotifier.hmac(PD_SECRET, new byte[0], trigger.getBytes(StandardCharsets.UTF_8))));
        assertEquals(202, r.statusCode(), r.body());
        JsonNode answer = Ledger.JSON.readTree(r.body());
        assertEquals("success", answer.path("status").asText());
        assertEquals("pd-1", answer.path("dedup_key").asText());
        assertEquals("error", client.incident(answer.path("incident").asText(), ALICE).path("severity").asText());
        String resolve = "{\"routing_key\": \"r\", \"event_action\": \"resolve\", \"dedup_key\": \"pd-1\"}";
        assertEquals(200, post("/v1/triggers/pd", resolve, Map.of("X-Afs-Signature",
                "sha256=" + IncidentNotifier.hmac(PD_SECRET, new byte[0], resolve.getBytes(StandardCharsets.UTF_8)))).statusCode());
        assertEquals("CLOSED", client.incident(answer.path("incident").asText(), ALICE).path("state").asText());
        // an alert no env's incidents.match claims opens nothing
        String stray = trigger.replace("\"prod\"", "\"qa\"").replace("pd-1", "pd-2");
        HttpResponse<String> unmatched = post("/v1/triggers/pd", stray, Map.of("X-Afs-Signature",
                "sha256=" + IncidentNotifier.hmac(PD_SECRET, new byte[0], stray.getBytes(StandardCharsets.UTF_8))));
        assertEquals(400, unmatched.statusCode(), unmatched.body());
        assertTrue(unmatched.body().contains("no team/env's incidents.match"), unmatched.body());
        assertEquals(1, client.incidentList(ALICE).size());
    }

    @Test
    void changeRequestsDriveTheIncidentToClosedEveryStepLedgered() throws Exception {
        JsonNode opened = client.openIncident("INC-1", "payments", "prod", "major", "api OOMKilled", AGENT);
        assertEquals("TRIAGE", opened.path("state").asText());
        EvidenceRecord ev = f.snapshot(30);
        HarnessClient.Reply cr = client.submit(HarnessFixture.plan("prod", 0.5, pointer(ev, "1-3"), scale("api", 4, "k-1"), "")
                .getBytes(StandardCharsets.UTF_8), AGENT);
        assertEquals("PENDING_APPROVAL", cr.state());
        assertEquals("PENDING_APPROVAL", client.incident("INC-1", AGENT).path("state").asText());
        await(() -> hooks("pending_approval").size() == 1, "pending_approval notified: " + received);
        JsonNode pending = Ledger.JSON.readTree(hooks("pending_approval").get(0).body());
        assertEquals("https://afs.example.com/web/requests/" + cr.id(), pending.path("approval_url").asText());

        client.approve(cr.id(), ALICE);
        daemon.harness().awaitIdle();
        assertEquals("SUCCEEDED", client.get(cr.id(), AGENT).path("state").asText());
        assertEquals("VERIFYING", client.incident("INC-1", AGENT).path("state").asText(), "verified until a person closes it");
        // agents never close an incident: the bot's bearer token is an agent principal
        HarnessClient bot = HarnessClient.withBearer(URI.create(daemon.url()), Duration.ofSeconds(20), "secret");
        AfsException agentCloses = assertThrows(AfsException.class, () -> bot.moveIncident("INC-1", "close", "done", null));
        assertEquals(AfsError.ACCESS_DENIED, agentCloses.error());
        client.moveIncident("INC-1", "close", "error rate back to normal", ALICE);
        assertEquals(List.of("TRIAGE->DIAGNOSING", "DIAGNOSING->PLANNING", "PLANNING->PENDING_APPROVAL",
                "PENDING_APPROVAL->EXECUTING", "EXECUTING->VERIFYING", "VERIFYING->CLOSED"), events("incident_transition"));
        assertEquals(6, client.ledger(1, 1000, ALICE).stream().filter(e -> e.path("event").asText().equals("incident_transition")
                && e.path("detail").path("incident").asText().equals("INC-1")).count());
        AfsException again = assertThrows(AfsException.class, () -> client.moveIncident("INC-1", "close", "twice", ALICE));
        assertTrue(again.getMessage().contains("CLOSED and cannot move to CLOSED"), again.getMessage());
        // a closed incident takes no new change
        HarnessClient.Reply late = client.submit(HarnessFixture.plan("prod", 0.9, pointer(ev, "1-3"), scale("worker", 3, "k-2"), "")
                .getBytes(StandardCharsets.UTF_8), AGENT);
        assertEquals("REJECTED", late.state());
        assertTrue(late.body().path("reasons").toString().contains("incident: INC-1 is CLOSED"), late.body().toString());
    }

    @Test
    void capsGivenAtOpenLowerTheConfiguredOnesAndNeverRaiseThem() throws Exception {
        JsonNode opened = client.openIncident("INC-1", "payments", "prod", "major", "api OOMKilled",
                Map.of("tokens", 2_000L, "change_requests", 1L), AGENT);
        assertEquals(2_000, opened.path("budget").path("caps").path("tokens").asLong());
        assertEquals(1, opened.path("budget").path("caps").path("change_requests").asLong());
        assertTrue(client.incidentText("INC-1", "context.yaml", AGENT).contains("tokens: 2000"));
        // an agent that opens its own incident cannot give it more than the configuration does
        AfsException raised = assertThrows(AfsException.class, () -> client.openIncident("INC-2", "payments", "prod", "major",
                "x", Map.of("tokens", 10_000_000_000L), AGENT));
        assertEquals(AfsError.INVALID_ARGUMENT, raised.error());
        assertTrue(raised.getMessage().contains("cap tokens=10000000000 is above the configured"), raised.getMessage());
        AfsException unknown = assertThrows(AfsException.class, () -> client.openIncident("INC-3", "payments", "prod", "major",
                "x", Map.of("dollars", 5L), AGENT));
        assertTrue(unknown.getMessage().contains("'dollars=5' is not a budget cap; use one of [reads, bytes, api_calls,"), unknown.getMessage());
        assertEquals(1, client.incidentList(AGENT).size(), "nothing opened for the refused ones");
        // the lowered cap is the one enforced: tokens over it stop the next change request
        client.reportTokens("INC-1", 2_001, AGENT);
        HarnessClient.Reply cr = client.submit(HarnessFixture.plan("prod", 0.5, pointer(f.snapshot(30), "1-3"), scale("api", 4, "k-1"), "")
                .getBytes(StandardCharsets.UTF_8), AGENT);
        assertEquals("REJECTED", cr.state());
        assertTrue(cr.body().path("reasons").toString().contains("used 2001 tokens of its cap 2000"), cr.body().toString());
    }

    @Test
    void aRepeatedIdenticalActionEscalatesAndStopsTheNextChangeRequest() throws Exception {
        client.openIncident("INC-1", "payments", "prod", "major", "api OOMKilled", AGENT);
        EvidenceRecord ev = f.snapshot(30);
        String first = HarnessFixture.plan("prod", 0.9, pointer(ev, "1-3"), scale("api", 4, "r-1"), "");
        assertEquals("SUCCEEDED", stateAfter(client.submit(first.getBytes(StandardCharsets.UTF_8), AGENT)));
        // the same scale of the same target, citing nothing new: a loop
        HarnessClient.Reply second = client.submit(HarnessFixture.plan("prod", 0.9, pointer(ev, "1-3"), scale("api", 4, "r-2"), "")
                .getBytes(StandardCharsets.UTF_8), AGENT);
        daemon.harness().awaitIdle();
        assertEquals("PENDING_APPROVAL", client.get(second.id(), AGENT).path("state").asText(), "a human must approve it");
        JsonNode i = client.incident("INC-1", AGENT);
        assertEquals("ESCALATED", i.path("state").asText());
        assertTrue(i.path("escalation").asText().startsWith("repeated action: scale on payments/Deployment/api requested 2 times"),
                i.toString());
        await(() -> received.stream().anyMatch(r -> r.path().equals("/slack") && r.body().contains("ESCALATED")),
                "escalation reached the slack channel: " + received);

        HarnessClient.Reply third = client.submit(HarnessFixture.plan("prod", 0.9, pointer(f.snapshot(31), "1-3"),
                scale("worker", 3, "r-3"), "").getBytes(StandardCharsets.UTF_8), AGENT);
        assertEquals("REJECTED", third.state());
        assertTrue(third.body().path("reasons").get(0).asText().startsWith("incident: INC-1 is ESCALATED (repeated action"),
                third.body().toString());
        assertTrue(client.statusText(third.id(), AGENT).contains("incident: INC-1 is ESCALATED"));

        // a person resumes it: automated changes go on
        client.moveIncident("INC-1", "resume", "looked at it: the second scale is fine", ALICE);
        assertEquals("DIAGNOSING", client.incident("INC-1", AGENT).path("state").asText());
    }

    private String stateAfter(HarnessClient.Reply r) throws Exception {
        daemon.harness().awaitIdle();
        return client.get(r.id(), AGENT).path("state").asText();
    }

    @Test
    void budgetCapsStopTheNextChangeRequestWithANamedReason() throws Exception {
        client.openIncident("INC-1", "payments", "prod", "major", "api OOMKilled", AGENT);
        for (int n = 1; n <= 3; n++) {
            HarnessClient.Reply r = client.submit(HarnessFixture.plan("prod", 0.9, pointer(f.snapshot(30 + n), "1-3"),
                    scale("api", 3 + n, "b-" + n), "").getBytes(StandardCharsets.UTF_8), AGENT);
            assertFalse(client.get(r.id(), AGENT).path("reasons").toString().contains("budget:"), "request " + n + " within the cap");
            daemon.harness().awaitIdle();
        }
        HarnessClient.Reply fourth = client.submit(HarnessFixture.plan("prod", 0.9, pointer(f.snapshot(40), "1-3"),
                scale("api", 5, "b-4"), "").getBytes(StandardCharsets.UTF_8), AGENT);
        assertEquals("REJECTED", fourth.state());
        assertEquals("budget: incident INC-1 used 4 change_requests of its cap 3 (budget.change_requests in "
                + "/incidents/INC-1/context.yaml); no further change request runs for it until a person raises the cap or takes over",
                fourth.body().path("reasons").get(0).asText());
        String budget = client.incidentText("INC-1", "budget", AGENT);
        assertTrue(budget.contains("change_requests  4 / 3  OVER"), budget);

        // tokens the agent reports count too
        JsonNode used = client.reportTokens("INC-1", 4000, AGENT);
        assertEquals(4000, used.path("used").path("tokens").asLong());
        assertEquals(5000, used.path("caps").path("tokens").asLong());
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(daemon.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("afs_harness_incident_budget_refusals_total{kind=\"change_requests\"} 1.0"), metrics);
        assertTrue(metrics.contains("afs_harness_incident_usage_total{kind=\"tokens\"} 4000.0"), metrics);
        assertTrue(metrics.contains("afs_harness_incidents{state=\"PLANNING\"} 1.0"), metrics);
        assertFalse(metrics.contains("INC-1") || metrics.contains("payments"), "no incident id or team in the metrics");
    }

    @Test
    void readsChargedToTheIncidentAndTheSameReadRepeatedEscalates() throws Exception {
        client.openIncident("INC-1", "payments", "prod", "major", "api OOMKilled", AGENT);
        Incidents incidents = daemon.harness().incidents();
        for (int n = 1; n <= 3; n++) {
            ObjectNode record = (ObjectNode) Ledger.JSON.readTree("{\"id\": \"2026-11-18/r" + n + "\", \"incident\": \"INC-1\","
                    + " \"team\": \"payments\", \"env\": \"prod\", \"source\": \"/teams/payments/prod/logs/api.log?grep=OOM\","
                    + " \"sha256\": \"" + "ab".repeat(32) + "\", \"size\": 1000, \"caller\": {\"principal\": \"unix:1000@h\"}}");
            incidents.readRegistered(record);
            incidents.readRegistered(record); // a registration retried is charged once
            assertEquals(n < 3 ? "DIAGNOSING" : "ESCALATED", client.incident("INC-1", AGENT).path("state").asText(), "read " + n);
        }
        JsonNode i = client.incident("INC-1", AGENT);
        assertEquals(3, i.path("budget").path("used").path("reads").asLong());
        assertEquals(3000, i.path("budget").path("used").path("bytes").asLong());
        assertTrue(i.path("escalation").asText().startsWith("repeated read: /teams/payments/prod/logs/api.log?grep=OOM "
                + "returned the same content"), i.toString());
        // another env's read, tagged with this incident, spends nothing of it
        incidents.readRegistered((ObjectNode) Ledger.JSON.readTree("{\"id\": \"x\", \"incident\": \"INC-1\", \"team\": "
                + "\"payments\", \"env\": \"staging\", \"source\": \"s\", \"sha256\": \"cd\", \"size\": 5}"));
        assertEquals(3, client.incident("INC-1", AGENT).path("budget").path("used").path("reads").asLong());
    }

    @Test
    void notificationsAreRetriedWithBackoffAndEveryOutcomeRecorded() throws Exception {
        failNextHooks.set(2);
        client.openIncident("INC-1", "payments", "prod", "major", "api OOMKilled", AGENT);
        await(() -> hooks("opened").size() == 1, "delivered on the third attempt: " + received);
        assertEquals(2, received.stream().filter(r -> r.path().equals("/hook (answered 503)")).count());
        await(() -> {
            try {
                return client.incident("INC-1", AGENT).path("notifications").size() == 3;
            } catch (AfsException e) {
                return false;
            }
        }, "three attempts recorded");
        List<String> outcomes = List.of("failed", "failed", "delivered");
        JsonNode n = client.incident("INC-1", AGENT).path("notifications");
        for (int k = 0; k < 3; k++) {
            assertEquals("opened", n.get(k).path("event").asText());
            assertEquals("ops", n.get(k).path("channel").asText());
            assertEquals(k + 1, n.get(k).path("attempt").asInt());
            assertEquals(outcomes.get(k), n.get(k).path("outcome").asText(), n.toString());
        }
        // a receiver that never answers does not hold up the state machine
        receiver.stop(0);
        receiver = null;
        long before = System.nanoTime();
        client.moveIncident("INC-1", "close", "false alarm", ALICE);
        assertTrue(System.nanoTime() - before < Duration.ofSeconds(5).toNanos());
        assertEquals("CLOSED", client.incident("INC-1", AGENT).path("state").asText());
        await(() -> {
            try {
                return client.incident("INC-1", AGENT).path("notifications").toString().contains("\"outcome\":\"gave_up\"");
            } catch (AfsException e) {
                return false;
            }
        }, "gave up after 3 attempts");
    }
}
