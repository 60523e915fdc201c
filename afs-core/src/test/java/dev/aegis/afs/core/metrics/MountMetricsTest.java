package dev.aegis.afs.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.access.UnixAccounts;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.OpenFile;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the mount's metrics say after real reads through the tree, and what they never say. */
class MountMetricsTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final Caller ALICE = new Caller(1000, 1000, 42);

    @TempDir
    Path dir;

    private Afs load(MountMetrics metrics) throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("logs/api.log"), """
                2026-11-21T11:59:00.000Z ERROR payment failed for alice@example.com from 10.1.2.3
                2026-11-21T11:59:01.000Z INFO ok
                """);
        Path config = dir.resolve("namespaces.yaml");
        Files.writeString(config, """
                evidence: {dir: evidence}
                metrics: {listen: "127.0.0.1:9464"}
                backends:
                  hot: {type: file, root: logs, cache_ttl: 60s}
                teams:
                  payments:
                    prod:
                      access: {read: ["uid:1000"]}
                      logs:
                        api: {backend: hot, path: api.log}
                """);
        return Afs.load(config, Clock.fixed(NOW, ZoneOffset.UTC), System::getenv, UnixAccounts.system(), List.of(), metrics);
    }

    private static void open(Afs afs, String path) throws Exception {
        try (OpenFile f = ((FileNode) afs.resolve(path, ALICE)).open(ALICE)) {
            f.size();
        }
    }

    private static String scrape(MountMetrics metrics) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, metrics.registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void countsBackendReadsCacheHitsEvidenceAndRedactionsWithoutTenantLabels() throws Exception {
        MountMetrics metrics = new MountMetrics();
        try (Afs afs = load(metrics)) {
            assertEquals("127.0.0.1", afs.config().metricsListen().orElseThrow().getHostString());
            open(afs, "/teams/payments/prod/logs/api.log?grep=payment");
            open(afs, "/teams/payments/prod/logs/api.log?grep=payment"); // within cache_ttl: no backend read
            open(afs, "/teams/payments/prod/logs/api.log?tail=1");
            metrics.read("/teams/payments/prod/logs/api.log?tail=1", null);
            metrics.read("/teams/checkout/staging/logs/web.log", AfsError.ACCESS_DENIED);
            metrics.quotaRefusal("bytes_per_hour");
        }
        String text = scrape(metrics);
        assertEquals(2, value(text, "afs_backend_request_seconds_count{backend=\"hot\",outcome=\"ok\"}"), text);
        assertEquals(1, value(text, "afs_cache_hits_total{kind=\"ttl\"}"), text);
        assertEquals(2, value(text, "afs_evidence_snapshots_total"), text);
        assertTrue(value(text, "afs_evidence_bytes_total") > 0, text);
        assertTrue(value(text, "afs_backend_received_bytes_total{backend=\"hot\"}") > 0, text);
        assertEquals(1, value(text, "afs_redactions_total{kind=\"EMAIL\"}"), text);
        assertEquals(1, value(text, "afs_redactions_total{kind=\"IPV4\"}"), text);
        assertEquals(1, value(text, "afs_reads_total{outcome=\"ok\",type=\"log\"}"), text);
        assertEquals(1, value(text, "afs_reads_total{outcome=\"EACCES\",type=\"log\"}"), text);
        assertEquals(1, value(text, "afs_quota_refusals_total{quota=\"bytes_per_hour\"}"), text);
        // metrics leave the tenant boundary: no team, env, stream, query or content in them
        for (String secret : List.of("payments", "prod", "checkout", "api.log", "alice", "10.1.2.3", "grep")) {
            assertFalse(text.contains(secret), secret + " leaked into the metrics:\n" + text);
        }
    }

    @Test
    void aListenAddressThatIsNotHostPortIsRefusedWithTheFix() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, """
                metrics: {listen: "9464"}
                teams:
                  payments:
                    prod: {}
                """);
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.aegis.afs.core.config.ConfigException.class,
                () -> Afs.load(config, Clock.fixed(NOW, ZoneOffset.UTC), System::getenv, UnixAccounts.system(), List.of()));
        assertTrue(e.getMessage().contains("bad.yaml:1") && e.getMessage().contains("127.0.0.1:9464"), e.getMessage());
    }
}
