package dev.aegis.afs.harness;

import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.access.FileNameService;
import dev.aegis.afs.core.access.AccessPolicy;
import dev.aegis.afs.core.access.Principal;
import dev.aegis.afs.core.access.UnixAccounts;
import dev.aegis.afs.core.config.Namespaces;
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
            tokens:
              bot: {sha256: 2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b}   # "secret"
            teams:
              payments:
                prod:
                  access: {read: [uid:1000, uid:2001, uid:2002, gid:3100, token:bot]}   # gid 3100: sre (the child JVM uses the real /etc/group)
                  changes:
                    mode: execute
                    allow: [scale, restart, set_resources, delete_pod, undo]
                    approvers: {uids: [2001, 2002], gids: [3100], tokens: [bot]}
                    namespaces: [payments]
                staging:
                  access: {read: [uid:1000, uid:2001]}
                  changes:
                    proposers: [uid:1000]
                    allow: [scale]
                    approvers: {uids: [2001]}
                    namespaces: [payments-staging]
                frozen:
                  access: {read: [uid:1000]}
                  changes: {mode: execute, allow: [scale], namespaces: [payments], guardrails: {freeze: true}}
                windowed:
                  access: {read: [uid:1000]}
                  changes: {mode: execute, allow: [scale], namespaces: [payments], guardrails: {windows: ["Sat-Sun 00:00-01:00"]}}
                lonely:
                  access: {read: [uid:1000]}
                  changes: {mode: execute, allow: [restart], namespaces: [payments]}
            """;

    final Path dir;
    final MutableClock clock = new MutableClock(START);
    final MockCluster cluster = new MockCluster();
    final EvidenceStore evidence;
    final UnixAccounts accounts;
    AccessPolicy access;
    final CaptureKey captureKey;
    EvidenceRegistry registry;
    final List<Runnable> onSleep = new ArrayList<>();
    HarnessConfig.Policy policy = HarnessConfig.Policy.defaults();
    Harness.Probe probe = Harness.Probe.NONE;
    Harness harness;

    /** Where the harness under test keeps its state: SQLite in data/, or a PostgreSQL database. */
    final StoreSettings store;

    HarnessFixture(Path dir) throws Exception {
        this(dir, StoreSettings.SQLITE);
    }

    HarnessFixture(Path dir, StoreSettings store) throws Exception {
        this.dir = dir;
        this.store = store;
        Files.writeString(dir.resolve("namespaces.yaml"), NAMESPACES);
        Files.writeString(dir.resolve("passwd"), """
                root:x:0:0::/root:/bin/bash
                agent:x:1000:1000::/home/agent:/bin/bash
                alice:x:2001:2001::/home/alice:/bin/bash
                bob:x:2002:2002::/home/bob:/bin/bash
                sam:x:3000:3000::/home/sam:/bin/bash
                mallory:x:4000:4000::/home/mallory:/bin/bash
                """);
        Files.writeString(dir.resolve("group"), "sre:x:3100:sam\n");
        accounts = FileNameService.accounts(dir.resolve("passwd"), dir.resolve("group"), dir.resolve("no-proc"));
        evidence = new EvidenceStore(dir.resolve("evidence"), Duration.ofHours(72), 1L << 30, clock);
        captureKey = evidence.checkAtStart();
        PrivateFiles.directory(dir.resolve("data")); // the harness refuses a data_dir others can read
        registry = store instanceof StoreSettings.Postgres pg
                ? new EvidenceRegistry(CaptureTable.postgres(PostgresDatabase.open(pg)), PinnedKeys.of(captureKey.pinned()), clock)
                : new EvidenceRegistry(dir.resolve("data/evidence.db"), PinnedKeys.of(captureKey.pinned()), clock);
    }

    /** The harness.yaml lines that pin this fixture's capture key. */
    String captureKeysYaml() {
        return "evidence: {capture_keys: [{key_id: " + captureKey.keyId() + ", public_key: " + captureKey.publicKey() + "}]}\n";
    }

    EvidenceGate gate() {
        return new EvidenceGate(new dev.aegis.afs.evidence.store.DirCaptureStore(evidence.dir()), registry,
                policy.maxEvidenceAge(), Duration.ZERO, clock);
    }

    Harness open() throws Exception {
        Namespaces ns = Namespaces.load(dir.resolve("namespaces.yaml"), Set.of("logs", "traces", "config"));
        ChangePolicies policies = ChangePolicies.of(ns);
        access = AccessPolicy.from(ns, accounts, "test-host");
        harness = Harness.open(new Harness.Setup(dir.resolve("data"), policy, policies, gate(), cluster.client, clock,
                access, new HarnessMetrics(), probe, d -> {
                    clock.advance(d);
                    onSleep.forEach(Runnable::run);
                }).withStore(store));
        harness.resume();
        harness.awaitIdle();
        return harness;
    }

    /**
     * Another harness replica on the same store (a PostgreSQL database): its own data_dir, holding
     * a copy of the shared ledger key as a deployment gives every replica, and the same policies,
     * evidence and cluster. The caller closes it.
     */
    Harness openReplica(String name) throws Exception {
        Path data = PrivateFiles.directory(dir.resolve(name));
        Files.copy(Harness.keyPath(dir.resolve("data")), Harness.keyPath(data));
        Namespaces ns = Namespaces.load(dir.resolve("namespaces.yaml"), Set.of("logs", "traces", "config"));
        return Harness.open(new Harness.Setup(data, policy, ChangePolicies.of(ns), gate(), cluster.client, clock,
                AccessPolicy.from(ns, accounts, "test-host"), new HarnessMetrics(), probe, d -> clock.advance(d)).withStore(store));
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

    /**
     * A registered read of payments/{@code env} with path terms {@code grep}, made under
     * {@code incident} (as AFS_INCIDENT tags it); the clock then moves on 30 s.
     */
    EvidenceRecord read(String env, String grep, Optional<String> incident) throws Exception {
        Caller reader = incident.map(i -> new Caller(1000, 1000, 0).withIncident(i)).orElse(new Caller(1000, 1000, 0));
        String source = "/teams/payments/" + env + "/logs/api.log" + grep;
        EvidenceRecord r = evidence.capture("payments." + env + ".logs.api.log", source, reader, out -> {
            for (int i = 1; i <= 5; i++) {
                out.line("2026-11-18T11:59:0" + i + "Z ERROR OOMKilled api-" + i);
            }
            return new CaptureInfo("file:demo", "tail", Optional.empty(), ReadStats.complete(100, 5, Duration.ofMillis(40)));
        });
        registry.register(r.signed());
        clock.advance(Duration.ofSeconds(30));
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

    /** The principal the mount would attest for {@code caller}. */
    Principal p(Caller caller) {
        if (access == null) {
            access = AccessPolicy.from(Namespaces.load(dir.resolve("namespaces.yaml"), Set.of("logs")), accounts, "test-host");
        }
        return access.unix(caller.uid(), Set.of(caller.gid()));
    }

    Harness.Submission submit(String doc, Caller caller) throws Exception {
        Harness.Submission s = harness.submit(doc.getBytes(StandardCharsets.UTF_8), p(caller));
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
