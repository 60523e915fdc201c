package dev.aegis.afs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.evidence.CaptureKey;
import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.ContentHash;
import dev.aegis.afs.evidence.SignedCapture;
import dev.aegis.afs.harness.HarnessConfig;
import dev.aegis.afs.harness.HarnessDaemon;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Evidence as an attacker would try it, on a real mount with a real harness and several uids:
 * a snapshot forged as root (re-hashed, rewritten record, even re-signed with the mount's own
 * key), evidence from another env, a snapshot altered after registration, a non-root user
 * reading the evidence directory, the capture key and the daemon log from the host; and what a
 * user sees: content stored once, attributed snapshots, a retention sweep that keeps what an
 * open change request cites. Where a plan is involved, no write reaches the Kubernetes API.
 */
class EvidenceTrustTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path repo;
    private static Path work;
    private static Path mountpoint;
    private static Process daemon;
    private static KubernetesMockServer cluster;
    private static KubernetesClient client;
    private static HarnessDaemon harness;
    private static int plans;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is absent");
        assumeTrue(Files.exists(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is absent");
        repo = Path.of(System.getProperty("afs.repo", "..")).toRealPath();
        work = Files.createTempDirectory("afs-ev");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x")); // other uids traverse it
        Files.createDirectories(work.resolve("logs"));
        Files.writeString(work.resolve("logs/api.log"), """
                2026-11-21T10:00:00.000Z INFO request ok
                2026-11-21T10:00:01.000Z ERROR java.lang.OutOfMemoryError: Java heap space
                2026-11-21T10:00:02.000Z ERROR java.lang.OutOfMemoryError: Java heap space
                """);
        Files.writeString(work.resolve("logs/staging.log"), """
                2026-11-21T10:00:01.000Z ERROR java.lang.OutOfMemoryError: staging heap
                """);

        cluster = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        cluster.init(InetAddress.getLoopbackAddress(), 0);
        client = cluster.createClient();
        Deployment api = new DeploymentBuilder()
                .withNewMetadata().withName("api").withNamespace("payments").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(Map.of("app", "api")).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "api")).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec()
                .endTemplate().endSpec()
                .withNewStatus().withReplicas(2).withReadyReplicas(2).endStatus().build();
        client.apps().deployments().inNamespace("payments").resource(api).create();

        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(work.resolve("namespaces.yaml"), """
                evidence: {dir: evidence, retention: 25s, sweep_interval: 1s}
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
                    staging:
                      access: {read: ["*"]}
                      logs:
                        api: {backend: local, path: staging.log}
                """.formatted(port));
        Files.writeString(work.resolve("harness.yaml"), """
                listen: 127.0.0.1:%d
                data_dir: data
                namespaces: namespaces.yaml
                kubernetes: {master_url: "%s"}
                """.formatted(port, client.getMasterUrl()) + ChangeRequestFlowTest.pinnedCaptureKey(repo, work));
        harness = HarnessDaemon.start(HarnessConfig.read(work.resolve("harness.yaml")));

        mountpoint = work.resolve("mnt");
        daemon = new ProcessBuilder(repo.resolve("bin/afs").toString(), "mount", "-f", "--config",
                work.resolve("namespaces.yaml").toString(), mountpoint.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("daemon.log").toFile()).start();
        for (int i = 0; !mounted(mountpoint); i++) {
            if (!daemon.isAlive() || i > 1200) {
                fail("the daemon did not mount:\n" + Files.readString(work.resolve("daemon.log")));
            }
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (mountpoint != null && mounted(mountpoint)) {
                Shell.run(work, List.of("umount", "-l", mountpoint.toString()));
            }
            if (daemon != null && !daemon.waitFor(20, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            if (harness != null) {
                harness.stop();
            }
            if (client != null) {
                client.close();
            }
            if (cluster != null) {
                cluster.destroy();
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

    private static boolean mounted(Path mp) throws IOException {
        String abs = mp.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .map(l -> l.split(" ")).anyMatch(f -> f[1].equals(abs) && f[2].equals("fuse.afs"));
    }

    private static Shell.Result sh(String script) throws IOException {
        return Shell.bash(mountpoint, script);
    }

    private static Shell.Result as(int uid, Path dir, String script) throws IOException {
        return Shell.run(dir, List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                "bash", "-c", script));
    }

    /** A snapshot read through the mount: its /evidence path, sha256 and captured_at. */
    private record Snapshot(String path, String sha256, String capturedAt) {
        String id() {
            return path.substring("/evidence/".length());
        }

        Path onDisk() {
            return work.resolve("evidence").resolve(id());
        }
    }

    private static Snapshot read(String treePath) throws IOException {
        Shell.Result cat = sh("cat '" + treePath + "' > /dev/null");
        assertEquals(0, cat.exit(), cat.toString());
        String evidence = sh("getfattr --only-values -n user.afs.evidence '" + treePath + "'").out();
        assertTrue(evidence.startsWith("/evidence/"), evidence);
        return new Snapshot(evidence, sh("getfattr --only-values -n user.afs.sha256 '." + evidence + "'").out(),
                sh("getfattr --only-values -n user.afs.captured_at '." + evidence + "'").out());
    }

    /** Writes a plan for payments/prod citing {@code path} with {@code sha}; returns its .status text once decided. */
    private static String submit(String path, String sha, String lines) throws Exception {
        String id = "ev-" + (++plans);
        String plan = """
                incident_id: INC-EV-%d
                team: payments
                env: prod
                hypothesis: api runs out of heap under load; more replicas spread it
                confidence: 0.9
                evidence:
                  - {path: %s, sha256: %s, lines: "%s"}
                actions:
                  - {tool: scale, target: {kind: Deployment, name: api}, params: {replicas: 4}, idempotency_key: %s}
                rollback: before_state
                """.formatted(plans, mountpoint + path, sha, lines, id);
        Files.writeString(work.resolve(id + ".yaml"), plan);
        Shell.Result write = sh("cat " + work.resolve(id + ".yaml") + " > change_requests/" + id + ".yaml");
        assertEquals(0, write.exit(), write + "\n" + sh("cat .afs/errors").out());
        String s = "";
        for (int i = 0; i < 200 && !(s.contains("  REJECTED  ") || s.contains("  PENDING_APPROVAL  ")); i++) {
            Thread.sleep(50);
            s = Files.readString(mountpoint.resolve("change_requests").resolve(id + ".status"));
        }
        return s;
    }

    /** Requests the Kubernetes API received since the last call, as "METHOD path". */
    private static List<String> kubernetesRequests() throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (RecordedRequest r; (r = cluster.takeRequest(10, TimeUnit.MILLISECONDS)) != null; ) {
            out.add(r.getMethod() + " " + r.getPath());
        }
        return out;
    }

    private static void assertNothingWrittenToKubernetes() throws InterruptedException {
        List<String> writes = kubernetesRequests().stream().filter(r -> !r.startsWith("GET ")).toList();
        assertEquals(List.of(), writes, "nothing may be written to the Kubernetes API");
        assertEquals(2, client.apps().deployments().inNamespace("payments").withName("api").get().getSpec().getReplicas());
        kubernetesRequests(); // the GET just made
    }

    /** Root on the mount host rewrites the content and its record; {@code key} re-signs it (null: keep the old signature). */
    private static SignedCapture forge(Snapshot s, String content, CaptureKey key) throws Exception {
        Path file = s.onDisk();
        Path sidecar = file.resolveSibling("." + file.getFileName() + ".json");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(file, content);
        String sha = ContentHash.sha256(file);
        ObjectNode json = (ObjectNode) JSON.readTree(Files.readAllBytes(sidecar));
        CaptureRecord o = SignedCapture.fromJson(json).record();
        CaptureRecord forged = new CaptureRecord(o.v(), o.id(), sha, content.length(), content.lines().count(),
                o.capturedAt(), o.team(), o.env(), o.source(), o.query(), o.backend(), o.truncated(), o.caller(), o.keyId());
        SignedCapture signed = key == null ? new SignedCapture(forged, json.path("signature").asText()) : key.sign(forged);
        ObjectNode out = signed.toJson();
        out.set("stats", json.path("stats"));
        Files.setPosixFilePermissions(sidecar, PosixFilePermissions.fromString("rw-------"));
        Files.write(sidecar, JSON.writeValueAsBytes(out));
        return signed;
    }

    @Test
    void forgedRehashedSnapshotIsRefusedByVerifyAndByTheHarness() throws Exception {
        Snapshot s = read("teams/payments/prod/logs/api.log?grep=OutOfMemory");
        kubernetesRequests();
        String forged = "2026-11-21T10:00:01.000Z INFO all good\n2026-11-21T10:00:02.000Z INFO all good\n";

        // rewritten with a new hash and new metadata, the old signature kept: afs evidence verify refuses it
        SignedCapture unsigned = forge(s, forged, null);
        Shell.Result verify = Shell.run(work, List.of(repo.resolve("bin/afs").toString(), "evidence", "verify", "--config",
                work.resolve("namespaces.yaml").toString(), mountpoint + s.path()));
        assertEquals(1, verify.exit(), verify.toString());
        assertTrue(verify.out().contains("FAILED " + s.id() + ": the signature does not verify under capture key")
                && verify.out().contains("forged or changed after it was signed"), verify.toString());
        String harnessSays = submit(s.path(), unsigned.record().sha256(), "1-2");
        assertTrue(harnessSays.contains("  REJECTED  "), harnessSays);
        assertTrue(harnessSays.contains("differs from the sha256 " + s.sha256() + " registered at")
                && harnessSays.contains("re-hashed or forged"), harnessSays);

        // root re-signs it with the mount's own key: the local check cannot tell, the harness still refuses
        CaptureKey key = CaptureKey.loadOrCreate(work.resolve("keys/capture.key"), new SecureRandom());
        SignedCapture resigned = forge(s, forged, key);
        harnessSays = submit(s.path(), resigned.record().sha256(), "1-2");
        assertTrue(harnessSays.contains("  REJECTED  ") && harnessSays.contains("re-hashed or forged"), harnessSays);

        // a forged snapshot under a new name, signed with the real key, was never registered
        String newId = s.id().replace(s.sha256().substring(0, 12), resigned.record().sha256().substring(0, 12));
        Path copy = work.resolve("evidence").resolve(newId);
        Files.writeString(copy, forged);
        CaptureRecord r = resigned.record();
        SignedCapture renamed = key.sign(new CaptureRecord(r.v(), newId, r.sha256(), r.size(), r.lines(), r.capturedAt(),
                r.team(), r.env(), r.source(), r.query(), r.backend(), r.truncated(), r.caller(), r.keyId()));
        ObjectNode side = renamed.toJson();
        side.putObject("stats");
        Files.write(copy.resolveSibling("." + copy.getFileName() + ".json"), JSON.writeValueAsBytes(side));
        harnessSays = submit("/evidence/" + newId, r.sha256(), "1-2");
        assertTrue(harnessSays.contains("  REJECTED  ") && harnessSays.contains("not registered with the harness")
                && harnessSays.contains("forged or re-signed"), harnessSays);
        assertNothingWrittenToKubernetes();
    }

    @Test
    void evidenceFromAnotherEnvIsRefused() throws Exception {
        Snapshot staging = read("teams/payments/staging/logs/api.log");
        kubernetesRequests();
        String status = submit(staging.path(), staging.sha256(), "1-1");
        assertTrue(status.contains("  REJECTED  "), status);
        assertTrue(status.contains("captured from payments/staging, not payments/prod"), status);
        assertNothingWrittenToKubernetes();
    }

    @Test
    void snapshotAlteredOnDiskAfterRegistrationIsRefused() throws Exception {
        Snapshot s = read("teams/payments/prod/logs/api.log?tail=2");
        kubernetesRequests();
        Files.setPosixFilePermissions(s.onDisk(), PosixFilePermissions.fromString("rw-------"));
        String text = Files.readString(s.onDisk());
        Files.writeString(s.onDisk(), text.replace("OutOfMemoryError", "OutOfMemoryErrxr"));
        String status = submit(s.path(), s.sha256(), "1-2");
        assertTrue(status.contains("  REJECTED  ") && status.contains("the snapshot was changed on disk after it was registered"),
                status);
        assertNothingWrittenToKubernetes();
    }

    @Test
    void aNonRootUserCannotReadEvidenceKeysOrLogsFromTheHostYetCanUseAfsSh() throws Exception {
        Snapshot s = read("teams/payments/prod/logs/api.log?tail=1");
        Path evidence = work.resolve("evidence");
        Shell.Result ls = as(1001, work, "ls " + evidence);
        assertNotEquals(0, ls.exit(), ls.toString());
        assertTrue(ls.err().contains("Permission denied"), ls.toString());
        for (Path secret : List.of(s.onDisk(), work.resolve("keys/capture.key"))) {
            Shell.Result cat = as(1001, work, "cat " + secret);
            assertNotEquals(0, cat.exit(), secret + ": " + cat);
            assertTrue(cat.err().contains("Permission denied"), cat.toString());
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(evidence)));
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s.onDisk())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(work.resolve("keys/capture.key"))));

        // the background daemon's log: created 0600, unreadable to others
        Path second = Files.createDirectories(work.resolve("mnt2"));
        Shell.Result mount = Shell.run(work, List.of(repo.resolve("bin/afs").toString(), "mount", "--config",
                work.resolve("namespaces.yaml").toString(), second.toString()));
        try {
            assertEquals(0, mount.exit(), mount.toString());
            String log = mount.out().replaceAll("(?s).*, log ([^)]+)\\).*", "$1");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(log))), mount.out());
            Shell.Result cat = as(1001, work, "cat " + log);
            assertNotEquals(0, cat.exit(), cat.toString());
            Files.deleteIfExists(Path.of(log));
        } finally {
            Shell.run(work, List.of(repo.resolve("bin/afs").toString(), "unmount", second.toString()));
            if (mounted(second)) {
                Shell.run(work, List.of("umount", "-l", second.toString()));
            }
        }

        // afs sh as that user works without write access to the shared directory: its own, untrusted, evidence
        Path home = Files.createDirectories(work.resolve("home-1001"));
        Shell.run(work, List.of("chown", "1001:1001", home.toString()));
        long before = Files.list(evidence).count();
        Shell.Result grep = as(1001, work, "HOME=" + home + " " + repo.resolve("bin/afs") + " sh --config "
                + work.resolve("namespaces.yaml") + " -c 'grep -c OutOfMemory /teams/payments/prod/logs/api.log'");
        assertEquals(0, grep.exit(), grep.toString());
        assertEquals("2\n", grep.out());
        assertTrue(Files.isDirectory(home.resolve(".local/state/afs/evidence")), "the user's own evidence directory");
        assertTrue(Files.exists(home.resolve(".local/state/afs/keys/capture.key")), "signed with the user's own key");
        assertEquals(before, Files.list(evidence).count());
    }

    @Test
    void theSameQueryReadTwiceStoresItsContentOnce() throws Exception {
        Snapshot first = read("teams/payments/prod/logs/api.log?grep=heap");
        Snapshot second = read("teams/payments/prod/logs/api.log?grep=heap");
        assertNotEquals(first.path(), second.path(), "one record per read");
        assertEquals(first.sha256(), second.sha256());
        Object a = Files.getAttribute(first.onDisk(), "unix:ino");
        assertEquals(a, Files.getAttribute(second.onDisk(), "unix:ino"), "one copy of the content");
        Path blob = work.resolve("evidence/blobs/payments/prod").resolve(first.sha256());
        assertEquals(a, Files.getAttribute(blob, "unix:ino"));
        assertTrue(((Number) Files.getAttribute(blob, "unix:nlink")).intValue() >= 3, "the blob and both records");
    }

    @Test
    void eachSnapshotNamesItsReader() throws Exception {
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        Shell.Result r = as(1002, mountpoint, "cat 'teams/payments/prod/logs/api.log?head=1' > /dev/null && getfattr --only-values"
                + " -n user.afs.evidence 'teams/payments/prod/logs/api.log?head=1'");
        assertEquals(0, r.exit(), r.toString());
        Shell.Result caller = as(1002, mountpoint, "getfattr --only-values -n user.afs.caller '." + r.out() + "'");
        assertEquals("unix:1002@" + host + " cat", caller.out(), caller.toString());
        Shell.Result keyId = sh("getfattr --only-values -n user.afs.key_id '." + r.out() + "'");
        assertEquals(16, keyId.out().length(), keyId.toString());
        assertFalse(sh("getfattr --only-values -n user.afs.signature '." + r.out() + "'").out().isEmpty());
    }

    @Test
    void expiredSnapshotsDisappearAfterTheSweepWhileACitedOneStays() throws Exception {
        Snapshot cited = read("teams/payments/prod/logs/api.log?grep=ERROR");
        kubernetesRequests();
        String status = submit(cited.path(), cited.sha256(), "1-2");
        assertTrue(status.contains("  PENDING_APPROVAL  "), status);
        Snapshot loose = read("teams/payments/prod/logs/api.log?grep=INFO");
        for (int i = 0; i < 600 && Files.exists(loose.onDisk()); i++) {
            Thread.sleep(100);
        }
        assertFalse(Files.exists(loose.onDisk()), "the expired snapshot is swept (retention 25s)");
        assertTrue(Files.exists(cited.onDisk()), "the snapshot an open change request cites stays");
        assertFalse(Files.exists(work.resolve("evidence/blobs/payments/prod").resolve(loose.sha256())),
                "its blob goes with its last record");
        String afsStatus = sh("cat .afs/status").out();
        assertTrue(afsStatus.contains("retention sweep: every 1s; last run ") && afsStatus.contains("expired but cited"),
                afsStatus);
        assertNothingWrittenToKubernetes();
    }
}
