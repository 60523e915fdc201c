package dev.aegis.afs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.harness.HarnessDaemon;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole incident flow through a real mount: read evidence, write a plan to
 * /change_requests, see it wait for two approvals, refuse self-approval and a repeated
 * approver, approve as two other uids (switched with setpriv), watch it execute against a
 * Kubernetes API (fabric8's mock server), verify the ledger, and fail closed when the harness
 * is down.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ChangeRequestFlowTest {

    private static Path repo;
    private static Path work;
    private static Path mountpoint;
    private static Process daemon;
    private static ApiServer cluster;
    private static HarnessDaemon harness;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is absent");
        assumeTrue(Files.exists(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is absent");
        repo = Path.of(System.getProperty("afs.repo", "..")).toRealPath();
        work = Files.createTempDirectory("afs-cr");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x")); // other uids traverse it
        Files.createDirectories(work.resolve("logs"));
        Files.writeString(work.resolve("logs/api.log"), """
                2026-11-21T10:00:00.000Z INFO request ok
                2026-11-21T10:00:01.000Z ERROR java.lang.OutOfMemoryError: Java heap space
                2026-11-21T10:00:02.000Z ERROR java.lang.OutOfMemoryError: Java heap space
                """);

        cluster = ApiServer.start("afs-e2e-test");
        cluster.deployment("payments", "api", 2, Map.of());

        int port = InProcessHarness.freePort();
        Files.writeString(work.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                harness: {url: "http://127.0.0.1:%d", token_file: data/client.token}
                backends:
                  local: {type: file, root: logs, cache_ttl: 0s}
                teams:
                  payments:
                    prod:
                      access: {read: ["*"]}
                      changes:
                        mode: execute
                        allow: [scale]
                        approvers: {uids: [1001, 1002]}
                        min_approvals: 2
                      logs:
                        api: {backend: local, path: api.log}
                """.formatted(port));
        harness = InProcessHarness.start(repo, work, port, cluster.masterUrl());

        mountpoint = work.resolve("mnt");
        daemon = new ProcessBuilder(repo.resolve("bin/afs").toString(), "mount", "-f", "--config",
                work.resolve("namespaces.yaml").toString(), mountpoint.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("daemon.log").toFile()).start();
        for (int i = 0; !mounted(); i++) {
            if (!daemon.isAlive() || i > 1200) {
                fail("the daemon did not mount:\n" + Files.readString(work.resolve("daemon.log")));
            }
            Thread.sleep(50);
        }
    }

    /**
     * The mount host's capture key as harness.yaml pins it: {@code afs evidence key} creates the
     * key the mount will sign with and prints it, as an operator would before starting the harness.
     */
    static String pinnedCaptureKey(Path repo, Path work) throws IOException {
        Shell.Result key = Shell.run(work, List.of(repo.resolve("bin/afs").toString(), "evidence", "key", "--config",
                work.resolve("namespaces.yaml").toString()));
        assertEquals(0, key.exit(), key.toString());
        return "evidence:\n  capture_keys:\n  " + key.out().strip() + "\n";
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (mountpoint != null && mounted()) {
                Shell.run(work, List.of("umount", "-l", mountpoint.toString()));
            }
            if (daemon != null && !daemon.waitFor(20, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            if (harness != null) {
                harness.stop();
            }
            if (cluster != null) {
                cluster.close();
            }
            if (work != null) {
                try (Stream<Path> walk = Files.walk(work)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    private static boolean mounted() throws IOException {
        String abs = mountpoint.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .map(l -> l.split(" ")).anyMatch(f -> f[1].equals(abs) && f[2].equals("fuse.afs"));
    }

    private static Shell.Result as(int uid, String script) throws IOException {
        return Shell.run(mountpoint, List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                "bash", "-c", script));
    }

    private static String status(String id) throws Exception {
        return Files.readString(mountpoint.resolve("change_requests").resolve(id + ".status"));
    }

    private static String awaitState(String id, String state) throws Exception {
        String s = "";
        for (int i = 0; i < 200 && !s.contains("  " + state + "  "); i++) {
            s = status(id);
            Thread.sleep(100);
        }
        assertTrue(s.contains("  " + state + "  "), s);
        return s;
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void planWaitsForTwoOtherApproversThenExecutesAndIsLedgered() throws Exception {
        // 1. read evidence through the mount
        String read = "teams/payments/prod/logs/api.log?grep=OutOfMemory";
        Shell.Result cat = Shell.bash(mountpoint, "cat '" + read + "'");
        assertEquals(2, cat.out().lines().count(), cat.toString());
        String evidence = Shell.bash(mountpoint, "getfattr --only-values -n user.afs.evidence '" + read + "'").out();
        String sha = Shell.bash(mountpoint, "getfattr --only-values -n user.afs.sha256 '." + evidence + "'").out();
        String at = Shell.bash(mountpoint, "getfattr --only-values -n user.afs.captured_at '." + evidence + "'").out();
        assertEquals(64, sha.length(), sha);

        // 2. write the plan as the agent (root here)
        String plan = """
                incident_id: INC-7
                team: payments
                env: prod
                hypothesis: api runs out of heap under load; more replicas spread it
                confidence: 0.9
                evidence:
                  - {path: %s, sha256: %s, lines: "1-2", captured_at: "%s"}
                actions:
                  - {tool: scale, target: {kind: Deployment, name: api}, params: {replicas: 4}, idempotency_key: inc-7-scale}
                rollback: before_state
                """.formatted(mountpoint + evidence, sha, at);
        Files.writeString(work.resolve("plan.yaml"), plan);
        Shell.Result write = Shell.bash(mountpoint, "cat " + work.resolve("plan.yaml") + " > change_requests/inc-7.yaml");
        assertEquals(0, write.exit(), write + "\n/.afs/errors:\n" + Shell.bash(mountpoint, "cat .afs/errors").out());
        String pending = awaitState("inc-7", "PENDING_APPROVAL");
        assertEquals(2, cluster.replicas("payments", "api"));
        // the status explains every gate: the evidence re-hashed (and when), the guardrails by name, why two approvals
        assertTrue(pending.contains("gates (at submit, "), pending);
        assertTrue(pending.contains("  evidence    PASSED\n      evidence[0] " + evidence + " sha256 " + sha + " verified at "), pending);
        assertTrue(pending.contains("  allowlist   PASSED\n      actions[0] scale is allowed (teams.payments.prod.changes.allow: [scale])"), pending);
        assertTrue(pending.contains("  guardrails  PASSED\n      actions[0] passed replicas_within_factor, restart_fraction, "
                + "memory_within_factor, change_window, freeze"), pending);
        assertTrue(pending.contains("  budget      PASSED\n      incident INC-7 used 0 of 10 actions"), pending);
        assertTrue(pending.contains("approvals: 0 of 2\n"), pending);
        assertTrue(pending.contains("why: 2 approvals (two-person rule) because the team/env's changes.min_approvals is 2"), pending);
        assertTrue(pending.contains("action 0: scale payments/Deployment/api  PLANNED"), pending);

        // 3. the submitter cannot approve; an approver cannot approve twice
        Shell.Result self = Shell.bash(mountpoint, "echo yes > approvals/inc-7/approve");
        assertNotEquals(0, self.exit(), self.toString());
        assertTrue(self.err().contains("Permission denied"), self.toString());
        assertEquals(0, as(1001, "echo yes > approvals/inc-7/approve").exit());
        Shell.Result twice = as(1001, "echo yes > approvals/inc-7/approve");
        assertNotEquals(0, twice.exit(), twice.toString());
        Shell.Result stranger = as(1003, "echo yes > approvals/inc-7/approve");
        assertNotEquals(0, stranger.exit(), stranger.toString());
        assertTrue(awaitState("inc-7", "PENDING_APPROVAL").contains("approvals: 1 of 2  " + principalOf(1001) + " at "), status("inc-7"));

        // 4. a second, different approver: it runs
        assertEquals(0, as(1002, "echo yes > approvals/inc-7/approve").exit());
        String done = awaitState("inc-7", "SUCCEEDED");
        assertEquals(4, cluster.replicas("payments", "api"), done);

        // 5. the ledger is readable in the mount and verifies
        String ledger = Files.readString(mountpoint.resolve("ledger/ledger.jsonl"));
        assertTrue(ledger.contains("\"approve\""), ledger);
        Shell.Result verify = Shell.run(work, List.of(repo.resolve("bin/afs").toString(), "ledger", "verify",
                "--ledger", work.resolve("data/ledger.jsonl").toString(),
                "--public-key", dev.aegis.afs.harness.Harness.ledgerPublicKey(work.resolve("data"))));
        assertEquals(0, verify.exit(), verify.toString());
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void aRejectedPlansStatusNamesTheFailedGateApartFromTheConfidenceNote() throws Exception {
        String read = "teams/payments/prod/logs/api.log?grep=INFO";
        Shell.bash(mountpoint, "cat '" + read + "' > /dev/null");
        String evidence = Shell.bash(mountpoint, "getfattr --only-values -n user.afs.evidence '" + read + "'").out();
        String sha = Shell.bash(mountpoint, "getfattr --only-values -n user.afs.sha256 '." + evidence + "'").out();
        Files.writeString(work.resolve("plan9.yaml"), """
                incident_id: INC-9
                team: payments
                env: prod
                hypothesis: a restart clears it
                confidence: 0.3
                evidence:
                  - {path: %s, sha256: %s, lines: "1-1"}
                actions:
                  - {tool: restart, target: {kind: Deployment, name: api}, idempotency_key: inc-9-restart}
                """.formatted(evidence, sha));
        Shell.Result write = Shell.bash(mountpoint, "cat " + work.resolve("plan9.yaml") + " > change_requests/inc-9.yaml");
        assertEquals(0, write.exit(), write + "\n" + Shell.bash(mountpoint, "cat .afs/errors").out());
        String s = awaitState("inc-9", "REJECTED");
        assertTrue(s.contains("  evidence    PASSED\n      evidence[0] " + evidence + " sha256 " + sha + " verified at "), s);
        assertTrue(s.contains("  allowlist   FAILED\n      actions[0].tool: restart is not allowed for payments/prod"), s);
        assertTrue(s.contains("  confidence  NOTE\n      confidence: 0.3 is below 0.7; a human must approve"), s);
        assertTrue(s.contains("action 0: restart payments/Deployment/api  NOT_RUN"), s);
        String rejected = s.substring(s.indexOf("rejected because:\n"));
        assertTrue(rejected.contains("- policy: actions[0].tool: restart is not allowed"), rejected);
        assertTrue(!rejected.contains("confidence"), "the confidence note is no rejection reason:\n" + s);
    }

    /**
     * INC-7's evidence bundle, after a read tagged with AFS_INCIDENT on the mount and the plan of
     * test 1 (approved, executed): exported through the CLI, verified by the CLI in a clean
     * directory that holds only the bundle and the keys pinned there, and failing after a byte
     * of it changes.
     */
    @Test
    @org.junit.jupiter.api.Order(3)
    void theIncidentsBundleVerifiesOnACleanDirectoryAndFailsAfterAByteChanges() throws Exception {
        String read = "teams/payments/prod/logs/api.log?grep=request";
        Shell.Result tagged = Shell.bash(mountpoint, "AFS_INCIDENT=INC-7 cat '" + read + "'");
        assertEquals(0, tagged.exit(), tagged.toString());
        String evidence = Shell.bash(mountpoint, "getfattr --only-values -n user.afs.evidence '" + read + "'").out();
        assertEquals("INC-7", Shell.bash(mountpoint, "getfattr --only-values -n user.afs.incident '." + evidence + "'").out());

        Path clean = Files.createTempDirectory(work, "auditor");
        Path bundle = clean.resolve("inc-7.tar.gz");
        String afs = repo.resolve("bin/afs").toString();
        String manifest = "";
        for (int i = 0; i < 50 && !manifest.contains(evidence.substring(1 + "evidence/".length())); i++) {
            Files.deleteIfExists(bundle); // the mount registers its captures asynchronously: wait for the tagged read
            Shell.Result export = Shell.run(work, List.of(afs, "incident", "export", "INC-7", "-o", bundle.toString(),
                    "--harness-url", harness.url(), "--harness-token-file", harness.tokenFile().toString()));
            assertEquals(0, export.exit(), export.toString());
            manifest = Shell.bash(clean, "tar -xzOf inc-7.tar.gz afs-incident-INC-7/manifest.json").out();
            Thread.sleep(100);
        }
        assertTrue(manifest.contains("\"tagged\" : true"), manifest);
        assertTrue(manifest.contains("\"cited_by\" : [ \"inc-7\" ]"), manifest);

        // the auditor pins the keys they got from the operators, not from the bundle
        String captureKey = pinnedCaptureKey(repo, work).lines().filter(l -> l.contains("key_id")).findFirst().orElseThrow();
        Files.writeString(clean.resolve("pinned.yaml"), "ledger: {public_key: "
                + dev.aegis.afs.harness.Harness.ledgerPublicKey(work.resolve("data")) + "}\nevidence:\n  capture_keys:\n"
                + captureKey + "\n");
        Shell.Result ok = Shell.run(clean, List.of(afs, "incident", "verify", "inc-7.tar.gz", "--keys", "pinned.yaml"));
        assertEquals(0, ok.exit(), ok.toString());
        assertTrue(ok.out().startsWith("bundle inc-7.tar.gz: verified\n  incident INC-7, exported "), ok.out());
        assertTrue(ok.out().contains("2 snapshot(s): content hashes match their records, capture signatures verify"), ok.out());
        assertTrue(ok.out().contains("1 change request(s): plans match the sha256 the ledger recorded; their 1 citation(s) are"
                + " snapshots in the bundle"), ok.out());
        assertTrue(ok.out().contains("hashes, signatures and links intact"), ok.out());

        // one byte changed in the middle of the archive: the CLI names the problem and exits 1
        byte[] original = Files.readAllBytes(bundle);
        byte[] changed = original.clone();
        changed[original.length / 2] ^= 0x01;
        Files.write(clean.resolve("changed.tar.gz"), changed);
        Shell.Result bad = Shell.run(clean, List.of(afs, "incident", "verify", "changed.tar.gz", "--keys", "pinned.yaml"));
        assertEquals(1, bad.exit(), bad.toString());
        assertTrue(bad.out().startsWith("bundle changed.tar.gz: NOT verified: "), bad.toString());

        // and any byte, in process (a JVM per byte would take an hour): it fails, or no file of the bundle changed at all
        java.util.Map<String, byte[]> exported = unpacked(bundle, clean);
        dev.aegis.afs.harness.bundle.PinnedBundleKeys keys = dev.aegis.afs.harness.bundle.PinnedBundleKeys.read(clean.resolve("pinned.yaml"));
        Path probe = clean.resolve("probe.tar.gz");
        int failed = 0;
        int tried = 0;
        for (int i = 0; i < original.length; i += Math.max(1, original.length / 400)) {
            byte[] b = original.clone();
            b[i] ^= 0x01;
            Files.write(probe, b);
            tried++;
            boolean verified;
            try (var a = dev.aegis.afs.harness.bundle.BundleArchive.open(probe, clean,
                    dev.aegis.afs.harness.bundle.BundleArchive.Limits.DEFAULT)) {
                verified = dev.aegis.afs.harness.bundle.BundleVerifier.verify(a, keys).ok();
            } catch (dev.aegis.afs.harness.bundle.BundleArchive.Refused e) {
                verified = false;
            }
            if (verified) {
                java.util.Map<String, byte[]> now = unpacked(probe, clean);
                int at = i;
                assertEquals(exported.keySet(), now.keySet(), "byte " + at + " changed the bundle's files, yet it verified");
                exported.forEach((k, v) -> assertTrue(java.util.Arrays.equals(v, now.get(k)), "byte " + at + " changed " + k
                        + ", yet it verified"));
            } else {
                failed++;
            }
        }
        assertTrue(failed > tried * 9 / 10, failed + " of " + tried + " changes failed");
    }

    /** The bundle's files as an auditor's tar would unpack them (GNU tar, not our reader). */
    private static java.util.Map<String, byte[]> unpacked(Path bundle, Path scratch) throws Exception {
        Path into = Files.createTempDirectory(scratch, "x");
        Shell.Result x = Shell.run(into, List.of("tar", "-xzf", bundle.toString()));
        java.util.Map<String, byte[]> out = new java.util.TreeMap<>();
        if (x.exit() == 0) {
            try (Stream<Path> walk = Files.walk(into)) {
                for (Path p : walk.filter(Files::isRegularFile).toList()) {
                    out.put(into.relativize(p).toString(), Files.readAllBytes(p));
                }
            }
        }
        return out;
    }

    @Test
    @org.junit.jupiter.api.Order(4)
    void oversizedPlanIsRefusedAtWrite() throws Exception {
        Shell.Result big = Shell.bash(mountpoint, "head -c 300000 /dev/zero | tr '\\0' a > change_requests/big.yaml");
        assertNotEquals(0, big.exit(), big.toString());
        assertTrue(big.err().contains("File too large"), big.toString());
        assertTrue(!Shell.bash(mountpoint, "ls change_requests").out().contains("big"), "nothing was submitted");
    }

    @Test
    @org.junit.jupiter.api.Order(5)
    void harnessDownFailsClosedAtCreate() throws Exception {
        harness.stop();
        harness = null;
        Shell.Result write = Shell.bash(mountpoint, "echo 'incident_id: X' > change_requests/inc-8.yaml");
        assertNotEquals(0, write.exit(), write.toString());
        assertTrue(write.err().contains("Input/output error"), write.toString());
        String errors = Shell.bash(mountpoint, "cat .afs/errors").out();
        assertTrue(errors.contains("unreachable") && errors.contains("nothing was changed"), errors);
    }

    /** How the harness names a uid: {@code user:<name>} where NSS knows an account for it (another suite may have made one), else {@code uid:<n>}. */
    private static String principalOf(int uid) throws Exception {
        Process id = new ProcessBuilder("id", "-nu", Integer.toString(uid)).redirectErrorStream(true).start();
        String out = new String(id.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        return id.waitFor() == 0 ? "user:" + out : "uid:" + uid;
    }
}
