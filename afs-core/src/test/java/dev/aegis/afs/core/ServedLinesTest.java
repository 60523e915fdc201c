package dev.aegis.afs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.access.UnixAccounts;
import dev.aegis.afs.core.cloudwatch.FakeCloudWatchLogs;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.loki.FakeLoki;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.OpenFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lines of backends that keep the time outside the line are served with it in front, filters
 * see the served line, and only what cannot tell the two apart is pushed.
 */
class ServedLinesTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final Instant T0 = NOW.minus(Duration.ofMinutes(10));
    private static final Caller ROOT = new Caller(0, 0, 42);
    private static final String LOGS = "/teams/payments/prod/logs/";

    @TempDir
    Path dir;
    private FakeLoki loki;
    private FakeCloudWatchLogs aws;
    private Afs afs;

    @BeforeEach
    void start() throws Exception {
        // the AWS SDK's default chain; the fake does not check signatures
        System.setProperty("aws.accessKeyId", "AKIAFAKEFAKEFAKEFAKE");
        System.setProperty("aws.secretAccessKey", "fake");
        loki = new FakeLoki();
        aws = new FakeCloudWatchLogs();
        loki.addLines(Map.of("app", "api", "pod", "api-1"), T0, Duration.ofMillis(1500),
                List.of("ERROR oom killed", "INFO ok", "ERROR db timeout"));
        loki.addLines(Map.of("app", "api", "pod", "api-2"), T0.plusMillis(500), Duration.ofMillis(1500),
                List.of("INFO ok", "WARN slow"));
        loki.addLines(Map.of("app", "stamped"), T0, Duration.ofSeconds(1),
                List.of("2026-11-21T11:50:00Z own time 1", "2026-11-21T11:50:01Z own time 2"));
        aws.addLines("/aws/api", "main", T0, Duration.ofMillis(1001), List.of("ERROR card declined", "INFO done"));
        Path config = dir.resolve("namespaces.yaml");
        Files.writeString(config, """
                evidence: {dir: evidence, retention: 72h}
                backends:
                  loki: {type: loki, url: '%s', cache_ttl: 0s, retries: 0, lookback: 1h}
                  cw: {type: cloudwatch, region: us-east-1, endpoint: '%s', cache_ttl: 0s, retries: 0, lookback: 1h}
                teams:
                  payments:
                    prod:
                      redact: {builtin: false}   # pushdown decisions here; with redaction only raw prefilters are pushed (RedactedPushdownTest)
                      logs:
                        api: {backend: loki, selector: '{app="api"}', window: none}
                        bare: {backend: loki, selector: '{app="api"}', window: none, timestamp: none}
                        stamped: {backend: loki, selector: '{app="stamped"}', window: none}
                        cw: {backend: cw, log_groups: [/aws/api], window: none}
                """.formatted(loki.url(), aws.endpoint()));
        afs = Afs.load(config, Clock.fixed(NOW, ZoneOffset.UTC), System::getenv, UnixAccounts.system(), List.of());
    }

    @AfterEach
    void stop() throws Exception {
        afs.close();
        loki.close();
        aws.close();
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    private String read(String path) throws Exception {
        try (OpenFile file = ((FileNode) afs.resolve(path, ROOT)).open(ROOT)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.max(file.size(), 1));
            int n = file.read(0, buffer);
            return new String(buffer.array(), 0, Math.max(n, 0), StandardCharsets.UTF_8);
        }
    }

    private EvidenceRecord evidence(String path) throws Exception {
        LiveFile node = (LiveFile) afs.resolve(path, ROOT);
        read(path);
        String e = node.xattr(LiveFile.XATTR_EVIDENCE, ROOT).orElseThrow();
        return afs.evidence().find(e).orElseThrow();
    }

    @Test
    void lokiLinesStartWithTheirTime() throws Exception {
        assertEquals("""
                2026-11-21T11:50:00.000Z ERROR oom killed
                2026-11-21T11:50:00.500Z INFO ok
                2026-11-21T11:50:01.500Z INFO ok
                2026-11-21T11:50:02.000Z WARN slow
                2026-11-21T11:50:03.000Z ERROR db timeout
                """, read(LOGS + "api.log"));
        assertEquals("ERROR oom killed\nINFO ok\nINFO ok\nWARN slow\nERROR db timeout\n", read(LOGS + "api.log?raw=1"));
        assertEquals("ERROR oom killed\nINFO ok\nINFO ok\nWARN slow\nERROR db timeout\n", read(LOGS + "bare.log"));
        assertEquals("""
                2026-11-21T11:50:00.000Z {app="api", pod="api-1"} ERROR oom killed
                2026-11-21T11:50:02.000Z {app="api", pod="api-2"} WARN slow
                2026-11-21T11:50:03.000Z {app="api", pod="api-1"} ERROR db timeout
                """, read(LOGS + "api.log?labels=1&grep=api-1.*ERROR%7Capi-2.*WARN"));
    }

    @Test
    void autoLeavesLinesThatCarryTheirOwnTime() throws Exception {
        assertEquals("2026-11-21T11:50:00Z own time 1\n2026-11-21T11:50:01Z own time 2\n", read(LOGS + "stamped.log"));
    }

    @Test
    void filtersSeeTheServedLineAndOnlyThoseThatCannotTellArePushed() throws Exception {
        EvidenceRecord pushed = evidence(LOGS + "api.log?grep=ERROR&tail=1");
        assertEquals("2026-11-21T11:50:03.000Z ERROR db timeout\n", Files.readString(pushed.file()));
        assertTrue(pushed.query().startsWith("query={app=\"api\"} |~ \"ERROR\"&start="), pushed.query());
        assertTrue(pushed.query().endsWith("&direction=backward&limit=1"), pushed.query());

        // ^ERROR never matches a served line (it starts with the time), as grep on the bytes says.
        EvidenceRecord anchored = evidence(LOGS + "api.log?grep=%5EERROR");
        assertEquals("", Files.readString(anchored.file()));
        assertTrue(anchored.query().startsWith("query={app=\"api\"}&start="), anchored.query());
        assertTrue(anchored.query().endsWith(" | local: grep -e '^ERROR'"), anchored.query());

        // A pattern over the time runs locally on the served line; the limit after it too.
        EvidenceRecord timed = evidence(LOGS + "api.log?grep=%3A0%5B02%5D%5C.&grep=INFO%7CWARN&tail=5");
        assertEquals("2026-11-21T11:50:00.500Z INFO ok\n2026-11-21T11:50:02.000Z WARN slow\n",
                Files.readString(timed.file()));
        assertFalse(timed.query().contains("limit="), timed.query());
    }

    @Test
    void evidenceRecordsAbsoluteBounds() throws Exception {
        EvidenceRecord record = evidence(LOGS + "api.log?tail=2");
        long end = NOW.getEpochSecond() * 1_000_000_000L;
        long start = NOW.minus(Duration.ofHours(1)).getEpochSecond() * 1_000_000_000L;
        assertEquals("query={app=\"api\"}&start=" + start + "&end=" + end + "&direction=backward&limit=2", record.query());
        FakeLoki.Received sent = loki.received().get(loki.received().size() - 1);
        assertEquals(Long.toString(start), sent.params().get("start"));
        assertEquals(Long.toString(end), sent.params().get("end"));

        EvidenceRecord cw = evidence(LOGS + "cw.log");
        assertTrue(cw.query().contains(" start=2026-11-21T11:00:00Z end=2026-11-21T12:00:00Z "), cw.query());
        assertFalse(cw.query().contains("now"), cw.query());
    }

    @Test
    void cloudWatchTimestampsInBothWireForms() throws Exception {
        String expected = "2026-11-21T11:50:00.000Z ERROR card declined\n2026-11-21T11:50:01.001Z INFO done\n";
        assertEquals(expected, read(LOGS + "cw.log"));
        aws.epochMillisTimestamps(true);
        assertEquals(expected, read(LOGS + "cw.log"));
    }
}
