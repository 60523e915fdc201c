package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.ALICE;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static dev.aegis.afs.harness.HarnessFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's metrics scraped from metrics.listen, its own loopback port, after a few requests. */
class HarnessMetricsScrapeTest {

    @TempDir
    Path dir;
    HarnessFixture f;
    HarnessDaemon daemon;
    EvidenceRecord ev;

    @BeforeEach
    void start() throws Exception {
        f = new HarnessFixture(dir);
        ev = f.snapshot(30);
        f.cluster.deployment("payments", "api", 5, 5, "256Mi");
        Files.writeString(dir.resolve("harness.yaml"), """
                listen: 127.0.0.1:0
                data_dir: data
                namespaces: namespaces.yaml
                evidence_dir: evidence
                policy: {max_evidence_age: 2h}
                metrics: {listen: 127.0.0.1:0}
                """ + f.captureKeysYaml());
        daemon = HarnessDaemon.start(HarnessConfig.read(dir.resolve("harness.yaml")), f.cluster.client, f.clock, f.accounts,
                Harness.Probe.NONE);
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

    private String scrape() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(daemon.metricsUrl()
                .orElseThrow())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    private StoredRequest submit(String actions) throws Exception {
        StoredRequest r = daemon.harness().submit(plan("prod", 0.9, pointer(ev, "1-3"), actions, "")
                .getBytes(StandardCharsets.UTF_8), f.p(AGENT)).request();
        daemon.harness().awaitIdle();
        return daemon.harness().get(r.id());
    }

    @Test
    void requestsByStateRejectionsByGateAndApprovalWaitAreScraped() throws Exception {
        assertTrue(scrape().contains("afs_harness_requests{state=\"PENDING_APPROVAL\"} 0.0"), scrape());
        StoredRequest pending = submit("  - {tool: restart, target: {kind: Deployment, name: api}, idempotency_key: m1}\n");
        assertEquals(State.PENDING_APPROVAL, pending.state());
        StoredRequest rejected = submit(scale("api", 50, "m2")); // 10x: replicas_within_factor blocks it
        assertEquals(State.REJECTED, rejected.state());

        String before = scrape();
        assertTrue(before.contains("afs_harness_requests{state=\"PENDING_APPROVAL\"} 1.0"), before);
        assertTrue(before.contains("afs_harness_requests{state=\"REJECTED\"} 1.0"), before);
        assertTrue(before.contains("afs_harness_gate_failures_total{gate=\"guardrail\"} 1.0"), before);
        assertTrue(before.contains("afs_harness_approval_wait_seconds_count 0"), before);

        f.clock.advance(java.time.Duration.ofMinutes(7));
        daemon.harness().approve(pending.id(), f.p(ALICE));
        daemon.harness().awaitIdle();
        String after = scrape();
        assertTrue(after.contains("afs_harness_requests{state=\"PENDING_APPROVAL\"} 0.0"), after);
        assertTrue(after.contains("afs_harness_requests{state=\"SUCCEEDED\"} 1.0"), after);
        assertTrue(after.contains("afs_harness_approval_wait_seconds_count 1"), after);
        assertTrue(after.contains("afs_harness_approval_wait_seconds_bucket{le=\"600.0\"} 1"), after);
        assertTrue(after.contains("afs_harness_approval_wait_seconds_bucket{le=\"300.0\"} 0"), after);
        // metrics carry no tenant data
        assertTrue(!after.contains("payments") && !after.contains(pending.id()), after);
    }

    @Test
    void metricsListenMustBeLoopback() throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), "data_dir: d\nnamespaces: n.yaml\nmetrics: {listen: 0.0.0.0:9781}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> HarnessConfig.read(dir.resolve("bad.yaml")));
        assertTrue(e.getMessage().contains("is not a loopback address"), e.getMessage());
    }
}
