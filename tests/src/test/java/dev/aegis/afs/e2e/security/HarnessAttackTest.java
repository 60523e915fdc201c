package dev.aegis.afs.e2e.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.harness.Harness;
import dev.aegis.afs.harness.HarnessConfig;
import dev.aegis.afs.harness.HarnessDaemon;
import dev.aegis.afs.harness.LedgerCheckpoint;
import dev.aegis.afs.harness.LedgerWitness;
import dev.aegis.afs.harness.SigningKey;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The harness's decision path tried as a hostile tenant would, on a real mount with real users
 * (created here with useradd, switched to with setpriv): a plan for another team's env, a plan
 * changed after approval, expired approvals, "no" written to approve, an agent approving, an
 * over-size or killed write, another tenant's requests in /change_requests, /approvals and
 * /ledger, harness files read from the host, a ledger truncated with its checkpoint. Each is
 * refused with its reason and no write reaches the Kubernetes API server. Two real approvers
 * still get a change through.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HarnessAttackTest {

    private static final List<String> USERS = List.of("afs-alice", "afs-bob", "afs-mallory", "afs-agent");

    private static Path work;
    private static Mount mount;
    private static KubernetesMockServer cluster;
    private static KubernetesClient client;
    private static HarnessDaemon harness;
    private static LedgerWitness witness;
    private static Map<String, Integer> uids = new HashMap<>();
    private static String evidence;
    private static String sha;

    @BeforeAll
    static void start() throws Exception {
        Mount.assumeFuse();
        assumeTrue(Files.exists(Path.of("/usr/bin/setpriv")) && Files.exists(Path.of("/usr/sbin/useradd")),
                "setpriv and useradd are needed");
        for (String user : USERS) {
            if (Mount.run(Path.of("/"), List.of("id", "-u", user), Map.of()).exit() != 0) {
                Mount.Result add = Mount.run(Path.of("/"), List.of("useradd", "-M", "-s", "/bin/bash", user), Map.of());
                assertEquals(0, add.exit(), add.toString());
            }
            uids.put(user, Integer.parseInt(Mount.run(Path.of("/"), List.of("id", "-u", user), Map.of()).out().strip()));
        }
        work = Files.createTempDirectory("afs-attack");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x")); // other uids traverse it
        Files.createDirectories(work.resolve("logs"));
        Files.writeString(work.resolve("logs/api.log"), """
                2026-11-21T10:00:00.000Z INFO request ok
                2026-11-21T10:00:01.000Z ERROR java.lang.OutOfMemoryError: Java heap space
                """);

        cluster = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        cluster.init(InetAddress.getLoopbackAddress(), 0);
        client = cluster.createClient();
        for (String ns : List.of("payments", "checkout")) {
            Deployment api = new DeploymentBuilder()
                    .withNewMetadata().withName("api").withNamespace(ns).endMetadata()
                    .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(Map.of("app", "api")).endSelector()
                    .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "api")).endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec()
                    .endTemplate().endSpec()
                    .withNewStatus().withReplicas(2).withReadyReplicas(2).endStatus().build();
            client.apps().deployments().inNamespace(ns).resource(api).create();
        }

        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(work.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                harness: {url: "http://127.0.0.1:%d", token_file: data/client.token}
                agents: [user:afs-agent]
                backends:
                  local: {type: file, root: logs, cache_ttl: 0s}
                teams:
                  payments:
                    prod:
                      access: {read: [user:afs-alice, user:afs-bob, user:afs-agent]}
                      changes:
                        mode: execute
                        allow: [scale]
                        approvers: [user:afs-alice, user:afs-bob, user:afs-agent]
                        min_approvals: 2
                        approval_ttl: 4s
                      logs:
                        api: {backend: local, path: api.log}
                  checkout:
                    prod:
                      access: {read: [user:afs-mallory]}
                      changes: {mode: execute, allow: [scale], approvers: [user:afs-mallory]}
                      logs:
                        api: {backend: local, path: api.log}
                """.formatted(port));
        // the witness keeps the ledger's checkpoints in a directory of its own
        Files.createDirectories(work.resolve("data"));
        Files.setPosixFilePermissions(work.resolve("data"), PosixFilePermissions.fromString("rwx------"));
        String publicKey = Harness.ledgerPublicKey(work.resolve("data"));
        witness = LedgerWitness.start(work.resolve("witness"), SigningKey.publicKeyHex(publicKey).orElseThrow(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Files.writeString(work.resolve("harness.yaml"), """
                listen: 127.0.0.1:%d
                data_dir: data
                namespaces: namespaces.yaml
                kubernetes: {master_url: "%s"}
                ledger: {public_key: %s, witness: "%s"}
                """.formatted(port, client.getMasterUrl(), publicKey, witness.url()) + pinnedCaptureKey());
        harness = HarnessDaemon.start(HarnessConfig.read(work.resolve("harness.yaml")));
        mount = Mount.start(work, work.resolve("namespaces.yaml"), Map.of());

        // the agent reads the evidence it will cite
        String read = "teams/payments/prod/logs/api.log?grep=OutOfMemory";
        assertEquals(0, as("afs-agent", "cat '" + read + "' > /dev/null").exit());
        evidence = as("afs-agent", "getfattr --only-values -n user.afs.evidence '" + read + "'").out();
        sha = as("afs-agent", "getfattr --only-values -n user.afs.sha256 '." + evidence + "'").out();
        assertEquals(64, sha.length(), sha + " / " + evidence);
        writes(); // setup traffic is not an attack
    }

    /** The mount's capture key, pinned in harness.yaml as an operator would (afs evidence key). */
    private static String pinnedCaptureKey() throws IOException {
        Path repo = Path.of(System.getProperty("afs.repo", "..")).toRealPath();
        Mount.Result key = Mount.run(work, List.of(repo.resolve("bin/afs").toString(), "evidence", "key", "--config",
                work.resolve("namespaces.yaml").toString()), Map.of());
        assertEquals(0, key.exit(), key.out() + key.err());
        return "evidence:\n  capture_keys:\n  " + key.out().strip() + "\n";
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (mount != null) {
                mount.close();
            }
        } finally {
            if (harness != null) {
                harness.stop();
            }
            if (witness != null) {
                witness.close();
            }
            if (client != null) {
                client.close();
            }
            if (cluster != null) {
                cluster.destroy();
            }
            Mount.deleteTree(work);
        }
    }

    @BeforeEach
    void noStrayWrites() throws Exception {
        writes();
    }

    /** Writes (anything but GET) the API server received since the last call. */
    private static List<String> writes() throws Exception {
        List<String> out = new ArrayList<>();
        for (RecordedRequest r; (r = cluster.takeRequest(200, TimeUnit.MILLISECONDS)) != null; ) {
            if (!r.getMethod().equals("GET")) {
                out.add(r.getMethod() + " " + r.getPath());
            }
        }
        return out;
    }

    private static Mount.Result as(String user, String script) throws Exception {
        int uid = uids.get(user);
        return Mount.run(mount.mountpoint, List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--init-groups",
                "bash", "-c", script), Map.of());
    }

    private static String plan(String team, String incident, int replicas, String key) {
        return """
                incident_id: %s
                team: %s
                env: prod
                hypothesis: api runs out of heap under load
                confidence: 0.9
                evidence:
                  - {path: %s, sha256: %s, lines: "1-1"}
                actions:
                  - {tool: scale, target: {kind: Deployment, name: api}, params: {replicas: %d}, idempotency_key: %s}
                """.formatted(incident, team, mount.mountpoint + evidence, sha, replicas, key);
    }

    /** Writes {@code plan} to /change_requests/{@code id}.yaml as {@code user}, with cat as an agent would. */
    private static Mount.Result submit(String user, String id, String plan) throws Exception {
        Path file = work.resolve(id + "-" + System.nanoTime() + ".yaml");
        Files.writeString(file, plan);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return as(user, "cat " + file + " > change_requests/" + id + ".yaml");
    }

    private static String status(String user, String id) throws Exception {
        return as(user, "cat change_requests/" + id + ".status").out();
    }

    private static String awaitState(String user, String id, String state) throws Exception {
        String s = "";
        for (int i = 0; i < 200 && !s.contains("  " + state + "  "); i++) {
            s = status(user, id);
            Thread.sleep(50);
        }
        assertTrue(s.contains("  " + state + "  "), s);
        return s;
    }

    private static int replicas(String ns) {
        return client.apps().deployments().inNamespace(ns).withName("api").get().getSpec().getReplicas();
    }

    @Test
    @Order(1)
    void twoRealApproversGetTheChangeThrough() throws Exception {
        assertEquals(0, submit("afs-agent", "inc-1", plan("payments", "INC-1", 3, "inc-1-scale")).exit());
        awaitState("afs-agent", "inc-1", "PENDING_APPROVAL");
        Mount.Result alice = as("afs-alice", "echo yes > approvals/inc-1/approve");
        assertEquals(0, alice.exit(), alice.toString());
        Mount.Result bob = as("afs-bob", "echo approve > approvals/inc-1/approve");
        assertEquals(0, bob.exit(), bob.toString());
        String done = awaitState("afs-alice", "inc-1", "SUCCEEDED");
        assertEquals(3, replicas("payments"), done);
        assertTrue(done.contains("user:afs-alice") && done.contains("user:afs-bob"), done);
        List<String> w = writes();
        assertFalse(w.isEmpty());
        assertTrue(w.stream().allMatch(x -> x.contains("/namespaces/payments/deployments/api")), w.toString());
    }

    @Test
    @Order(2)
    void aTenantCannotProposeForAnotherTeamsEnv() throws Exception {
        Mount.Result r = submit("afs-mallory", "steal", plan("payments", "INC-2", 9, "steal-1"));
        assertNotEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("Permission denied"), r.toString());
        String errors = as("afs-mallory", "cat .afs/errors").out();
        assertTrue(errors.contains("REJECTED: unix:" + uids.get("afs-mallory")) && errors.contains("may not read payments/prod"),
                errors);
        assertFalse(as("afs-alice", "ls change_requests").out().contains("steal"));
        assertEquals(List.of(), writes());
        assertEquals(3, replicas("payments"));
    }

    @Test
    @Order(3)
    void anotherTenantsRequestsAreInvisibleInEveryView() throws Exception {
        assertTrue(as("afs-alice", "ls change_requests").out().contains("inc-1.status"));
        assertFalse(as("afs-mallory", "ls change_requests").out().contains("inc-1"));
        Mount.Result st = as("afs-mallory", "cat change_requests/inc-1.status");
        assertNotEquals(0, st.exit());
        assertTrue(st.err().contains("No such file or directory"), st.toString());
        assertEquals(0, submit("afs-agent", "inc-3", plan("payments", "INC-3", 4, "inc-3-scale")).exit());
        awaitState("afs-agent", "inc-3", "PENDING_APPROVAL");
        assertTrue(as("afs-alice", "ls approvals").out().contains("inc-3"));
        assertEquals("", as("afs-mallory", "ls approvals").out().strip());
        Mount.Result approve = as("afs-mallory", "echo yes > approvals/inc-3/approve");
        assertNotEquals(0, approve.exit(), approve.toString());
        String ledger = as("afs-mallory", "cat ledger/ledger.jsonl").out();
        assertFalse(ledger.isBlank());
        assertFalse(ledger.contains("hypothesis") || ledger.contains("INC-1") || ledger.contains("payments"), ledger);
        assertTrue(ledger.lines().allMatch(l -> l.contains("\"hash\"")), ledger);
        assertTrue(as("afs-alice", "cat ledger/ledger.jsonl").out().contains("api runs out of heap"));
        assertEquals(List.of(), writes());
    }

    @Test
    @Order(4)
    void noWrittenToApproveApprovesNothingAndAnAgentNeverApproves() throws Exception {
        Mount.Result no = as("afs-alice", "echo no > approvals/inc-3/approve");
        assertNotEquals(0, no.exit(), no.toString());
        assertTrue(no.err().contains("Invalid argument"), no.toString());
        assertTrue(as("afs-alice", "cat .afs/errors").out().contains("'no' approves nothing"));
        Mount.Result agent = as("afs-agent", "echo yes > approvals/inc-3/approve");
        assertNotEquals(0, agent.exit(), agent.toString());
        assertTrue(as("afs-agent", "cat .afs/errors").out().contains("is an agent"), as("afs-agent", "cat .afs/errors").out());
        String s = awaitState("afs-alice", "inc-3", "PENDING_APPROVAL");
        assertTrue(s.contains("approvals: 0 of 2"), s);
        assertEquals(List.of(), writes());
    }

    @Test
    @Order(5)
    void aPlanChangedAfterApprovalNeedsNewApprovals() throws Exception {
        assertEquals(0, as("afs-alice", "echo yes > approvals/inc-3/approve").exit());
        // the agent swaps the plan under the approval: 4 replicas become 6 (still within the guardrails)
        Mount.Result swap = submit("afs-agent", "inc-3", plan("payments", "INC-3", 6, "inc-3-scale"));
        assertEquals(0, swap.exit(), swap.toString());
        Mount.Result bob = as("afs-bob", "echo yes > approvals/inc-3/approve");
        assertEquals(0, bob.exit(), bob + "\n" + status("afs-bob", "inc-3"));
        String s = awaitState("afs-bob", "inc-3", "PENDING_APPROVAL");
        assertTrue(s.contains("approvals: 1 of 2  user:afs-bob"), s);
        assertTrue(as("afs-bob", "cat change_requests/inc-3.yaml").out().contains("replicas: 6"));
        assertEquals(List.of(), writes());
        assertEquals(3, replicas("payments"));
    }

    @Test
    @Order(6)
    void expiredApprovalsCountForNothing() throws Exception {
        assertEquals(0, submit("afs-agent", "inc-4", plan("payments", "INC-4", 5, "inc-4-scale")).exit());
        awaitState("afs-agent", "inc-4", "PENDING_APPROVAL");
        assertEquals(0, as("afs-alice", "echo yes > approvals/inc-4/approve").exit());
        Thread.sleep(5000); // approval_ttl is 4s
        assertEquals(0, as("afs-bob", "echo yes > approvals/inc-4/approve").exit());
        String s = awaitState("afs-bob", "inc-4", "PENDING_APPROVAL");
        assertTrue(s.contains("approval of user:afs-alice expired"), s);
        assertEquals(List.of(), writes());
        assertEquals(3, replicas("payments"));
    }

    @Test
    @Order(7)
    void anOverSizeOrKilledWriteSubmitsNothing() throws Exception {
        Path big = work.resolve("big.yaml");
        Files.writeString(big, plan("payments", "INC-5", 6, "inc-5-scale") + "# " + "a".repeat(300_000) + "\n");
        Files.setPosixFilePermissions(big, PosixFilePermissions.fromString("rw-r--r--"));
        Mount.Result cp = as("afs-agent", "cp " + big + " change_requests/big.yaml");
        assertNotEquals(0, cp.exit(), cp.toString());
        assertTrue(cp.err().contains("File too large"), cp.toString());
        // a writer killed half-way: the kernel closes its descriptor, and nothing is submitted
        String half = plan("payments", "INC-6", 6, "inc-6-scale");
        Files.writeString(work.resolve("half.yaml"), half.substring(0, half.indexOf("actions:")) + "actions:\n");
        Files.setPosixFilePermissions(work.resolve("half.yaml"), PosixFilePermissions.fromString("rw-r--r--"));
        // one process writes and dies holding the descriptor (a helper closing a copy would count as a close)
        Mount.Result killed = as("afs-agent", "DOC=$(cat " + work.resolve("half.yaml") + "); bash -c 'printf \"%s\" \"$0\"; "
                + "kill -9 $$' \"$DOC\" > change_requests/cut.yaml");
        assertEquals(137, killed.exit(), killed.toString());
        Thread.sleep(300);
        String list = as("afs-agent", "ls change_requests").out();
        assertFalse(list.contains("big") || list.contains("cut"), list);
        assertTrue(harness.harness().list(100).stream().noneMatch(r -> r.id().equals("big") || r.id().equals("cut")));
        assertEquals(List.of(), writes());
    }

    @Test
    @Order(8)
    void harnessFilesAreClosedToOtherUsersOnTheHost() throws Exception {
        Path data = work.resolve("data");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
        for (String f : List.of("harness.db", "ledger.jsonl", "ledger.jsonl.checkpoint", "ledger.key", "client.token")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(f))), f);
            Mount.Result read = Mount.run(work, List.of("setpriv", "--reuid=" + uids.get("afs-mallory"), "--regid="
                    + uids.get("afs-mallory"), "--init-groups", "cat", data.resolve(f).toString()), Map.of());
            assertNotEquals(0, read.exit(), f);
            assertTrue(read.err().contains("Permission denied"), read.toString());
        }
        // a key file others can read is refused at start, with the fix
        Path copy = work.resolve("data-copy");
        Files.createDirectories(copy);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwx------"));
        Files.copy(data.resolve("ledger.key"), copy.resolve("ledger.key"));
        Files.setPosixFilePermissions(copy.resolve("ledger.key"), PosixFilePermissions.fromString("rw-r--r--"));
        java.io.IOException refused = assertThrows(java.io.IOException.class, () -> Harness.ledgerPublicKey(copy));
        assertTrue(refused.getMessage().contains("chmod 600 " + copy.resolve("ledger.key")), refused.getMessage());
    }

    @Test
    @Order(9)
    void aTruncatedLedgerFailsVerificationEvenWithItsCheckpointGone() throws Exception {
        Path data = work.resolve("data");
        String key = Harness.ledgerPublicKey(data);
        Mount.Result intact = mount.afs("ledger", "verify", "--config", work.resolve("harness.yaml").toString());
        assertEquals(0, intact.exit(), intact.toString());
        assertTrue(intact.out().contains("reaches the witnessed checkpoint"), intact.toString());
        // root on the harness host empties a copy of the ledger and deletes its checkpoint
        Path copy = Files.createDirectories(work.resolve("tampered"));
        Files.writeString(copy.resolve("ledger.jsonl"), "");
        Mount.Result emptied = mount.afs("ledger", "verify", "--ledger", copy.resolve("ledger.jsonl").toString(),
                "--public-key", key);
        assertEquals(1, emptied.exit(), emptied.toString());
        assertTrue(emptied.out().contains("checkpoint") && emptied.out().contains("is missing"), emptied.toString());
        // ... or keeps two entries and signs a matching checkpoint with the harness's own key:
        // only the witness, which the harness cannot rewrite, still tells
        List<String> lines = Files.readAllLines(data.resolve("ledger.jsonl"));
        Files.write(copy.resolve("ledger.jsonl"), lines.subList(0, 2));
        String head = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(1)).path("hash").asText();
        SigningKey harnessKey = SigningKey.loadOrCreate(data.resolve("ledger.key"), new SecureRandom());
        LedgerCheckpoint forged = LedgerCheckpoint.sign(2, head, "2026-12-01T00:00:00Z", harnessKey);
        Files.writeString(copy.resolve("ledger.jsonl.checkpoint"), forged.json() + "\n");
        Mount.Result cut = mount.afs("ledger", "verify", "--ledger", copy.resolve("ledger.jsonl").toString(),
                "--public-key", key, "--witness", witness.url());
        assertEquals(1, cut.exit(), cut.toString());
        assertTrue(cut.out().contains("the witnessed checkpoint") && cut.out().contains("were removed (truncated)"), cut.toString());
        String unpinned = mount.afs("ledger", "verify", "--ledger", data.resolve("ledger.jsonl").toString()).err();
        assertTrue(unpinned.contains("pin the ledger key"), unpinned);
    }
}
