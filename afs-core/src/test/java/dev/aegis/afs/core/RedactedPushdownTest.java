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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With redaction on (the default), Loki and CloudWatch get a literal grep as a raw prefilter
 * where that selects a superset of the served result, and a probe for a redacted value still
 * finds nothing: no line, and stats and truncation that a wrong guess would give too.
 */
class RedactedPushdownTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final Instant T0 = NOW.minus(Duration.ofMinutes(10));
    private static final Caller ROOT = new Caller(0, 0, 42);
    private static final String LOGS = "/teams/payments/prod/logs/";
    private static final String KEY = "AKIAPROBESECRET00001";

    @TempDir
    Path dir;
    private FakeLoki loki;
    private FakeCloudWatchLogs aws;
    private Afs afs;

    @BeforeEach
    void start() throws Exception {
        System.setProperty("aws.accessKeyId", "AKIAFAKEFAKEFAKEFAKE");
        System.setProperty("aws.secretAccessKey", "fake");
        loki = new FakeLoki();
        aws = new FakeCloudWatchLogs();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            lines.add("INFO s3 upload key_id=" + KEY + " n=" + i); // more than max_entries hold the key
        }
        lines.add("ERROR OOMKilled pod api-1");
        lines.add("INFO ok");
        lines.add("ERROR OOMKilled pod api-2 by carol@example.com");
        loki.addLines(Map.of("app", "api"), T0, Duration.ofSeconds(1), lines);
        aws.addLines("/aws/api", "main", T0, Duration.ofSeconds(1), lines);
        Path config = dir.resolve("namespaces.yaml");
        Files.writeString(config, """
                evidence: {dir: evidence, retention: 72h}
                backends:
                  loki: {type: loki, url: '%s', cache_ttl: 0s, retries: 0, lookback: 1h, max_entries: 3}
                  cw: {type: cloudwatch, region: us-east-1, endpoint: '%s', cache_ttl: 0s, retries: 0, lookback: 1h, max_entries: 3}
                teams:
                  payments:
                    prod:
                      logs:
                        api: {backend: loki, selector: '{app="api"}', window: none}
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
        return afs.evidence().find(node.xattr(LiveFile.XATTR_EVIDENCE, ROOT).orElseThrow()).orElseThrow();
    }

    /** What a reader learns besides the lines: stats (without the wall time) and the truncation flag. */
    private static String trace(EvidenceRecord r) {
        Map<String, String> stats = new java.util.TreeMap<>(r.stats());
        stats.remove("duration_ms");
        return stats + " truncated=" + r.truncation();
    }

    @Test
    void lokiGetsTheLiteralAsARawPrefilterAndTheExactFilterRunsAfterRedaction() throws Exception {
        EvidenceRecord r = evidence(LOGS + "api.log?grep-F=OOMKilled&tail=1");
        assertEquals("2026-11-21T11:50:08.000Z ERROR OOMKilled pod api-2 by [REDACTED_EMAIL]\n", Files.readString(r.file()));
        long start = NOW.minus(Duration.ofHours(1)).getEpochSecond() * 1_000_000_000L;
        long end = NOW.getEpochSecond() * 1_000_000_000L;
        // the prefilter is pushed; the limit after it is not (the newest raw match may be hidden)
        assertEquals("query={app=\"api\"} |= \"OOMKilled\"&start=" + start + "&end=" + end
                + "&direction=forward | local: grep -F -e 'OOMKilled' | tail -n 1", r.query());
        assertEquals("{app=\"api\"} |= \"OOMKilled\"", loki.received().get(loki.received().size() - 1).query());
        assertEquals("2", r.stats().get("entries"));
    }

    @Test
    void cloudWatchGetsTheLiteralAsARawPrefilter() throws Exception {
        EvidenceRecord r = evidence(LOGS + "cw.log?grep=ERROR");
        assertEquals("2026-11-21T11:50:06.000Z ERROR OOMKilled pod api-1\n"
                + "2026-11-21T11:50:08.000Z ERROR OOMKilled pod api-2 by [REDACTED_EMAIL]\n", Files.readString(r.file()));
        String insights = aws.started().get(aws.started().size() - 1).queryString();
        assertTrue(insights.contains(" | filter @message like \"ERROR\""), insights);
        assertTrue(r.truncation().isEmpty(), r.query());
    }

    @Test
    void aPrefixProbeForARedactedKeyFindsNothingAndLeavesTheTraceOfAWrongGuess() throws Exception {
        for (String stream : List.of("api.log", "cw.log")) {
            String wrong = trace(evidence(LOGS + stream + "?grep-F=AKIAPROBEX"));
            for (String probe : List.of(KEY.substring(0, 9), KEY.substring(0, 15), KEY)) {
                EvidenceRecord r = evidence(LOGS + stream + "?grep-F=" + probe);
                assertEquals("", Files.readString(r.file()), probe);
                // six raw entries hold the key, more than max_entries=3: neither a count nor a cut shows it
                assertEquals(wrong, trace(r), stream + " " + probe);
                assertEquals("0", r.stats().get("entries"));
                assertEquals("0", r.stats().get("bytes_received"));
            }
            assertTrue(evidence(LOGS + stream + "?grep-F=" + KEY).query().contains(KEY), "the probe was pushed");
        }
    }

    @Test
    void whatCouldMatchAMarkerOrNeedsTheWholeLineIsNotPushed() throws Exception {
        EvidenceRecord marker = evidence(LOGS + "api.log?grep-F=REDACTED_AWS&tail=2");
        assertFalse(marker.query().contains("|="), marker.query());
        assertEquals(2, Files.readString(marker.file()).lines().count());
        EvidenceRecord bracket = evidence(LOGS + "api.log?grep-F=%5BREDACTED");
        assertFalse(bracket.query().contains("|="), bracket.query());
        EvidenceRecord invert = evidence(LOGS + "api.log?grep-v=AKIAPROBE");
        assertFalse(invert.query().contains("!="), invert.query());
        // grep-v sees served text, where the key is gone: the first three entries (max_entries) stay
        assertEquals(3, Files.readString(invert.file()).lines().filter(l -> l.contains("[REDACTED_AWS_ACCESS_KEY]")).count());
        EvidenceRecord regex = evidence(LOGS + "api.log?grep=OOM.*api");
        assertFalse(regex.query().contains("|~"), regex.query());
        // a literal that starts inside the served time prefix cannot be told apart on the bare line
        EvidenceRecord timed = evidence(LOGS + "api.log?grep-F=0Z ERROR");
        assertFalse(timed.query().contains("|="), timed.query());
    }

    @Test
    void aCutOnServedMatchesIsStillFlagged() throws Exception {
        EvidenceRecord r = evidence(LOGS + "api.log?grep-F=n%3D");
        // "n=" is in every key line; as served it still is: six served matches, max_entries=3
        assertTrue(r.truncation().isPresent(), r.query());
        assertEquals("3", r.stats().get("entries"));
    }
}
