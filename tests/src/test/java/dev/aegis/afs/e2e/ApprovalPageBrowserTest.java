package dev.aegis.afs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.afs.core.access.FileNameService;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.evidence.EvidenceStore;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.evidence.CaptureKey;
import dev.aegis.afs.harness.Harness;
import dev.aegis.afs.harness.HarnessConfig;
import dev.aegis.afs.harness.HarnessDaemon;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The approval page in a real browser: a running harness (shadow mode, fabric8's mock API server)
 * behind a simulated authenticating proxy (the browser sends the proxy's headers and its
 * secret), driven by tests/web/approval-page.test.mjs with playwright-core and Debian's
 * chromium. Screenshots of the queue and the request pages land in target/web-screenshots.
 */
class ApprovalPageBrowserTest {

    private static final Path REPO = Path.of(System.getProperty("afs.repo", "..")).toAbsolutePath().normalize();
    private static final Path WEB = REPO.resolve("tests/web");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String SECRET = "proxy-secret-" + Long.toHexString(new java.security.SecureRandom().nextLong());
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path work;
    private KubernetesMockServer cluster;
    private KubernetesClient client;
    private HarnessDaemon harness;
    private EvidenceStore evidence;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed; bin/setup installs it");
        assumeTrue(Files.isDirectory(WEB.resolve("node_modules/playwright-core")), "playwright-core is not installed in "
                + WEB + "; bin/setup runs npm ci there");
        work = Files.createTempDirectory("afs-web");
        Files.writeString(work.resolve("passwd"), """
                alice:x:2001:2001::/home/alice:/bin/bash
                bob:x:2002:2002::/home/bob:/bin/bash
                carol:x:2003:2003::/home/carol:/bin/bash
                """);
        Files.writeString(work.resolve("group"), "");
        Files.writeString(work.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                teams:
                  payments:
                    prod:
                      access: {read: [uid:2003, web-group:payments]}
                      changes:
                        mode: shadow
                        allow: [scale]
                        approvers: [web-group:payments-approvers]
                        min_approvals: 2
                        namespaces: [payments]
                  search:
                    prod:
                      access: {read: [uid:2003, web-group:search]}
                      changes: {mode: shadow, allow: [scale], approvers: [web-group:search], min_approvals: 1, namespaces: [search]}
                """);
        Files.writeString(work.resolve("proxy.secret"), SECRET + "\n");
        Files.setPosixFilePermissions(work.resolve("proxy.secret"), PosixFilePermissions.fromString("rw-------"));
        evidence = new EvidenceStore(work.resolve("evidence"), Duration.ofHours(72), 1L << 30, Clock.systemUTC());
        CaptureKey key = evidence.checkAtStart();

        cluster = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        cluster.init(InetAddress.getLoopbackAddress(), 0);
        client = cluster.createClient();
        for (String ns : List.of("payments", "search")) {
            client.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
                    .withNewMetadata().withName("api").withNamespace(ns).endMetadata()
                    .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(Map.of("app", "api")).endSelector()
                    .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "api")).endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec()
                    .endTemplate().endSpec().withNewStatus().withReplicas(2).withReadyReplicas(2).endStatus().build()).create();
        }
        Files.writeString(work.resolve("harness.yaml"), """
                listen: 127.0.0.1:0
                data_dir: data
                namespaces: namespaces.yaml
                evidence_dir: evidence
                kubernetes: {master_url: "%s"}
                evidence: {capture_keys: [{key_id: %s, public_key: %s}]}
                web: {proxy_secret_file: proxy.secret}
                """.formatted(client.getMasterUrl(), key.keyId(), key.publicKey()));
        harness = HarnessDaemon.start(HarnessConfig.read(work.resolve("harness.yaml")), client, Clock.systemUTC(),
                FileNameService.accounts(work.resolve("passwd"), work.resolve("group"), work.resolve("no-proc")),
                Harness.Probe.NONE);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (harness != null) {
                harness.stop();
            }
            if (client != null) {
                client.close();
            }
            if (cluster != null) {
                cluster.destroy();
            }
        } finally {
            if (work != null) {
                try (Stream<Path> walk = Files.walk(work)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    /** A snapshot of team/env captured and registered as the mount does it (POST /v1/evidence with the client token). */
    private EvidenceRecord snapshot(String team) throws Exception {
        String source = "/teams/" + team + "/prod/logs/api.log";
        EvidenceRecord r = evidence.capture(team + ".prod.logs.api.log", source, out -> {
            out.line("2026-12-02T10:00:01Z ERROR java.lang.OutOfMemoryError: Java heap space");
            out.line("2026-12-02T10:00:02Z ERROR java.lang.OutOfMemoryError: Java heap space");
            return new CaptureInfo("file:local", "grep=OutOfMemory", Optional.empty(), ReadStats.complete(100, 2, Duration.ZERO));
        });
        HttpResponse<String> reg = http.send(authenticated("/v1/evidence", "0").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(r.signed().toJson().toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, reg.statusCode(), reg.body());
        return r;
    }

    private HttpRequest.Builder authenticated(String path, String uid) throws Exception {
        return HttpRequest.newBuilder(URI.create(harness.url() + path))
                .header("X-Afs-Token", Files.readString(harness.tokenFile()).strip()).header("X-Afs-Uid", uid);
    }

    /** Submits a plan as carol (uid 2003), as the mount would forward her write; returns its id. */
    private String submit(String team, String hypothesis, String key) throws Exception {
        EvidenceRecord ev = snapshot(team);
        String plan = """
                incident_id: INC-42
                team: %s
                env: prod
                hypothesis: "%s"
                confidence: 0.9
                evidence:
                  - {path: %s, sha256: %s, lines: "1-2"}
                actions:
                  - {tool: scale, target: {kind: Deployment, name: api}, params: {replicas: 4}, idempotency_key: %s}
                """.formatted(team, hypothesis, ev.treePath(), ev.sha256(), key);
        HttpResponse<String> r = http.send(authenticated("/v1/requests", "2003")
                .POST(HttpRequest.BodyPublishers.ofString(plan)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return JSON.readTree(r.body()).path("id").asText();
    }

    @Test
    void approversDecideInABrowserAndAPlantedScriptCannotClickApprove() throws Exception {
        String pending = submit("payments", "heap exhausted under load <script>document.getElementById('approve').click()"
                + "</script><img src=x onerror=window.pwned=1>", "web-1");
        String hidden = submit("search", "another team's request", "web-2");
        harness.harness().awaitIdle();
        assertEquals("PENDING_APPROVAL", harness.harness().get(pending).state().name());

        Path shots = REPO.resolve("tests/target/web-screenshots");
        Files.createDirectories(shots);
        Map<String, String> cfg = Map.of("url", harness.url(), "secret", SECRET, "pending", pending, "hidden", hidden,
                "shots", shots.toString());
        ProcessBuilder pb = new ProcessBuilder("node", "approval-page.test.mjs").directory(WEB.toFile()).redirectErrorStream(true);
        pb.environment().put("AFS_WEB", JSON.writeValueAsString(cfg));
        Process node = pb.start();
        String out;
        try (var in = node.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!node.waitFor(5, TimeUnit.MINUTES)) {
            node.destroyForcibly();
        }
        System.out.println(out);
        assertEquals(0, node.exitValue(), out);
        assertTrue(out.contains("9 passed, 0 failed"), out);

        // what the browser did is what the harness recorded: two distinct web approvers, never the submitter
        harness.harness().awaitIdle();
        var done = harness.harness().get(pending);
        assertEquals("SUCCEEDED", done.state().name());
        assertEquals(List.of("user:alice", "user:bob"), done.approvals().stream().map(a -> a.person()).toList());
        assertEquals("PENDING_APPROVAL", harness.harness().get(hidden).state().name(), "the other team's request was not touched");
        for (String shot : List.of("queue.png", "request.png", "succeeded.png")) {
            assertTrue(Files.size(shots.resolve(shot)) > 10_000, shot);
        }
    }
}
