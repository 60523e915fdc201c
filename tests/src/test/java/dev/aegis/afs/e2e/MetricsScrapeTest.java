package dev.aegis.afs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real Prometheus scrapes a real mount daemon after end-to-end reads (cat through the
 * kernel, a refused read by another uid) and finds the counters an operator would chart: reads
 * by file type, a cache hit, backend latency, evidence, redactions, the refused lookup's errno;
 * it loads the shipped alert rules; and no team, env or path reaches it.
 */
class MetricsScrapeTest {

    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path repo;
    private static Path work;
    private static Path mountpoint;
    private static Process daemon;
    private static Process prometheus;
    private static int prometheusPort;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is absent");
        assumeTrue(Files.isExecutable(PROMETHEUS), "prometheus is not installed; bin/setup installs it");
        assumeTrue(Files.exists(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is absent");
        repo = Path.of(System.getProperty("afs.repo", "..")).toRealPath();
        work = Files.createTempDirectory("afs-metrics");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(work.resolve("logs"));
        Files.writeString(work.resolve("logs/api.log"), """
                2026-11-21T10:00:00.000Z INFO request ok
                2026-11-21T10:00:01.000Z ERROR payment failed for carol@example.com: OutOfMemoryError
                2026-11-21T10:00:02.000Z ERROR java.lang.OutOfMemoryError: Java heap space
                """);
        Files.writeString(work.resolve("logs/vault.log"), "2026-11-21T10:00:00.000Z INFO sealed\n");
        int metricsPort = freePort();
        Files.writeString(work.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                metrics: {listen: "127.0.0.1:%d"}
                backends:
                  local: {type: file, root: logs, cache_ttl: 60s}
                teams:
                  payments:
                    prod:
                      access: {read: ["*"]}
                      logs:
                        api: {backend: local, path: api.log}
                  secrets:
                    prod:
                      logs:
                        vault: {backend: local, path: vault.log}
                """.formatted(metricsPort));
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

        // what an agent does: two identical reads (the second within cache_ttl), a filtered one,
        // and a read of an env it may not see, as another uid
        String log = "teams/payments/prod/logs/api.log";
        assertEquals(3, Shell.bash(mountpoint, "cat " + log).out().lines().count());
        assertEquals(3, Shell.bash(mountpoint, "cat " + log).out().lines().count());
        Shell.Result grep = Shell.bash(mountpoint, "cat '" + log + "?grep=OutOfMemory'");
        assertTrue(grep.out().contains("[REDACTED_EMAIL]"), grep.toString());
        Shell.Result denied = Shell.run(mountpoint, List.of("setpriv", "--reuid=1003", "--regid=1003", "--clear-groups",
                "cat", "teams/secrets/prod/logs/vault.log"));
        assertNotEquals(0, denied.exit(), denied.toString());
        assertTrue(denied.err().contains("Permission denied"), denied.toString());

        prometheusPort = freePort();
        Files.writeString(work.resolve("prometheus.yml"), """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: ["%s"]
                scrape_configs:
                  - job_name: afs-mount
                    static_configs: [{targets: ["127.0.0.1:%d"]}]
                """.formatted(repo.resolve("deploy/prometheus/afs-alerts.yml"), metricsPort));
        prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + work.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + work.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
        awaitReady();
    }

    /** Prometheus answers 503 until its storage is open: wait for /-/ready. */
    private static void awaitReady() throws Exception {
        URI ready = URI.create("http://127.0.0.1:" + prometheusPort + "/-/ready");
        for (int i = 0; i < 600; i++) {
            if (!prometheus.isAlive()) {
                fail("prometheus exited:\n" + Files.readString(work.resolve("prometheus.log")));
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        fail("prometheus was not ready after 60 s:\n" + Files.readString(work.resolve("prometheus.log")));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (prometheus != null) {
                prometheus.destroy();
                if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            if (mountpoint != null && mounted()) {
                Shell.run(work, List.of("umount", "-l", mountpoint.toString()));
            }
            if (daemon != null && !daemon.waitFor(20, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
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

    private static boolean mounted() throws IOException {
        String abs = mountpoint.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .map(l -> l.split(" ")).anyMatch(f -> f[1].equals(abs) && f[2].equals("fuse.afs"));
    }

    private static JsonNode api(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** The value of an instant PromQL query once Prometheus has it (it scrapes every second). */
    private static double query(String promql) throws Exception {
        String path = "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8);
        for (int i = 0; i < 600; i++) {
            if (!prometheus.isAlive()) {
                fail("prometheus exited:\n" + Files.readString(work.resolve("prometheus.log")));
            }
            try {
                JsonNode result = api(path).path("data").path("result");
                if (result.size() == 1) {
                    return result.get(0).get("value").get(1).asDouble();
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        fail(promql + " has no single series after 60 s; prometheus log:\n" + Files.readString(work.resolve("prometheus.log")));
        return 0;
    }

    @Test
    void prometheusScrapesTheCountersOfTheReads() throws Exception {
        assertEquals(1, query("up{job=\"afs-mount\"}"));
        assertEquals(3, query("afs_reads_total{job=\"afs-mount\",type=\"log\",outcome=\"ok\"}"), "cat, cat again, cat ?grep");
        assertEquals(1, query("afs_cache_hits_total{job=\"afs-mount\",kind=\"ttl\"}"));
        assertEquals(2, query("afs_backend_request_seconds_count{job=\"afs-mount\",backend=\"local\",outcome=\"ok\"}"));
        assertTrue(query("afs_backend_received_bytes_total{job=\"afs-mount\",backend=\"local\"}") > 0);
        assertEquals(2, query("afs_evidence_snapshots_total{job=\"afs-mount\"}"));
        assertTrue(query("afs_evidence_bytes_total{job=\"afs-mount\"}") > 0);
        assertEquals(2, query("afs_redactions_total{job=\"afs-mount\",kind=\"EMAIL\"}"));
        assertTrue(query("sum(afs_fuse_errors_total{job=\"afs-mount\",errno=\"EACCES\"})") >= 1);
    }

    @Test
    void prometheusLoadsTheShippedAlertRules() throws Exception {
        query("up{job=\"afs-mount\"}");
        JsonNode groups = api("/api/v1/rules").path("data").path("groups");
        int rules = 0;
        for (JsonNode g : groups) {
            for (JsonNode r : g.path("rules")) {
                rules++;
                assertEquals("ok", r.path("health").asText(), r.toString());
            }
        }
        assertEquals(11, rules, groups.toString());
    }

    @Test
    void noTeamEnvOrPathReachesPrometheus() throws Exception {
        query("afs_evidence_snapshots_total{job=\"afs-mount\"}");
        String all = api("/api/v1/query?query=" + URLEncoder.encode("{job=\"afs-mount\",__name__=~\"afs_.+\"}",
                StandardCharsets.UTF_8)).toString();
        assertTrue(all.contains("afs_reads_total"), all);
        for (String tenant : List.of("payments", "secrets", "prod", "api.log", "vault", "carol", "OutOfMemory")) {
            assertFalse(all.contains(tenant), tenant + " reached Prometheus: " + all);
        }
    }
}
