package dev.aegis.afs.bench;

import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.evidence.EvidenceStore;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.harness.ChangeRequest;
import dev.aegis.afs.harness.ChangeRequestParser;
import dev.aegis.afs.harness.EvidenceGate;
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
 * The evidence gate on a plan citing 10 snapshots of 1 MB each (10 MB): parse the document,
 * then check pointer, store, line range and age of each. {@code cold} re-hashes all 10 MB (a
 * new gate: first sight of these snapshots); {@code warm} is the usual case of snapshots already
 * verified, unchanged on disk (inode, size, ctime). Target: median (p0.50) under 20 ms.
 *
 * <pre>java -jar bench/target/benchmarks.jar HarnessEvidenceBenchmark -wi 2 -i 3 -f 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class HarnessEvidenceBenchmark {

    private Path dir;
    private byte[] document;
    private EvidenceGate gate;
    private EvidenceStore store;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("afs-bench-evidence");
        Clock clock = Clock.systemUTC();
        store = new EvidenceStore(dir, Duration.ofHours(72), 1L << 30, clock);
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
            EvidenceRecord r = store.capture("api-" + i + ".log", "/teams/payments/prod/logs/api.log", out -> {
                long bytes = 0;
                while (bytes < 1 << 20) {
                    out.line(line);
                    bytes += line.length() + 1;
                }
                return new CaptureInfo("file:bench", "tail", Optional.empty(), ReadStats.complete(bytes, 0, Duration.ZERO));
            });
            doc.append("  - {path: ").append(r.treePath()).append(", sha256: ").append(r.sha256())
                    .append(", lines: \"100-200\", captured_at: ").append(r.capturedAt()).append("}\n");
        }
        doc.append("actions:\n  - {tool: scale, target: {kind: Deployment, name: api}, params: {replicas: 4}, idempotency_key: k}\n");
        document = doc.toString().getBytes(StandardCharsets.UTF_8);
        gate = new EvidenceGate(store, Duration.ofHours(1), clock);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public List<String> warm() throws Exception {
        return check(gate);
    }

    @Benchmark
    public List<String> cold() throws Exception {
        return check(new EvidenceGate(store, Duration.ofHours(1), Clock.systemUTC()));
    }

    private List<String> check(EvidenceGate g) throws Exception {
        ChangeRequest cr = ChangeRequestParser.parse("bench", document);
        List<String> problems = g.check(cr.evidence());
        if (!problems.isEmpty()) {
            throw new IllegalStateException(problems.toString());
        }
        return problems;
    }
}
