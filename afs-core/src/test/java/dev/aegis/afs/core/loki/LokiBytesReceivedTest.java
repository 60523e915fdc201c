package dev.aegis.afs.core.loki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.access.UnixAccounts;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.tree.LiveFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only the needed lines travel: {@code grep-F=X&tail=50} pushed into LogQL receives a tiny
 * fraction of the bytes that fetching the whole window and filtering locally receives, and both
 * give the same lines. The figures are printed for bench/README.md.
 */
class LokiBytesReceivedTest {

    private static final Caller ROOT = new Caller(0, 0, 1);

    @TempDir
    Path dir;

    @Test
    void pushdownReceivesAThousandTimesFewerBytes() throws Exception {
        try (FakeLoki loki = new FakeLoki()) {
            int lines = 100_000;
            loki.addLines(Map.of("app", "api"), Instant.now().minus(Duration.ofHours(2)), Duration.ofMillis(50),
                    IntStream.range(0, lines).mapToObj(i -> "2026 INFO payment-api request " + i + " served in "
                            + (i % 97) + "ms" + (i % 1000 == 7 ? " OOMKilled" : "") + " tenant=acme path=/v1/payments").toList());
            Files.writeString(dir.resolve("namespaces.yaml"), """
                    evidence: {dir: evidence}
                    backends:
                      loki: {type: loki, url: "%s", cache_ttl: 0s, max_entries: 10000000, lookback: 24h}
                    teams:
                      p:
                        prod:
                          redact: {builtin: false}
                          logs:
                            api: {backend: loki, selector: '{app="api"}', window: none}
                    """.formatted(loki.url()));
            try (Afs afs = Afs.load(dir.resolve("namespaces.yaml"), Clock.systemUTC(), System::getenv,
                    UnixAccounts.system(), List.of())) {
                EvidenceRecord pushed = read(afs, "/teams/p/prod/logs/api.log?grep-F=OOMKilled&tail=50");
                EvidenceRecord window = read(afs, "/teams/p/prod/logs/api.log");
                List<String> all = Files.readAllLines(window.file());
                assertEquals(lines, all.size());
                List<String> expected = all.stream().filter(l -> l.contains("OOMKilled")).toList();
                assertEquals(expected.subList(expected.size() - 50, expected.size()), Files.readAllLines(pushed.file()));
                long small = Long.parseLong(pushed.stats().get("bytes_received"));
                long large = Long.parseLong(window.stats().get("bytes_received"));
                System.out.printf("loki bytes received: pushed %d, whole window %d, ratio %.0fx%n", small, large,
                        (double) large / small);
                assertTrue(large >= 1000 * small, "pushed " + small + " bytes vs window " + large);
            }
        }
    }

    private static EvidenceRecord read(Afs afs, String path) throws Exception {
        LiveFile file = (LiveFile) afs.resolve(path, ROOT);
        return file.capture(ROOT);
    }
}
