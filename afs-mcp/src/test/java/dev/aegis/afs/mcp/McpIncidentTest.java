package dev.aegis.afs.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.evidence.CaptureKey;
import dev.aegis.afs.harness.HarnessConfig;
import java.security.SecureRandom;
import dev.aegis.afs.harness.HarnessDaemon;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceRequest;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.TextResourceContents;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's incident walk through the SDK's own client, over stdio (a child process, as
 * the invoking uid) and over streamable HTTP (bearer tokens), against a real harness on
 * fabric8's mock API server: read -> evidence -> plan -> status. A token of another team sees
 * nothing of payments, and no token can approve.
 */
class McpIncidentTest {

    private static final String PAYMENTS_TOKEN = "pay-7f3a9c2e51d84b06";
    private static final String CHECKOUT_TOKEN = "chk-0b1c2d3e4f5a6b7c";
    private static final Pattern EVIDENCE = Pattern.compile("evidence: (/evidence/\\S+)\\nsha256: ([0-9a-f]{64})");

    private static Path work;
    private static KubernetesMockServer cluster;
    private static KubernetesClient client;
    private static HarnessDaemon harness;
    private static Afs afs;
    private static AfsMcpServer http;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("afs-mcp");
        Files.createDirectories(work.resolve("logs"));
        Files.createDirectories(work.resolve("runbooks/payments"));
        Files.writeString(work.resolve("runbooks/payments/oom.md"), "# OOM\nScale the api out, then look at the heap.\n");
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            log.append(String.format("2026-11-21T10:%02d:%02d.000Z INFO request ok %d%n", i / 60 % 60, i % 60, i));
        }
        log.append("2026-11-21T10:09:00.000Z ERROR java.lang.OutOfMemoryError: Java heap space\n");
        log.append("2026-11-21T10:09:01.000Z ERROR java.lang.OutOfMemoryError: Java heap space\n");
        Files.writeString(work.resolve("logs/api.log"), log);
        Files.writeString(work.resolve("logs/web.log"), "2026-11-21T10:00:00.000Z INFO checkout ok\n");
        Files.createDirectories(work.resolve("skills/investigate"));
        Files.writeString(work.resolve("skills/investigate/SKILL.md"), "# Investigate\nRead with path terms.\n");

        cluster = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        cluster.init(InetAddress.getLoopbackAddress(), 0);
        client = cluster.createClient();
        Deployment api = new DeploymentBuilder()
                .withNewMetadata().withName("api").withNamespace("payments").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(Map.of("app", "api")).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "api")).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec()
                .endTemplate().endSpec()
                .withNewStatus().withReplicas(2).withReadyReplicas(2).endStatus().build();
        client.apps().deployments().inNamespace("payments").resource(api).create();

        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(work.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                skills: skills
                harness: {url: "http://127.0.0.1:%d", token_file: data/client.token}
                tokens:
                  payments-agent: {sha256: %s}
                  checkout-agent: {sha256: %s, groups: [users]}   # a token's groups match group: entries
                backends:
                  local: {type: file, root: logs, cache_ttl: 0s}
                teams:
                  payments:
                    prod:
                      access: {read: [uid:0, token:payments-agent]}
                      changes:
                        mode: execute
                        allow: [scale]
                        approvers: {uids: [1001, 1002]}
                        min_approvals: 1
                      logs:
                        api: {backend: local, path: api.log}
                      runbooks: runbooks/payments
                  checkout:
                    prod:
                      access: {read: [uid:0, group:users]}
                      logs:
                        web: {backend: local, path: web.log}
                """.formatted(port, sha256(PAYMENTS_TOKEN), sha256(CHECKOUT_TOKEN)));
        // as afs mcp does when run as root: its captures are registered with the harness, which
        // pins its capture key (the evidence dir's, shared with the stdio child)
        afs = Afs.load(work.resolve("namespaces.yaml"));
        afs.startDaemonDuties();
        CaptureKey key = CaptureKey.loadOrCreate(CaptureKey.defaultFile(afs.evidence().dir()), new SecureRandom());
        Files.writeString(work.resolve("harness.yaml"), """
                listen: 127.0.0.1:%d
                data_dir: data
                namespaces: namespaces.yaml
                kubernetes: {master_url: "%s"}
                evidence: {capture_keys: [{key_id: %s, public_key: %s}]}
                """.formatted(port, client.getMasterUrl(), key.keyId(), key.publicKey()));
        harness = HarnessDaemon.start(HarnessConfig.read(work.resolve("harness.yaml")));
        http = AfsMcpServer.http(afs, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ResultCap.DEFAULT);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (http != null) {
                http.close();
            }
            if (afs != null) {
                afs.close();
            }
            if (harness != null) {
                harness.stop();
            }
        } finally {
            if (client != null) {
                client.close();
            }
            if (cluster != null) {
                cluster.destroy();
            }
            try (Stream<Path> walk = Files.walk(work)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void incidentOverStdioAsTheInvokingUid() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ServerParameters params = ServerParameters.builder(java)
                .args("-cp", System.getProperty("java.class.path"), StdioChild.class.getName(),
                        work.resolve("namespaces.yaml").toString())
                .build();
        try (McpSyncClient mcp = McpClient.sync(new StdioClientTransport(params, McpJsonDefaults.getMapper()))
                .requestTimeout(Duration.ofSeconds(60)).initializationTimeout(Duration.ofSeconds(60)).build()) {
            mcp.initialize();
            String id = walkIncident(mcp, "inc-stdio");
            // the submitter (this uid) may not approve its own request: the harness says so
            CallToolResult self = call(mcp, "approve", Map.of("id", id));
            assertTrue(self.isError(), text(self));
            assertTrue(text(self).contains("EACCES"), text(self));
            assertTrue(text(call(mcp, "plan_status", Map.of("id", id))).contains("PENDING_APPROVAL"));
        }
    }

    @Test
    void incidentOverHttpWithABearerToken() throws Exception {
        try (McpSyncClient mcp = httpClient(PAYMENTS_TOKEN)) {
            mcp.initialize();
            String list = text(call(mcp, "list", Map.of("path", "/teams")));
            assertEquals("payments/\n", list, "a payments token sees its team only");
            Evidence e = readAndCheck(mcp);
            CallToolResult submitted = call(mcp, "plan_submit", Map.of("id", "inc-http", "document", plan(e)));
            // forwarded with the caller's own bearer token: the harness authenticates the token
            // principal itself, so the outcome is the harness's answer, never the MCP server's
            if (submitted.isError()) {
                assertTrue(text(submitted).contains("not attested") || text(submitted).contains("token"), text(submitted));
            } else {
                assertTrue(text(submitted).contains("PENDING_APPROVAL"), text(submitted));
                assertTrue(text(call(mcp, "plan_status", Map.of("id", "inc-http"))).contains("inc-http"));
            }
        }
    }

    @Test
    void aTokenOfAnotherTeamSeesNothingOfPayments() throws Exception {
        String paymentsEvidence;
        try (McpSyncClient payments = httpClient(PAYMENTS_TOKEN)) {
            payments.initialize();
            paymentsEvidence = readAndCheck(payments).path();
        }
        try (McpSyncClient checkout = httpClient(CHECKOUT_TOKEN)) {
            checkout.initialize();
            assertEquals("checkout/\n", text(call(checkout, "list", Map.of("path", "/teams"))));
            CallToolResult read = call(checkout, "read", Map.of("path", "/teams/payments/prod/logs/api.log?tail=5"));
            assertTrue(read.isError() && text(read).startsWith("EACCES: /teams/payments/prod"), text(read));
            CallToolResult sh = call(checkout, "sh", Map.of("pipeline", "grep -c OutOfMemory /teams/payments/prod/logs/api.log"));
            assertTrue(sh.isError() && text(sh).startsWith("EACCES"), text(sh));
            CallToolResult evidence = call(checkout, "evidence_get", Map.of("path", paymentsEvidence));
            assertTrue(evidence.isError() && text(evidence).startsWith("EACCES"), text(evidence));
            String day = paymentsEvidence.split("/")[2];
            CallToolResult days = call(checkout, "list", Map.of("path", "/evidence/" + day));
            assertFalse(text(days).contains("api.log"), text(days));
            String status = readResource(checkout, "afs:///.afs/status");
            assertTrue(status.contains("/teams/checkout/prod") && !status.contains("/teams/payments"), status);
            CallToolResult runbook = call(checkout, "read", Map.of("path", "/teams/payments/prod/runbooks/oom.md"));
            assertTrue(runbook.isError(), text(runbook));
            // its own team works
            CallToolResult own = call(checkout, "read", Map.of("path", "/teams/checkout/prod/logs/web.log"));
            assertFalse(own.isError(), text(own));
            assertTrue(text(own).contains("checkout ok"), text(own));
        }
    }

    @Test
    void aTokenCanNeverApprove() throws Exception {
        try (McpSyncClient mcp = httpClient(PAYMENTS_TOKEN)) {
            mcp.initialize();
            CallToolResult approve = call(mcp, "approve", Map.of("id", "inc-stdio"));
            assertTrue(approve.isError(), text(approve));
            assertTrue(text(approve).contains("token:payments-agent is an agent") && text(approve).contains("never approve"),
                    text(approve));
        }
    }

    @Test
    void httpWithoutAKnownTokenIsRefusedBeforeMcp() throws Exception {
        HttpClient h = HttpClient.newHttpClient();
        String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
        for (String auth : new String[] {null, "Bearer not-a-token", "Basic " + PAYMENTS_TOKEN}) {
            HttpRequest.Builder b = HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + http.port() + "/mcp"))
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString(init));
            if (auth != null) {
                b.header("Authorization", auth);
            }
            HttpResponse<String> r = h.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, r.statusCode(), auth + ": " + r.body());
            assertTrue(r.body().contains("Bearer"), r.body());
        }
    }

    @Test
    void aSessionIsValidOnlyWithItsOwnTokenAndEndsOnDelete() throws Exception {
        HttpClient h = HttpClient.newHttpClient();
        String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
        String list = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"list\","
                + "\"arguments\":{\"path\":\"/teams\"}}}";
        HttpResponse<String> opened = h.send(post(PAYMENTS_TOKEN, null, init).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, opened.statusCode(), opened.body());
        String session = opened.headers().firstValue("Mcp-Session-Id").orElseThrow();

        HttpResponse<String> own = h.send(post(PAYMENTS_TOKEN, session, list).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, own.statusCode(), own.body());
        assertTrue(own.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                "a call is answered with one JSON body, not an event stream: " + own.headers().map());
        assertTrue(own.body().contains("payments/"), own.body());

        HttpResponse<String> stolen = h.send(post(CHECKOUT_TOKEN, session, list).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, stolen.statusCode(), "another token's session: " + stolen.body());
        assertFalse(stolen.body().contains("payments/"), stolen.body());

        HttpResponse<String> ended = h.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + http.port() + "/mcp"))
                .header("Authorization", "Bearer " + PAYMENTS_TOKEN).header("Mcp-Session-Id", session).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, ended.statusCode(), ended.body());
        HttpResponse<String> after = h.send(post(PAYMENTS_TOKEN, session, list).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, after.statusCode(), "an ended session: " + after.body());
    }

    private static HttpRequest.Builder post(String token, String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + http.port() + "/mcp"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2025-06-18")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return session == null ? b : b.header("Mcp-Session-Id", session);
    }

    @Test
    void skillsAndRunbooksAreResources() throws Exception {
        try (McpSyncClient mcp = httpClient(PAYMENTS_TOKEN)) {
            mcp.initialize();
            String index = readResource(mcp, "afs:///context/skills");
            assertTrue(index.contains("investigate/SKILL.md"), index); // _index.json: paths relative to /context/skills
            assertTrue(readResource(mcp, "afs:///context/skills/investigate/SKILL.md").startsWith("# Investigate"));
            assertTrue(readResource(mcp, "afs:///teams/payments/prod/runbooks/oom.md").startsWith("# OOM"));
        }
    }

    @Test
    void aUserWhoCannotAttestItsUidIsToldWhyAndNothingIsSent() {
        // over stdio an ordinary user cannot read the harness' client token (root only); the
        // harness URL here is a closed port, so reaching it would be UNAVAILABLE, not ACCESS_DENIED
        TreeGate gate = new TreeGate(afs, TokenAccess.from(afs.config()), dev.aegis.afs.core.Caller.self());
        Path token = work.resolve("data/not-readable/client.token");
        ChangeDesk desk = new ChangeDesk(java.net.URI.create("http://127.0.0.1:1"), token, gate);
        McpPrincipal.Local user = new McpPrincipal.Local(new dev.aegis.afs.core.Caller(1003, 1003, 1));
        dev.aegis.afs.core.AfsException e = org.junit.jupiter.api.Assertions.assertThrows(dev.aegis.afs.core.AfsException.class,
                () -> desk.submit(user, "incident_id: X", java.util.Optional.empty()));
        assertEquals(dev.aegis.afs.core.AfsError.ACCESS_DENIED, e.error(), e.getMessage());
        assertTrue(e.getMessage().startsWith("unix:1003 cannot attest its uid to the harness: " + token), e.getMessage());
        assertTrue(e.getMessage().contains("/change_requests/"), "names the way that works: " + e.getMessage());
        dev.aegis.afs.core.AfsException approve = org.junit.jupiter.api.Assertions.assertThrows(
                dev.aegis.afs.core.AfsException.class, () -> desk.approve(user, "inc-1"));
        assertEquals(dev.aegis.afs.core.AfsError.ACCESS_DENIED, approve.error(), approve.getMessage());
    }

    /** read -> evidence -> verify -> plan -> status; returns the request id. */
    private static String walkIncident(McpSyncClient mcp, String id) throws Exception {
        Evidence e = readAndCheck(mcp);
        CallToolResult submitted = call(mcp, "plan_submit", Map.of("id", id, "document", plan(e)));
        assertFalse(submitted.isError(), text(submitted));
        assertTrue(text(submitted).contains("PENDING_APPROVAL"), text(submitted));
        String status = text(call(mcp, "plan_status", Map.of("id", id)));
        assertTrue(status.contains(id) && status.contains("PENDING_APPROVAL"), status);
        assertEquals(2, client.apps().deployments().inNamespace("payments").withName("api").get().getSpec().getReplicas(),
                "nothing runs before approval");
        return id;
    }

    private record Evidence(String path, String sha256, String capturedAt) {
    }

    private static Evidence readAndCheck(McpSyncClient mcp) throws Exception {
        CallToolResult read = call(mcp, "read", Map.of("path", "/teams/payments/prod/logs/api.log?grep=OutOfMemory"));
        assertFalse(read.isError(), text(read));
        String t = text(read);
        Matcher m = EVIDENCE.matcher(t);
        assertTrue(m.find(), t);
        assertEquals(2, t.lines().filter(l -> l.contains("OutOfMemoryError")).count(), t);
        Path snapshot = work.resolve("evidence").resolve(m.group(1).substring("/evidence/".length()));
        assertEquals(m.group(2), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(snapshot))),
                "the sha256 a read names is the sha256 of the evidence file");

        // a read larger than the cap is cut, says so, and points at the whole result
        CallToolResult big = call(mcp, "read", Map.of("path", "/teams/payments/prod/logs/api.log?head=400"));
        String bt = text(big);
        assertTrue(bt.contains("[cut: shown lines 1-200 of 400") && bt.contains("\"from_line\": 201"), bt);
        assertTrue(bt.length() < 20_000, "a capped result stays small: " + bt.length());

        CallToolResult got = call(mcp, "evidence_get", Map.of("path", m.group(1)));
        assertFalse(got.isError(), text(got));
        assertTrue(text(got).contains("query: ") && text(got).contains("source: /teams/payments/prod/logs/api.log?grep=OutOfMemory"),
                text(got));
        CallToolResult verified = call(mcp, "evidence_verify", Map.of("path", m.group(1)));
        assertFalse(verified.isError(), text(verified));
        assertTrue(text(verified).startsWith("OK "), text(verified));
        String capturedAt = text(got).lines().filter(l -> l.startsWith("captured_at: ")).findFirst().orElseThrow()
                .split(" ")[1];

        CallToolResult sh = call(mcp, "sh", Map.of("pipeline", "grep -c OutOfMemory /teams/payments/prod/logs/api.log"));
        assertFalse(sh.isError(), text(sh));
        assertTrue(text(sh).endsWith("---\n2\n"), text(sh));
        return new Evidence(m.group(1), m.group(2), capturedAt);
    }

    private static String plan(Evidence e) {
        return """
                incident_id: INC-7
                team: payments
                env: prod
                hypothesis: api runs out of heap under load; more replicas spread it
                confidence: 0.9
                evidence:
                  - {path: %s, sha256: %s, lines: "1-2", captured_at: "%s"}
                actions:
                  - {tool: scale, target: {kind: Deployment, name: api}, params: {replicas: 4}, idempotency_key: %s}
                rollback: before_state
                """.formatted(e.path(), e.sha256(), e.capturedAt(), "k-" + System.nanoTime());
    }

    private static McpSyncClient httpClient(String token) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
                .builder("http://127.0.0.1:" + http.port()).endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                .build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build();
    }

    private static CallToolResult call(McpSyncClient mcp, String tool, Map<String, Object> args) {
        return mcp.callTool(new CallToolRequest(tool, args));
    }

    private static String text(CallToolResult r) {
        return r.content().stream().map(c -> ((TextContent) c).text()).reduce("", String::concat);
    }

    private static String readResource(McpSyncClient mcp, String uri) {
        return ((TextResourceContents) mcp.readResource(new ReadResourceRequest(uri)).contents().get(0)).text();
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
