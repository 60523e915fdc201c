package dev.aegis.afs.bench;

import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.evidence.EvidenceStore;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.harness.ChangeRequest;
import dev.aegis.afs.harness.ChangeRequestParser;
import dev.aegis.afs.evidence.PinnedKeys;
import dev.aegis.afs.harness.EvidenceGate;
import dev.aegis.afs.harness.EvidenceRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The evidence gate on a plan citing 10 signed, registered snapshots of 1 MB each (10 MB).
 * {@code validateAndRecheck} is what one change request costs: parse the document, run the gate
 * at submit, then again right before execution. Each run looks every pointer up in the
 * registry, checks the registered record's signature under the pinned key, re-hashes all the
 * content (no cache: root can reset mtime/ctime) and compares the record on disk.
 * {@code check} is one of the two. Target: median (p0.50) of validateAndRecheck under 20 ms,
 * warm JVM (JMH warm-up iterations; the first hash in a cold JVM is far slower).
 *
 * <pre>java -jar bench/target/benchmarks.jar HarnessEvidenceBenchmark -wi 3 -i 5 -f 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class HarnessEvidenceBenchmark {

    private Path dir;
    private byte[] document;
    private EvidenceGate gate;
    private EvidenceStore store;
    private EvidenceRegistry registry;
    private final java.util.List<EvidenceRecord> records = new java.util.ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("afs-bench-evidence");
        Clock clock = Clock.systemUTC();
        store = new EvidenceStore(dir.resolve("evidence"), Duration.ofHours(72), 1L << 30, clock);
        registry = new EvidenceRegistry(dir.resolve("evidence.db"), PinnedKeys.of(store.checkAtStart().pinned()), clock);
        StringBuilder doc = new StringBuilder("""
                incident_id: INC-1
                team: payments
                env: prod
                hypothesis: api pods are OOMKilled
                confidence: 0.9
                evidence:
                """);
        String line = "2026-11-21T12:00:00.000Z level=error msg=\"OOMKilled\" pod=api-7d9f container=app " + "x".repeat(40);
        for (int i = 0; i < 10; i++) {
            int n = i;
            EvidenceRecord r = store.capture("api-" + i + ".log", "/teams/payments/prod/logs/api.log", out -> {
                out.line("snapshot " + n); // distinct content: no two pointers share a blob
                long bytes = 0;
                while (bytes < 1 << 20) {
                    out.line(line);
                    bytes += line.length() + 1;
                }
                return new CaptureInfo("file:bench", "tail", Optional.empty(), ReadStats.complete(bytes, 0, Duration.ZERO));
            });
            registry.register(r.signed());
            records.add(r);
            doc.append("  - {path: ").append(r.treePath()).append(", sha256: ").append(r.sha256())
                    .append(", lines: \"100-200\", captured_at: ").append(r.capturedAt()).append("}\n");
        }
        doc.append("actions:\n  - {tool: scale, target: {kind: Deployment, name: api}, params: {replicas: 4}, idempotency_key: k}\n");
        document = doc.toString().getBytes(StandardCharsets.UTF_8);
        gate = new EvidenceGate(new dev.aegis.afs.evidence.store.DirCaptureStore(store.dir()), registry, Duration.ofHours(1), Duration.ZERO, clock);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        registry.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public List<String> validateAndRecheck() throws Exception {
        ChangeRequest cr = ChangeRequestParser.parse("bench", document);
        ok(gate.check(cr.team(), cr.env(), cr.evidence())); // at submit
        return ok(gate.check(cr.team(), cr.env(), cr.evidence())); // right before execution
    }

    @Benchmark
    public List<String> check() throws Exception {
        ChangeRequest cr = ChangeRequestParser.parse("bench", document);
        return ok(gate.check(cr.team(), cr.env(), cr.evidence()));
    }

    /** The floor: re-hashing the same 10 MB twice, nothing else (what the gate cannot avoid). */
    @Benchmark
    public long hashTwiceOnly() throws Exception {
        long n = 0;
        for (int round = 0; round < 2; round++) {
            for (EvidenceRecord r : records) {
                n += dev.aegis.afs.evidence.ContentHash.sha256(r.file()).length();
            }
        }
        return n;
    }

    private static List<String> ok(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalStateException(problems.toString());
        }
        return problems;
    }
}
