package dev.aegis.afs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.core.git.ConfigRepo;
import dev.aegis.afs.core.traces.LocalZipkin;
import dev.aegis.afs.core.traces.ShopTraces;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Traces and config history on a real mount: a real Zipkin holding spans across four services,
 * a bare git repository with a deploy commit 20 minutes before now, and the harness. ls, cat and
 * grep on traces/ and config/, their evidence, and a change request whose required approvals
 * the risk report raises (payment-api has two dependants; ledger one).
 */
class TracesAndConfigTest {

    private static Path repo;
    private static Path work;
    private static Path mountpoint;
    private static Process daemon;
    private static LocalZipkin zipkin;
    private static ConfigRepo config;
    private static KubernetesMockServer cluster;
    private static KubernetesClient client;
    private static HarnessDaemon harness;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is absent");
        assumeTrue(LocalZipkin.jar().isPresent(), "the zipkin-server exec jar is not on the test classpath");
        repo = Path.of(System.getProperty("afs.repo", "..")).toRealPath();
        work = Files.createTempDirectory("afs-traces");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        zipkin = LocalZipkin.start();
        zipkin.post(ShopTraces.json(now));
        config = ConfigRepo.create(work, now);

        cluster = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        cluster.init(InetAddress.getLoopbackAddress(), 0);
        client = cluster.createClient();
        for (String name : List.of("payment-api", "ledger")) {
            Deployment d = new DeploymentBuilder()
                    .withNewMetadata().withName(name).withNamespace("payments").endMetadata()
                    .withNewSpec().withReplicas(5).withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                    .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec()
                    .endTemplate().endSpec()
                    .withNewStatus().withReplicas(5).withReadyReplicas(5).endStatus().build();
            client.apps().deployments().inNamespace("payments").resource(d).create();
        }
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(work.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                harness: {url: "http://127.0.0.1:%d", token_file: data/client.token}
                backends:
                  zipkin: {type: zipkin, url: "%s", cache_ttl: 0s}
                  deploy: {type: git, repo: config.git, branch: main, cache_ttl: 0s}
                teams:
                  payments:
                    prod:
                      access: {read: ["*"]}
                      changes:
                        mode: execute
                        allow: [restart]
                        approvers: {uids: [1001, 1002]}
                      traces: {backend: zipkin}
                      config: {backend: deploy, path: envs/prod}
                """.formatted(port, zipkin.url()));
        Files.writeString(work.resolve("harness.yaml"), """
                listen: 127.0.0.1:%d
                data_dir: data
                namespaces: namespaces.yaml
                kubernetes: {master_url: "%s"}
                """.formatted(port, client.getMasterUrl()) + ChangeRequestFlowTest.pinnedCaptureKey(repo, work));
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
        for (int i = 0; i < 100 && bash("cat teams/payments/prod/traces/frontend/traces.log").out().lines().count() < 3; i++) {
            Thread.sleep(100); // Zipkin stores posted spans asynchronously
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
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
            if (client != null) {
                client.close();
            }
            if (cluster != null) {
                cluster.destroy();
            }
            if (zipkin != null) {
                zipkin.close();
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

    private static Shell.Result bash(String script) throws IOException {
        return Shell.bash(mountpoint, script);
    }

    /** The evidence a read left, as the walk-through cites it: path, sha256, line range, time. */
    private static String pointer(String path) throws IOException {
        String e = bash("getfattr --only-values -n user.afs.evidence '" + path + "'").out();
        String sha = bash("getfattr --only-values -n user.afs.sha256 '." + e + "'").out();
        String at = bash("getfattr --only-values -n user.afs.captured_at '." + e + "'").out();
        String n = bash("getfattr --only-values -n user.afs.lines '." + e + "'").out();
        return "  - {path: " + mountpoint + e + ", sha256: " + sha + ", lines: \"1-" + n + "\", captured_at: \"" + at + "\"}\n";
    }

    @Test
    void tracesAreFilesWithTheirEvidence() throws Exception {
        assertEquals("graph\ncheckout\nfrontend\nledger\npayment-api\n",
                bash("ls -1 -U teams/payments/prod/traces").out());
        Shell.Result graph = bash("cat teams/payments/prod/traces/graph");
        assertTrue(graph.out().contains("frontend -> payment-api calls=1 errors=1 error_rate=1.000"), graph.toString());
        String e = bash("getfattr --only-values -n user.afs.evidence teams/payments/prod/traces/graph").out();
        String query = bash("getfattr --only-values -n user.afs.query '." + e + "'").out();
        assertTrue(query.startsWith("GET /api/v2/dependencies?endTs="), query);

        Shell.Result errors = bash("grep error 'teams/payments/prod/traces/payment-api/traces.log?since=1h'");
        assertEquals(0, errors.exit(), errors.toString());
        assertTrue(errors.out().contains(ShopTraces.FAILED_PAY + " 150.000ms error"), errors.toString());
        assertEquals(ShopTraces.FAILED_PAY + ".json\n" + ShopTraces.FAILED_PAY + ".txt\ntraces.log\n",
                bash("ls 'teams/payments/prod/traces/payment-api?status=error'").out());
        Shell.Result tree = bash("cat teams/payments/prod/traces/payment-api/" + ShopTraces.FAILED_PAY + ".txt");
        assertTrue(tree.out().contains("    payment-api charge [SERVER] +2.000ms 90.000ms error=db pool exhausted"), tree.toString());
    }

    @Test
    void configIsTheRepositoryAtTheTipWithItsHistoryAndDiff() throws Exception {
        assertEquals(".diff\n.history\npayment-api\n", bash("ls -A teams/payments/prod/config").out());
        assertEquals(ConfigRepo.VALUES_V2, bash("cat teams/payments/prod/config/payment-api/values.yaml").out());
        Shell.Result diff = bash("cat 'teams/payments/prod/config/.diff?since=1h'");
        assertTrue(diff.out().contains("-dbPool: 50\n+image: payment-api:1.4.2\n+dbPool: 10"), diff.toString());
        Shell.Result read = bash("cat 'teams/payments/prod/config/.history?since=1h'");
        String history = read.out();
        assertTrue(history.contains(config.poolChange.substring(0, 12) + " carol ") && history.endsWith(" payment-api: db pool 50 -> 10\n"),
                read + "\n" + bash("cat .afs/errors").out());
        String e = bash("getfattr --only-values -n user.afs.evidence 'teams/payments/prod/config/.diff?since=1h'").out();
        assertTrue(bash("getfattr --only-values -n user.afs.query '." + e + "'").out()
                .equals("git diff " + config.staging + " " + config.poolChange + " -- envs/prod"));
        Shell.Result write = bash("echo x > teams/payments/prod/config/payment-api/values.yaml");
        assertNotEquals(0, write.exit(), write.toString());
        assertTrue(write.err().contains("Read-only file system") || write.err().contains("Permission denied"), write.toString());
        assertEquals(ConfigRepo.VALUES_V2, bash("cat teams/payments/prod/config/payment-api/values.yaml").out());
    }

    @Test
    void aRestartOfAServiceTwoOthersDependOnNeedsOneMoreApprovalAndShowsItsRisk() throws Exception {
        String trace = "teams/payments/prod/traces/payment-api/" + ShopTraces.FAILED_PAY + ".txt";
        String diff = "teams/payments/prod/config/.diff?since=1h";
        bash("cat '" + trace + "' '" + diff + "' > /dev/null");
        String evidence = pointer(trace) + pointer(diff);
        for (String target : List.of("payment-api", "ledger")) {
            String plan = """
                    incident_id: INC-16
                    team: payments
                    env: prod
                    hypothesis: the db pool cut to 10 exhausts payment-api's connections
                    confidence: 0.9
                    evidence:
                    %sactions:
                      - {tool: restart, target: {kind: Deployment, name: %s}, idempotency_key: inc-16-%s}
                    rollback: before_state
                    """.formatted(evidence, target, target);
            Files.writeString(work.resolve("plan-" + target + ".yaml"), plan);
            Shell.Result write = bash("cat " + work.resolve("plan-" + target + ".yaml") + " > change_requests/" + target + ".yaml");
            assertEquals(0, write.exit(), write + "\n" + bash("cat .afs/errors").out());
        }
        String hub = awaitPending("payment-api");
        assertTrue(hub.contains("approvals: 0 of 2"), hub);
        assertTrue(hub.contains("- risk: action 0: 2 services depend on payments/Deployment/payment-api (checkout 67%, frontend 33%)"), hub);
        String leaf = awaitPending("ledger");
        assertTrue(leaf.contains("approvals: 0 of 1"), leaf);
        assertTrue(!leaf.contains("risk:"), leaf);
        String risk = bash("cat change_requests/payment-api.risk").out();
        assertTrue(risk.contains("- service: checkout") && risk.contains("- service: frontend")
                && risk.contains("expected_unavailable: 0.2"), risk);
        // the deploy commit before the errors is the target's recent change, read from the config: repository
        assertTrue(risk.contains("- source: git") && risk.contains(config.poolChange.substring(0, 12)
                + " carol: payment-api: db pool 50 -> 10"), risk);
        assertTrue(!bash("cat change_requests/ledger.risk").out().contains("source: git"), "the commit does not name ledger");
        assertTrue(bash("ls change_requests").out().contains("payment-api.risk"));
    }

    private static String awaitPending(String id) throws Exception {
        String s = "";
        for (int i = 0; i < 200 && !s.contains("  PENDING_APPROVAL  "); i++) {
            s = bash("cat change_requests/" + id + ".status").out();
            Thread.sleep(100);
        }
        assertTrue(s.contains("  PENDING_APPROVAL  "), s);
        return s;
    }
}
