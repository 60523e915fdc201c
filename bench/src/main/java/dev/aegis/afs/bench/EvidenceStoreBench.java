package dev.aegis.afs.bench;

import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.evidence.CallerNames;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.EvidenceReplication;
import dev.aegis.afs.core.evidence.EvidenceStore;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.evidence.SignedCapture;
import dev.aegis.afs.evidence.store.CaptureStore;
import dev.aegis.afs.evidence.store.PostgresCaptureStore;
import java.io.IOException;
import java.io.InputStream;
import dev.aegis.afs.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
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
            TimedStore timed = new TimedStore(
                    PostgresCaptureStore.open(url, Optional.of(PostgresServer.SUPERUSER), Optional.empty(), false));
            open.add(replicate(shared, timed));
            for (int i = 0; i < 50; i++) { // warm up both paths
                capture(dirOnly);
                capture(shared);
            }
            List<Long> dir = new ArrayList<>();
            List<Long> withPg = new ArrayList<>();
            timed.puts.clear();
            for (int i = 0; i < captures; i++) {
                dir.add(capture(dirOnly));
                withPg.add(capture(shared));
            }
            List<Long> puts = new ArrayList<>(timed.puts);
            System.out.printf("tail=50 capture, %d each, interleaved: dir median %.2f ms p99 %.2f ms;"
                            + " postgresql median %.2f ms p99 %.2f ms; median overhead %.2f ms;"
                            + " of which the store's put (pool checkout, one statement, commit) median %.2f ms p99 %.2f ms%n",
                    captures, ms(pct(dir, 50)), ms(pct(dir, 99)), ms(pct(withPg, 50)), ms(pct(withPg, 99)),
                    ms(pct(withPg, 50) - pct(dir, 50)), ms(pct(puts, 50)), ms(pct(puts, 99)));

            List<EvidenceStore> stores = new ArrayList<>();
            for (int m = 0; m < mounts; m++) {
                EvidenceStore s = store(work.resolve("mount-" + m));
                open.add(replicate(s, PostgresCaptureStore.open(url, Optional.of(PostgresServer.SUPERUSER),
                        Optional.empty(), false)));
                stores.add(s);
            }
            ExecutorService pool = Executors.newFixedThreadPool(mounts * readers, r -> {
                Thread t = new Thread(r);
                t.setDaemon(true); // a run that fails still ends
                return t;
            });
            AtomicLong failed = new AtomicLong();
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (EvidenceStore s : stores) {
                for (int r = 0; r < readers; r++) {
                    futures.add(pool.submit(() -> {
                        List<Long> out = new ArrayList<>();
                        while (System.nanoTime() < end) {
                            try {
                                out.add(capture(s));
                            } catch (dev.aegis.afs.core.AfsException e) {
                                failed.incrementAndGet(); // failed closed: the store did not take it in time
                            }
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
                            + " median %.2f ms, p99 %.2f ms; %d reads failed closed%n", mounts, readers, seconds, all.size(),
                    all.size() / (double) seconds, ms(pct(all, 50)), ms(pct(all, 99)), failed.get());
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

    private static EvidenceReplication replicate(EvidenceStore s, CaptureStore store) throws Exception {
        EvidenceReplication r = new EvidenceReplication(store,
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

    /** The store, timing each put: how much of the overhead is the database's. */
    private static final class TimedStore implements CaptureStore {
        final List<Long> puts = Collections.synchronizedList(new ArrayList<>());
        private final CaptureStore store;

        TimedStore(CaptureStore store) {
            this.store = store;
        }

        @Override
        public String describe() {
            return store.describe();
        }

        @Override
        public void put(SignedCapture capture, Path content, Map<String, String> stats) throws IOException {
            long t0 = System.nanoTime();
            store.put(capture, content, stats);
            puts.add(System.nanoTime() - t0);
        }

        @Override
        public Optional<SignedCapture> record(String id) throws IOException {
            return store.record(id);
        }

        @Override
        public InputStream content(String team, String env, String sha256) throws IOException {
            return store.content(team, env, sha256);
        }

        @Override
        public List<String> ids() throws IOException {
            return store.ids();
        }

        @Override
        public void close() {
            store.close();
        }
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
