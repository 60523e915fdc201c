package dev.aegis.afs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.aegis.afs.harness.HarnessConfig;
import dev.aegis.afs.harness.HarnessDaemon;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An alert opens an incident that an agent works through the mount: the real Prometheus
 * evaluates a rule that fires, the real Alertmanager ({@code prometheus-alertmanager}) posts the
 * group to the harness with its bearer token, and the incident opens scoped to payments/prod.
 * The agent's reads under {@code AFS_INCIDENT} are tagged and charged to it, its context and
 * budget are files in {@code /incidents/<id>/}, a repeated identical scale escalates to a human,
 * the budget cap refuses its next change request by name, and a local receiver gets every
 * notification. A forged webhook records nothing.
 */
class IncidentAlertTest {

    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Path ALERTMANAGER = Path.of("/usr/bin/prometheus-alertmanager");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String AM_TOKEN = "alertmanager-token-0123456789";

    private static Path repo;
    private static Path work;
    private static Path mountpoint;
    private static Process daemon;
    private static Process prometheus;
    private static Process alertmanager;
    private static KubernetesMockServer cluster;
    private static KubernetesClient client;
    private static HarnessDaemon harness;
    private static HttpServer receiver;
    private static final List<JsonNode> notified = Collections.synchronizedList(new ArrayList<>());
    private static String incident;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is absent");
        assumeTrue(Files.isExecutable(PROMETHEUS), "prometheus is not installed; bin/setup installs it");
        assumeTrue(Files.isExecutable(ALERTMANAGER), "prometheus-alertmanager is not installed; bin/setup installs it");
        repo = Path.of(System.getProperty("afs.repo", "..")).toRealPath();
        work = Files.createTempDirectory("afs-incident");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(work.resolve("logs"));
        Files.writeString(work.resolve("logs/api.log"), """
                2026-11-21T10:00:00.000Z INFO request ok
                2026-11-21T10:00:01.000Z ERROR java.lang.OutOfMemoryError: Java heap space
                2026-11-21T10:00:02.000Z ERROR java.lang.OutOfMemoryError: Java heap space
                """);

        cluster = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        cluster.init(InetAddress.getLoopbackAddress(), 0);
        client = cluster.createClient();
        for (String name : List.of("api", "worker")) {
            Deployment d = new DeploymentBuilder()
                    .withNewMetadata().withName(name).withNamespace("payments").endMetadata()
                    .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                    .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec()
                    .endTemplate().endSpec()
                    .withNewStatus().withReplicas(2).withReadyReplicas(2).endStatus().build();
            client.apps().deployments().inNamespace("payments").resource(d).create();
        }

        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", ex -> {
            try (ex) {
                notified.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
                ex.sendResponseHeaders(200, -1);
            }
        });
        receiver.start();

        int port = freePort();
        Files.writeString(work.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                harness: {url: "http://127.0.0.1:%d", token_file: data/client.token}
                backends:
                  local: {type: file, root: logs, cache_ttl: 0s}
                teams:
                  payments:
                    prod:
                      access: {read: ["*"]}
                      changes:
                        mode: execute
                        allow: [scale]
                        approvers: {uids: [1001, 1002]}
                      incidents:
                        match: {namespace: payments, env: prod}
                        budget: {change_requests: 2}
                        slo: {name: checkout-availability, objective: "99.9%%"}
                        on_call: ["user:alice"]
                      logs:
                        api: {backend: local, path: api.log}
                """.formatted(port));
        Files.writeString(work.resolve("am.token"), AM_TOKEN + "\n");
        Files.setPosixFilePermissions(work.resolve("am.token"), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(work.resolve("hook.secret"), "hook-secret-0123456789\n");
        Files.setPosixFilePermissions(work.resolve("hook.secret"), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(work.resolve("harness.yaml"), """
                listen: 127.0.0.1:%d
                data_dir: data
                namespaces: namespaces.yaml
                kubernetes: {master_url: "%s"}
                policy: {loop_threshold: 2}
                incidents:
                  senders:
                    alertmanager: {type: alertmanager, bearer_token_file: am.token}
                  notify:
                    ops: {type: webhook, url: "http://127.0.0.1:%d/hook", secret_file: hook.secret}
                  retry: {attempts: 3, backoff: 200ms}
                """.formatted(port, client.getMasterUrl(), receiver.getAddress().getPort())
                + ChangeRequestFlowTest.pinnedCaptureKey(repo, work));
        harness = HarnessDaemon.start(HarnessConfig.read(work.resolve("harness.yaml")));

        mountpoint = work.resolve("mnt");
        daemon = new ProcessBuilder(repo.resolve("bin/afs").toString(), "mount", "-f", "--config",
                work.resolve("namespaces.yaml").toString(), mountpoint.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("daemon.log").toFile()).start();
        for (int i = 0; !mounted(); i++) {
            if (!daemon.isAlive() || i > 1200) {
                fail("the daemon did not mount:\n" + Files.readString(work.resolve("daemon.log")));
            }
            Thread.sleep(50);
        }

        // Alertmanager posts each group to the harness with its bearer token; Prometheus fires a rule at once
        int amPort = freePort();
        Files.writeString(work.resolve("alertmanager.yml"), """
                route:
                  receiver: afs
                  group_by: [alertname, namespace, env]
                  group_wait: 1s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: afs
                    webhook_configs:
                      - url: "%s/v1/triggers/alertmanager"
                        send_resolved: true
                        http_config:
                          authorization: {type: Bearer, credentials_file: "%s"}
                """.formatted(harness.url(), work.resolve("am.token")));
        alertmanager = new ProcessBuilder(ALERTMANAGER.toString(), "--config.file=" + work.resolve("alertmanager.yml"),
                "--storage.path=" + work.resolve("am-data"), "--web.listen-address=127.0.0.1:" + amPort,
                "--cluster.listen-address=").redirectErrorStream(true)
                .redirectOutput(work.resolve("alertmanager.log").toFile()).start();
        Files.writeString(work.resolve("rules.yml"), """
                groups:
                  - name: payments
                    interval: 1s
                    rules:
                      - alert: PaymentsOutOfMemory
                        expr: vector(1)
                        labels: {namespace: payments, env: prod, severity: critical}
                        annotations: {summary: "payment-api pods run out of heap"}
                """);
        int promPort = freePort();
        Files.writeString(work.resolve("prometheus.yml"), """
                global: {evaluation_interval: 1s}
                rule_files: ["%s"]
                alerting:
                  alertmanagers:
                    - static_configs: [{targets: ["127.0.0.1:%d"]}]
                """.formatted(work.resolve("rules.yml"), amPort));
        prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + work.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + work.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort,
                // the first alerts may go out before Alertmanager is discovered: resend at once, not after 1 min
                "--rules.alert.resend-delay=1s")
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            for (Process p : new Process[] {prometheus, alertmanager}) {
                if (p != null) {
                    p.destroy();
                    if (!p.waitFor(20, TimeUnit.SECONDS)) {
                        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
            }
            if (mountpoint != null && mounted()) {
                Shell.run(work, List.of("umount", "-l", mountpoint.toString()));
            }
            if (daemon != null && !daemon.waitFor(20, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            if (harness != null) {
                harness.stop();
            }
            if (receiver != null) {
                receiver.stop(0);
            }
            if (client != null) {
                client.close();
            }
            if (cluster != null) {
                cluster.destroy();
            }
            if (work != null) {
                try (Stream<Path> walk = Files.walk(work)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    private static boolean mounted() throws IOException {
        String abs = mountpoint.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .map(l -> l.split(" ")).anyMatch(f -> f[1].equals(abs) && f[2].equals("fuse.afs"));
    }

    private static Shell.Result afs(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("bin/afs").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--harness-url", harness.url(), "--harness-token-file", work.resolve("data/client.token").toString()));
        return Shell.run(work, cmd);
    }

    private static JsonNode incidentJson() throws Exception {
        Shell.Result r = Shell.run(work, List.of("curl", "-s", "-H", "X-Afs-Token: " + Files.readString(harness.tokenFile()).strip(),
                "-H", "X-Afs-Uid: 0", harness.url() + "/v1/incidents/" + incident));
        return JSON.readTree(r.out());
    }

    private static void await(BooleanSupplier condition, String what) throws Exception {
        for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) {
            Thread.sleep(100);
        }
        if (!condition.getAsBoolean()) {
            fail(what + "\nalertmanager.log:\n" + Files.readString(work.resolve("alertmanager.log"))
                    + "\nprometheus.log (tail):\n" + tail(work.resolve("prometheus.log")));
        }
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static List<String> events() {
        synchronized (notified) {
            return notified.stream().map(n -> n.path("event").asText()).toList();
        }
    }

    private static String awaitState(String id, String state) throws Exception {
        Path status = mountpoint.resolve("change_requests").resolve(id + ".status");
        String s = "";
        for (int i = 0; i < 200 && !s.contains("  " + state + "  "); i++) {
            s = Files.readString(status);
            Thread.sleep(100);
        }
        assertTrue(s.contains("  " + state + "  "), s);
        return s;
    }

    /** Writes a plan citing the snapshot {@code evidence} through the mount, as the agent does. */
    private static void propose(String name, String evidence, String target, int replicas) throws Exception {
        String sha = Shell.bash(mountpoint, "getfattr --only-values -n user.afs.sha256 '." + evidence + "'").out();
        Files.writeString(work.resolve(name + ".yaml"), """
                incident_id: %s
                team: payments
                env: prod
                hypothesis: the api runs out of heap under load; more replicas spread it
                confidence: 0.9
                evidence:
                  - {path: %s, sha256: %s, lines: "1-2"}
                actions:
                  - {tool: scale, target: {kind: Deployment, name: %s}, params: {replicas: %d}, idempotency_key: %s}
                """.formatted(incident, evidence, sha, target, replicas, name));
        Shell.Result write = Shell.bash(mountpoint, "cat " + work.resolve(name + ".yaml") + " > change_requests/" + name + ".yaml");
        assertEquals(0, write.exit(), write + "\n" + Shell.bash(mountpoint, "cat .afs/errors").out());
    }

    @Test
    void anAlertOpensAnIncidentThatTheAgentWorksThroughTheMountToClosed() throws Exception {
        // 1. Prometheus fires, Alertmanager notifies the harness: the incident opens in payments/prod
        await(() -> !events().isEmpty(), "no incident was opened by the alert");
        JsonNode opened = notified.get(0);
        assertEquals("opened", opened.path("event").asText());
        incident = opened.path("incident").path("id").asText();
        assertEquals("payments", opened.path("incident").path("team").asText());
        assertEquals("prod", opened.path("incident").path("env").asText());
        assertEquals("critical", opened.path("incident").path("severity").asText());
        Shell.Result ls = afs("incident", "ls");
        assertEquals(0, ls.exit(), ls.toString());
        assertTrue(ls.out().startsWith(incident + "\tTRIAGE\tcritical\tpayments/prod\t"), ls.out());
        assertEquals(incident, Shell.bash(mountpoint, "ls incidents").out().strip(), "listed before anything was read for it");
        String context = Files.readString(mountpoint.resolve("incidents/" + incident + "/context.yaml"));
        for (String line : List.of("state: TRIAGE", "team: payments", "env: prod", "name: PaymentsOutOfMemory",
                "source: alertmanager:alertmanager", "change_requests: 2", "objective: 99.9%", "- user:alice")) {
            assertTrue(context.contains(line), line + " in\n" + context);
        }

        // 2. a forged webhook (a wrong token) is refused and records nothing
        HttpResponse<String> forged = HTTP.send(HttpRequest.newBuilder(URI.create(harness.url() + "/v1/triggers/alertmanager"))
                .header("Authorization", "Bearer not-the-token").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"version\": \"4\", \"groupKey\": \"x\", \"status\": \"firing\", \"commonLabels\": {\"namespace\": \"payments\","
                                + " \"env\": \"prod\"}, \"alerts\": [{\"status\": \"firing\", \"labels\": {\"alertname\": \"Forged\"}}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forged.statusCode(), forged.body());
        assertEquals(1, afs("incident", "ls").out().lines().count());

        // 3. the agent reads under the incident: the snapshot is tagged and charged to its budget
        String read = "teams/payments/prod/logs/api.log?grep=OutOfMemory";
        Shell.Result cat = Shell.bash(mountpoint, "AFS_INCIDENT=" + incident + " cat '" + read + "'");
        assertEquals(2, cat.out().lines().count(), cat.toString());
        String evidence = Shell.bash(mountpoint, "getfattr --only-values -n user.afs.evidence '" + read + "'").out();
        assertEquals(incident, Shell.bash(mountpoint, "getfattr --only-values -n user.afs.incident '." + evidence + "'").out());
        await(() -> {
            try {
                return Files.readString(mountpoint.resolve("incidents/" + incident + "/budget")).contains("reads            1 / 500");
            } catch (IOException e) {
                return false;
            }
        }, "the read was not charged to the incident");
        assertEquals("DIAGNOSING", incidentJson().path("state").asText());

        // 4. a plan that runs; then the same scale, citing nothing new: a loop, escalated to a human
        propose("scale-1", evidence, "api", 3);
        awaitState("scale-1", "SUCCEEDED");
        assertEquals("VERIFYING", incidentJson().path("state").asText());
        propose("scale-2", evidence, "api", 3);
        awaitState("scale-2", "PENDING_APPROVAL");
        JsonNode escalated = incidentJson();
        assertEquals("ESCALATED", escalated.path("state").asText(), escalated.toString());
        assertTrue(escalated.path("escalation").asText().startsWith("repeated action: scale on payments/Deployment/api"),
                escalated.toString());
        await(() -> events().contains("escalated"), "escalation notified: " + events());
        JsonNode pending = notified.stream().filter(n -> n.path("event").asText().equals("pending_approval")).findFirst().orElseThrow();
        assertTrue(pending.path("approval_url").asText().endsWith("/web/requests/scale-2"), pending.toString());

        // 5. a person looks and resumes it; the agent's next change request exceeds the budget cap
        Shell.Result resume = afs("incident", "resume", incident, "--reason", "the second scale is a duplicate; reject it");
        assertEquals(0, resume.exit(), resume.toString());
        String beforeWorker = Shell.bash(mountpoint, "AFS_INCIDENT=" + incident + " cat '" + read + "&tail=1'").out();
        assertEquals(1, beforeWorker.lines().count());
        String second = Shell.bash(mountpoint, "getfattr --only-values -n user.afs.evidence '" + read + "&tail=1'").out();
        propose("scale-3", second, "worker", 3);
        String rejected = awaitState("scale-3", "REJECTED");
        assertTrue(rejected.contains("- budget: incident " + incident + " used 3 change_requests of its cap 2 (budget.change_requests"
                + " in /incidents/" + incident + "/context.yaml)"), rejected);
        assertEquals(2, client.apps().deployments().inNamespace("payments").withName("worker").get().getSpec().getReplicas(),
                "nothing reached the API server for the refused request");
        String budget = Files.readString(mountpoint.resolve("incidents/" + incident + "/budget"));
        assertTrue(budget.contains("change_requests  3 / 2  OVER"), budget);
        assertTrue(budget.contains("reads            2 / 500"), budget);

        // 6. a person closes it; every step is in the ledger and every notification was delivered
        Shell.Result close = afs("incident", "close", incident, "--reason", "heap raised; errors stopped");
        assertEquals(0, close.exit(), close.toString());
        assertTrue(close.out().startsWith(incident + "  CLOSED  critical  payments/prod"), close.out());
        await(() -> events().contains("closed"), "closed notified: " + events());
        assertEquals(List.of("opened", "pending_approval", "escalated", "closed"), events());
        JsonNode done = incidentJson();
        assertTrue(done.path("notifications").toString().contains("\"outcome\":\"delivered\""), done.toString());
        List<String> steps = new ArrayList<>();
        for (String line : Files.readAllLines(work.resolve("data/ledger.jsonl"))) {
            JsonNode e = JSON.readTree(line);
            if (e.path("event").asText().equals("incident_transition")) {
                steps.add(e.path("detail").path("from").asText() + "->" + e.path("detail").path("to").asText());
            }
        }
        assertEquals(List.of("TRIAGE->DIAGNOSING", "DIAGNOSING->PLANNING", "PLANNING->EXECUTING", "EXECUTING->VERIFYING",
                "VERIFYING->PLANNING", "PLANNING->PENDING_APPROVAL", "PENDING_APPROVAL->ESCALATED", "ESCALATED->DIAGNOSING",
                "DIAGNOSING->PLANNING", "PLANNING->CLOSED"), steps);
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(harness.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("afs_harness_incidents{state=\"CLOSED\"} 1.0"), metrics);
        assertTrue(metrics.contains("afs_harness_incident_budget_refusals_total{kind=\"change_requests\"} 1.0"), metrics);
        assertTrue(metrics.contains("afs_harness_incident_escalations_total{reason=\"repeated_action\"} 1.0"), metrics);
        assertTrue(new String(Files.readAllBytes(work.resolve("alertmanager.log")), StandardCharsets.UTF_8).contains("Listening"),
                "the real Alertmanager ran");
    }
}
