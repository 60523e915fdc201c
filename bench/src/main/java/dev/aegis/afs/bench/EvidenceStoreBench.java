package dev.aegis.afs.bench;

import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.evidence.CallerNames;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.EvidenceReplication;
import dev.aegis.afs.core.evidence.EvidenceStore;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.evidence.store.PostgresCaptureStore;
import dev.aegis.afs.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cost of "durable before served": a {@code ?tail=50}-sized capture (50 distinct lines of
 * ~100 bytes) stored in the {@code dir} store only vs also committed in a {@code postgresql} store,
 * same run, interleaved; then M mounts (each its own evidence directory, key and pool) x R
 * reader threads capturing against one PostgreSQL: captures per second and p99 latency.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.aegis.afs.bench.EvidenceStoreBench [CAPTURES] [MOUNTS] [READERS] [SECONDS]</pre>
 */
public final class EvidenceStoreBench {

    private static final AtomicLong UNIQUE = new AtomicLong();

    public static void main(String[] args) throws Exception {
        int captures = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int mounts = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int readers = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        Path work = Files.createTempDirectory("afs-evstore-bench");
        try (PostgresServer pg = PostgresServer.start()) {
            String url = pg.createDatabase("afs");
            PostgresCaptureStore.open(url, Optional.of(PostgresServer.SUPERUSER), Optional.empty(), true).close();

            EvidenceStore dirOnly = store(work.resolve("dir"));
            EvidenceStore shared = store(work.resolve("pg"));
            List<EvidenceReplication> open = new ArrayList<>();
            open.add(replicate(shared, url));
            for (int i = 0; i < 50; i++) { // warm up both paths
                capture(dirOnly);
                capture(shared);
            }
            List<Long> dir = new ArrayList<>();
            List<Long> withPg = new ArrayList<>();
            for (int i = 0; i < captures; i++) {
                dir.add(capture(dirOnly));
                withPg.add(capture(shared));
            }
            System.out.printf("tail=50 capture, %d each, interleaved: dir median %.2f ms p99 %.2f ms;"
                            + " postgresql median %.2f ms p99 %.2f ms; median overhead %.2f ms%n",
                    captures, ms(pct(dir, 50)), ms(pct(dir, 99)), ms(pct(withPg, 50)), ms(pct(withPg, 99)),
                    ms(pct(withPg, 50) - pct(dir, 50)));

            List<EvidenceStore> stores = new ArrayList<>();
            for (int m = 0; m < mounts; m++) {
                EvidenceStore s = store(work.resolve("mount-" + m));
                open.add(replicate(s, url));
                stores.add(s);
            }
            ExecutorService pool = Executors.newFixedThreadPool(mounts * readers);
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (EvidenceStore s : stores) {
                for (int r = 0; r < readers; r++) {
                    futures.add(pool.submit(() -> {
                        List<Long> out = new ArrayList<>();
                        while (System.nanoTime() < end) {
                            out.add(capture(s));
                        }
                        return out;
                    }));
                }
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> f : futures) {
                all.addAll(f.get());
            }
            pool.shutdown();
            System.out.printf("%d mounts x %d readers, one PostgreSQL, %d s: %d captures, %.0f captures/s,"
                            + " median %.2f ms, p99 %.2f ms%n", mounts, readers, seconds, all.size(),
                    all.size() / (double) seconds, ms(pct(all, 50)), ms(pct(all, 99)));
            open.forEach(EvidenceReplication::close);
        } finally {
            try (var walk = Files.walk(work)) {
                walk.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static EvidenceStore store(Path dir) throws Exception {
        EvidenceStore s = new EvidenceStore(dir.resolve("evidence"), Duration.ofHours(72), 1 << 24, Clock.systemUTC(),
                CallerNames.system(), dir.resolve("keys/capture.key"));
        s.checkAtStart();
        return s;
    }

    private static EvidenceReplication replicate(EvidenceStore s, String url) throws Exception {
        EvidenceReplication r = new EvidenceReplication(
                PostgresCaptureStore.open(url, Optional.of(PostgresServer.SUPERUSER), Optional.empty(), false),
                s.dir().resolve(".spool"), false, 1, 1, Duration.ofSeconds(1), s::read).start();
        s.replicateTo(r);
        return r;
    }

    /** One capture of 50 distinct lines (new content each time, so no dedup hides the upload). */
    private static long capture(EvidenceStore s) throws Exception {
        long n = UNIQUE.incrementAndGet();
        SnapshotProducer producer = out -> {
            for (int i = 0; i < 50; i++) {
                out.line("2026-11-21T10:00:%02d.000Z ERROR java.lang.OutOfMemoryError: Java heap space request=%d-%d pad=%s"
                        .formatted(i, n, i, "x".repeat(20)));
            }
            return new CaptureInfo("file:bench", "tail=50", Optional.empty(), ReadStats.complete(5000, 50, Duration.ZERO));
        };
        long t0 = System.nanoTime();
        s.capture("payments.prod.logs.api.log", "/teams/payments/prod/logs/api.log?tail=50", Caller.self(), producer);
        return System.nanoTime() - t0;
    }

    private static long pct(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
