package dev.aegis.afs.e2e.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The small version of {@code bench/stress.sh}: 8 concurrent readers, 100 mixed reads each
 * (plain, tail/head/grep/since path queries, evidence reads, xattrs, listings) through a real
 * mount. Every read must succeed and a path query must give the lines it asks for. No timing.
 */
class MountStressTest {

    private static final int READERS = 8;
    private static final int READS = 100;

    @Test
    @Timeout(600)
    void concurrentMixedReadsAllSucceed() throws Exception {
        Mount.assumeFuse();
        Path work = Files.createTempDirectory("afs-stress");
        try {
            Path data = Files.createDirectories(work.resolve("data"));
            List<String> lines = new ArrayList<>();
            Instant now = Instant.now();
            for (int i = 0; i < 2000; i++) {
                lines.add(now.minusSeconds(2000 - i) + (i % 10 == 0 ? " ERROR oom n=" : " INFO ok n=") + i);
            }
            Files.write(data.resolve("api.log"), lines);
            Files.write(data.resolve("web.log"), lines.subList(0, 500));
            Files.createDirectories(work.resolve("skills"));
            Path config = work.resolve("namespaces.yaml");
            Files.writeString(config, """
                    evidence: {dir: evidence}
                    skills: skills
                    backends:
                      local: {type: file, root: data, cache_ttl: 1s}
                    teams:
                      shop:
                        prod:
                          logs:
                            api: {backend: local, path: api.log, window: none}
                            web: {backend: local, path: web.log, window: none}
                    """);
            try (Mount mount = Mount.start(work, config, Map.of())) {
                Path logs = mount.mountpoint.resolve("teams/shop/prod/logs");
                ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
                ExecutorService pool = Executors.newFixedThreadPool(READERS);
                List<Future<?>> done = new ArrayList<>();
                for (int r = 0; r < READERS; r++) {
                    int reader = r;
                    done.add(pool.submit(() -> {
                        for (int n = 0; n < READS; n++) {
                            try {
                                read(mount.mountpoint, logs, (n + reader) % 8, n);
                            } catch (Throwable e) {
                                errors.add("reader " + reader + " read " + n + ": " + e);
                            }
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get(500, TimeUnit.SECONDS);
                }
                pool.shutdown();
                assertEquals(List.of(), List.copyOf(errors), errors.size() + " of " + READERS * READS + " reads failed");
            }
        } finally {
            Mount.deleteTree(work);
        }
    }

    private static void read(Path mnt, Path logs, int op, int n) throws Exception {
        switch (op) {
            case 0 -> assertEquals(2000, Files.readAllLines(logs.resolve("api.log")).size());
            case 1 -> {
                List<String> tail = Files.readAllLines(logs.resolve("api.log?tail=" + (n % 50 + 1)));
                assertEquals(n % 50 + 1, tail.size());
                assertTrue(tail.get(tail.size() - 1).endsWith(" n=1999"), tail.toString());
            }
            case 2 -> assertEquals(5, Files.readAllLines(logs.resolve("web.log?head=5")).size());
            case 3 -> assertEquals(200, Files.readAllLines(logs.resolve("api.log?grep=ERROR")).size());
            case 4 -> assertTrue(Files.readAllLines(logs.resolve("api.log?since=10m&grep-i=oom&tail=20")).size() <= 20);
            case 5 -> {
                Path file = logs.resolve("api.log?tail=" + (n % 20 + 1));
                Files.readAllBytes(file);
                String evidence = xattr(file, "afs.evidence");
                assertEquals(n % 20 + 1, Files.readAllLines(mnt.resolve(evidence.substring(1))).size());
            }
            case 6 -> assertTrue(view(logs.resolve("web.log")).list().contains("afs.truncated"));
            default -> {
                try (var list = Files.list(mnt.resolve("evidence"))) {
                    list.count();
                }
                assertTrue(Files.readString(mnt.resolve(".afs/status")).contains("teams:"));
            }
        }
    }

    private static UserDefinedFileAttributeView view(Path file) {
        return Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
    }

    /** A user.* xattr, named without the user. prefix as Java's view does. */
    private static String xattr(Path file, String name) throws Exception {
        UserDefinedFileAttributeView view = view(file);
        ByteBuffer buffer = ByteBuffer.allocate(view.size(name));
        view.read(name, buffer);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }
}
