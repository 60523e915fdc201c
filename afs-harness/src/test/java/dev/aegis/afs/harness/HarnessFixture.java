package dev.aegis.afs.harness;

import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.evidence.EvidenceStore;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.evidence.CaptureKey;
import dev.aegis.afs.evidence.PinnedKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A harness on a temp data dir against the CRUD mock cluster, with a fixed clock (a Wednesday
 * noon UTC), namespaces.yaml with a few team/envs, and helpers to capture evidence and write
 * change requests.
 */
final class HarnessFixture implements AutoCloseable {

    static final Instant START = Instant.parse("2026-11-18T12:00:00Z");
    static final Caller AGENT = new Caller(1000, 1000, 1);
    static final Caller ALICE = new Caller(2001, 2001, 2);
    static final Caller BOB = new Caller(2002, 2002, 3);
    static final Caller SRE_MEMBER = new Caller(3000, 3000, 4);
    static final Caller MALLORY = new Caller(4000, 4000, 5);

    static final String NAMESPACES = """
            evidence: {dir: evidence}
            teams:
              payments:
                prod:
                  changes:
                    mode: execute
                    allow: [scale, restart, set_resources, delete_pod, undo]
                    approvers: {uids: [2001, 2002], groups: [sre]}
                    namespaces: [payments]
                staging:
                  changes:
                    allow: [scale]
                    approvers: {uids: [2001]}
                    namespaces: [payments-staging]
                frozen:
                  changes: {mode: execute, allow: [scale], namespaces: [payments], guardrails: {freeze: true}}
                windowed:
                  changes: {mode: execute, allow: [scale], namespaces: [payments], guardrails: {windows: ["Sat-Sun 00:00-01:00"]}}
                lonely:
                  changes: {mode: execute, allow: [restart], namespaces: [payments]}
            """;

    final Path dir;
    final MutableClock clock = new MutableClock(START);
    final MockCluster cluster = new MockCluster();
    final EvidenceStore evidence;
    final CaptureKey captureKey;
    EvidenceRegistry registry;
    final List<Runnable> onSleep = new ArrayList<>();
    HarnessConfig.Policy policy = HarnessConfig.Policy.defaults();
    Harness.Probe probe = Harness.Probe.NONE;
    Harness harness;

    HarnessFixture(Path dir) throws Exception {
        this.dir = dir;
        Files.writeString(dir.resolve("namespaces.yaml"), NAMESPACES);
        evidence = new EvidenceStore(dir.resolve("evidence"), Duration.ofHours(72), 1L << 30, clock);
        captureKey = evidence.checkAtStart();
        Files.createDirectories(dir.resolve("data"));
        registry = new EvidenceRegistry(dir.resolve("data/evidence.db"), PinnedKeys.of(captureKey.pinned()), clock);
    }

    /** The harness.yaml lines that pin this fixture's capture key. */
    String captureKeysYaml() {
        return "evidence: {capture_keys: [{key_id: " + captureKey.keyId() + ", public_key: " + captureKey.publicKey() + "}]}\n";
    }

    EvidenceGate gate() {
        return new EvidenceGate(evidence, registry, policy.maxEvidenceAge(), Duration.ZERO, clock);
    }

    Harness open() throws Exception {
        ChangePolicies policies = ChangePolicies.read(dir.resolve("namespaces.yaml"));
        harness = Harness.open(new Harness.Setup(dir.resolve("data"), policy, policies, gate(), cluster.client, clock,
                uid -> uid == 3000 ? Set.of("sre") : Set.of(), new HarnessMetrics(), probe, d -> {
                    clock.advance(d);
                    onSleep.forEach(Runnable::run);
                }));
        harness.resume();
        harness.awaitIdle();
        return harness;
    }

    /** Stops the harness as a restart would (the data dir stays). */
    void closeHarness() throws Exception {
        if (harness != null) {
            harness.close();
            harness = null;
        }
    }

    /** A snapshot of payments/prod, registered as the mount would register it. */
    EvidenceRecord snapshot(int lines) throws Exception {
        return snapshot("prod", lines);
    }

    /** A registered snapshot of payments/{@code env}. */
    EvidenceRecord snapshot(String env, int lines) throws Exception {
        EvidenceRecord r = unregistered("/teams/payments/" + env + "/logs/api.log", lines);
        registry.register(r.signed());
        return r;
    }

    EvidenceRecord unregistered(String source, int lines) throws Exception {
        return evidence.capture(source.substring("/teams/".length()).replace('/', '.'), source, out -> {
            for (int i = 1; i <= lines; i++) {
                out.line("2026-11-18T11:59:" + String.format("%02d", i % 60) + "Z ERROR OOMKilled api-" + i);
            }
            return new CaptureInfo("file:demo", "tail", Optional.empty(), ReadStats.complete(100, lines, Duration.ZERO));
        });
    }

    static String pointer(EvidenceRecord r, String lines) {
        return "  - {path: /mnt/afs" + r.treePath() + ", sha256: " + r.sha256() + ", lines: \"" + lines
                + "\", captured_at: " + r.capturedAt() + "}\n";
    }

    /** A change request with the given evidence and actions YAML (list items). */
    static String plan(String env, double confidence, String evidence, String actions, String extra) {
        return "incident_id: INC-1\nteam: payments\nenv: " + env + "\nhypothesis: api pods are OOMKilled under load\n"
                + "confidence: " + confidence + "\nevidence:\n" + evidence + "actions:\n" + actions + extra;
    }

    static String scale(String name, int replicas, String key) {
        return "  - {tool: scale, target: {kind: Deployment, name: " + name + "}, params: {replicas: " + replicas
                + "}, idempotency_key: " + key + "}\n";
    }

    Harness.Submission submit(String doc, Caller caller) throws Exception {
        Harness.Submission s = harness.submit(doc.getBytes(StandardCharsets.UTF_8), caller);
        harness.awaitIdle();
        return s;
    }

    StoredRequest get(String id) throws Exception {
        harness.awaitIdle();
        return harness.get(id);
    }

    int replicas(String ns, String name) {
        return cluster.get(ns, name).getSpec().getReplicas();
    }

    /** Non-dry-run writes the API server received for this object. */
    long writes(String ns, String name) {
        return cluster.dispatcher.writes.stream().filter(w -> w.contains("/namespaces/" + ns + "/") && w.contains("/" + name))
                .filter(w -> !w.startsWith("POST")).count();
    }

    static String joined(StoredRequest r) {
        return String.join("\n", r.reasons());
    }

    static Map<String, Object> none() {
        return Map.of();
    }

    @Override
    public void close() throws Exception {
        try {
            closeHarness();
        } finally {
            registry.close();
            cluster.close();
        }
    }
}
