package dev.aegis.afs.core.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.access.UnixAccounts;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sixteen agents reading one hot file at once cause one backend query per cache TTL, and all
 * get the same snapshot; with cache_ttl 0s each read is its own query.
 */
class SharedReadTest {

    @TempDir
    Path dir;

    private Afs load(FakeLoki loki, String ttl) throws Exception {
        Files.writeString(dir.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                backends:
                  loki: {type: loki, url: "%s", cache_ttl: %s, retries: 0}
                teams:
                  payments:
                    prod:
                      logs:
                        api: {backend: loki, selector: '{app="api"}'}
                """.formatted(loki.url(), ttl));
        return Afs.load(dir.resolve("namespaces.yaml"), Clock.systemUTC(), System::getenv, UnixAccounts.system(), List.of());
    }

    private static List<String> readConcurrently(Afs afs, int readers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(readers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < readers; i++) {
                Caller caller = new Caller(0, 0, 100 + i);
                results.add(pool.submit(() -> {
                    start.await();
                    LiveFile file = (LiveFile) afs.resolve("/teams/payments/prod/logs/api.log?grep=ERROR&tail=5", caller);
                    try (OpenFile open = ((FileNode) file).open(caller)) {
                        ByteBuffer b = ByteBuffer.allocate((int) open.size());
                        open.read(0, b);
                        return file.xattr(LiveFile.XATTR_EVIDENCE, caller).orElseThrow() + "\n"
                                + new String(b.array(), StandardCharsets.UTF_8);
                    }
                }));
            }
            start.countDown();
            List<String> out = new ArrayList<>();
            for (Future<String> f : results) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static FakeLoki loki() throws Exception {
        FakeLoki loki = new FakeLoki();
        loki.addLines(Map.of("app", "api"), Instant.now().minusSeconds(600), Duration.ofSeconds(1),
                IntStream.range(0, 500).mapToObj(i -> (i % 10 == 0 ? "ERROR " : "INFO ") + "line " + i).toList());
        return loki;
    }

    @Test
    void sixteenReadersOfOneHotFileCauseOneQuery() throws Exception {
        try (FakeLoki loki = loki(); Afs afs = load(loki, "30s")) {
            loki.delayNext(Duration.ofMillis(300)); // keep the first query in flight while the others arrive
            List<String> results = readConcurrently(afs, 16);
            assertEquals(1, loki.received().size(), loki.received().toString());
            Set<String> distinct = new HashSet<>(results);
            assertEquals(1, distinct.size(), "every reader got the same snapshot");
            assertTrue(results.get(0).contains("ERROR line 490"), results.get(0));
            readConcurrently(afs, 16); // again within the TTL: still one query
            assertEquals(1, loki.received().size());
        }
    }

    @Test
    void withoutCachingEveryReadIsItsOwnQuery() throws Exception {
        try (FakeLoki loki = loki(); Afs afs = load(loki, "0s")) {
            readConcurrently(afs, 4);
            assertEquals(4, loki.received().size());
        }
    }
}
