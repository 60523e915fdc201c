package dev.aegis.afs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.aegis.afs.intent.KeyFile;
import dev.aegis.afs.intent.PollToken;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The two-process execution plane end to end: a control plane ({@code afs harness}, execution:
 * agents, no cluster credentials, in its own JVM) and a cluster agent ({@code afs agent}, its
 * own JVM) against fabric8's mock API server, with a real mount in front. A plan is written to
 * /change_requests, approved by two other uids, leased as a signed intent, executed by the
 * agent, and its signed result lands in a ledger that verifies. Between agent and control plane
 * sits {@link AgentProxy}, the attacker's network: tampered, re-signed, foreign, expired and
 * replayed intents are refused with nothing sent to the API server. The control plane and the
 * agent are each killed with SIGKILL mid-flow; no action runs twice.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentExecutionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEST_AGENT = "afs-e2e-test";
    private static final String POLICY = """
            allow:
              - name: scale-payments
                when: "intent.action == 'scale' && intent.target.namespace == 'payments' && intent.parameters.replicas <= 2 * object.spec.replicas"
            deny:
              - name: frozen
                when: "has(object.metadata.labels) && 'afs/freeze' in object.metadata.labels"
            """;

    private static Path repo;
    private static Path work;
    private static Path mountpoint;
    private static Process mount;
    private static Process harness;
    private static Process agent;
    private static int harnessPort;
    private static ApiServer cluster;
    private static AgentProxy proxy;
    private static final List<RecordedRequest> apiLog = new ArrayList<>();
    private static final Map<String, String> evidence = new HashMap<>();
    private static final OctetKeyPair otherAgent = KeyFile.generate(new SecureRandom());
    private static int seq;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is absent");
        assumeTrue(Files.exists(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is absent");
        repo = Path.of(System.getProperty("afs.repo", "..")).toRealPath();
        work = Files.createTempDirectory("afs-agents");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(work.resolve("logs"));
        Files.writeString(work.resolve("logs/api.log"), """
                2026-11-21T10:00:00.000Z INFO request ok
                2026-11-21T10:00:01.000Z ERROR java.lang.OutOfMemoryError: Java heap space
                2026-11-21T10:00:02.000Z ERROR java.lang.OutOfMemoryError: Java heap space
                """);
        Files.createDirectory(work.resolve("data"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));

        cluster = ApiServer.start(TEST_AGENT);
        for (String name : List.of("api", "slow", "frozen")) {
            cluster.deployment("payments", name, 2, name.equals("frozen") ? Map.of("afs/freeze", "true") : Map.of());
        }
        cluster.followReadiness("payments", "api"); // pods of api become ready as it is scaled

        // keys: the offline root, a day of online keys, the agent's own key
        Shell.Result root = afs("keys", "init-root", "--out", work.resolve("root.key").toString());
        assertEquals(0, root.exit(), root.toString());
        Shell.Result rotate = afs("keys", "rotate", "--root", work.resolve("root.key").toString(), "--data-dir",
                work.resolve("data").toString(), "--start", Instant.now().minusSeconds(60).toString());
        assertEquals(0, rotate.exit(), rotate.toString());

        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            harnessPort = s.getLocalPort();
        }
        proxy = new AgentProxy(URI.create("http://127.0.0.1:" + harnessPort), () -> {
            drainApiLog();
            return apiLog.size();
        });
        Files.createDirectories(work.resolve("agent"));
        Files.writeString(work.resolve("agent/policy.yaml"), POLICY);
        Files.writeString(work.resolve("agent/agent.yaml"), """
                cluster: prod-eu
                control_plane: %s
                agent_key: agent.key
                root_public_key: %s
                policy: policy.yaml
                data_dir: data
                poll: {idle: 300ms, busy: 300ms, max_backoff: 1s}
                verify_timeout: 60s
                clock_skew: 1s
                kubernetes: {master_url: "%s"}
                """.formatted(proxy.url(), root.out().strip(), cluster.masterUrl()));
        Shell.Result agentKey = afs("agent", "--config", work.resolve("agent/agent.yaml").toString(), "--print-key");
        assertEquals(0, agentKey.exit(), agentKey.toString());

        Files.writeString(work.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                harness: {url: "http://127.0.0.1:%d", token_file: data/client.token}
                backends:
                  local: {type: file, root: logs, cache_ttl: 0s}
                  cluster: {type: kubernetes, master_url: "%s"}
                teams:
                  payments:
                    prod:
                      access: {read: ["*"]}
                      changes: {mode: execute, allow: [scale], approvers: {uids: [1001, 1002]}, min_approvals: 2, cluster: prod-eu}
                      logs: {api: {backend: local, path: api.log}}
                    stage:
                      access: {read: ["*"]}
                      changes: {mode: execute, allow: [scale], namespaces: [payments], cluster: prod-eu, intent_ttl: 2m}
                      logs: {api: {backend: local, path: api.log}}
                    brief:
                      access: {read: ["*"]}
                      changes: {mode: execute, allow: [scale], namespaces: [payments], cluster: prod-eu, intent_ttl: 1s}
                      logs: {api: {backend: local, path: api.log}}
                    other:
                      access: {read: ["*"]}
                      changes: {mode: execute, allow: [scale], namespaces: [payments], cluster: other-eu}
                      logs: {api: {backend: local, path: api.log}}
                """.formatted(harnessPort, cluster.masterUrl()));
        Files.writeString(work.resolve("harness.yaml"), """
                listen: 127.0.0.1:%d
                data_dir: data
                namespaces: namespaces.yaml
                execution: agents
                live_state: {backend: cluster}
                agents:
                  prod-eu: {public_key: %s}
                  other-eu: {public_key: %s}
                policy: {loop_threshold: 1000, max_actions_per_incident_per_hour: 1000}
                """.formatted(harnessPort, agentKey.out().strip(), otherAgent.getX())
                + ChangeRequestFlowTest.pinnedCaptureKey(repo, work));
        startHarness();

        mountpoint = work.resolve("mnt");
        mount = new ProcessBuilder(repo.resolve("bin/afs").toString(), "mount", "-f", "--config",
                work.resolve("namespaces.yaml").toString(), mountpoint.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("mount.log").toFile()).start();
        for (int i = 0; !mounted(); i++) {
            if (!mount.isAlive() || i > 1200) {
                fail("the daemon did not mount:\n" + Files.readString(work.resolve("mount.log")));
            }
            Thread.sleep(50);
        }
        for (String env : List.of("prod", "stage", "brief", "other")) {
            evidence.put(env, capture(env));
        }
        startAgent();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (agent != null) {
                agent.destroy();
                agent.waitFor(20, TimeUnit.SECONDS);
                agent.destroyForcibly();
            }
            if (mountpoint != null && mounted()) {
                Shell.run(work, List.of("umount", "-l", mountpoint.toString()));
            }
            if (mount != null && !mount.waitFor(20, TimeUnit.SECONDS)) {
                mount.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            if (harness != null) {
                harness.destroy();
                harness.waitFor(20, TimeUnit.SECONDS);
                harness.destroyForcibly();
            }
            if (proxy != null) {
                proxy.close();
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

    @AfterEach
    void resetProxy() {
        proxy.reset();
    }

    // ---- the flow ----

    @Test
    @Order(1)
    void planApprovalsIntentAgentSignedResultAndAVerifyingLedger() throws Exception {
        String id = submit("prod", "api", 4);
        awaitState(id, "PENDING_APPROVAL");
        assertEquals(0, as(1001, "echo yes > approvals/" + id + "/approve").exit());
        assertEquals(0, as(1002, "echo yes > approvals/" + id + "/approve").exit());
        String done = awaitState(id, "SUCCEEDED");
        assertEquals(4, replicas("api"), done);
        assertEquals(1, agentWrites("api"), "one PUT, by the agent");

        AgentProxy.Seen lease = proxy.awaitLease(id);
        String sha = dev.aegis.afs.intent.Hashes.sha256Hex(lease.intent());
        assertTrue(done.contains("intents:\n  action 0 -> prod-eu  jti " + lease.id()), done);
        assertTrue(done.contains("sha256 " + sha + "  EXECUTED"), done);
        JsonNode result = ledger().stream().filter(e -> e.path("event").asText().equals("intent_result")
                && e.path("request").asText().equals(id)).findFirst().orElseThrow();
        assertEquals(sha, result.path("detail").path("intent_sha256").asText());
        assertEquals("agent:prod-eu", result.path("actor").asText());
        Shell.Result verify = afs("ledger", "verify", "--ledger", work.resolve("data/ledger.jsonl").toString(), "--public-key",
                dev.aegis.afs.harness.Harness.ledgerPublicKey(work.resolve("data")));
        assertEquals(0, verify.exit(), verify.toString());

        Shell.Result ls = afs("agents", "ls", "--harness-url", "http://127.0.0.1:" + harnessPort,
                "--harness-token-file", work.resolve("data/client.token").toString());
        assertEquals(0, ls.exit(), ls.toString());
        assertTrue(ls.out().lines().anyMatch(l -> l.startsWith("prod-eu ") && l.endsWith("running")), ls.out());
        assertTrue(ls.out().lines().anyMatch(l -> l.startsWith("other-eu ") && l.endsWith("never polled")), ls.out());
    }

    @Test
    @Order(2)
    void aTamperedPayloadIsRefusedWithNothingSentToTheApiServer() throws Exception {
        proxy.rewrite = i -> AgentProxy.tamper(i, "replicas", 3);
        refusedOnArrival(submit("stage", "api", 4), "bad_signature");
    }

    @Test
    @Order(3)
    void anIntentSignedByAnotherKeyUnderTheRealKidIsRefused() throws Exception {
        OctetKeyPair forger = KeyFile.generate(new SecureRandom());
        proxy.rewrite = i -> AgentProxy.resign(i, forger, kid(i));
        refusedOnArrival(submit("stage", "api", 4), "bad_signature");
    }

    @Test
    @Order(4)
    void anIntentUnderAnUnknownKidIsRefused() throws Exception {
        OctetKeyPair forger = KeyFile.generate(new SecureRandom());
        proxy.rewrite = i -> AgentProxy.resign(i, forger, forger.getKeyID());
        refusedOnArrival(submit("stage", "api", 4), "unknown_kid");
    }

    @Test
    @Order(5)
    void anExpiredIntentIsRefused() throws Exception {
        proxy.delayTasks = Duration.ofSeconds(4); // brief's intents live 1 s; the agent allows 1 s of skew
        refusedOnArrival(submit("brief", "api", 4), "expired");
    }

    @Test
    @Order(6)
    void anotherClustersGenuineIntentIsRefusedForItsAudience() throws Exception {
        String id = submit("other", "api", 4);
        awaitState(id, "EXECUTING");
        // the test is other-eu's agent: it leases the intent, which the attacker hands to prod-eu
        String path = "/v1/tasks?cluster=other-eu";
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harnessPort + path))
                .header("Authorization", "AfsAgent " + PollToken.sign(otherAgent, "other-eu", "GET", path, Instant.now(),
                        new SecureRandom())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode task = JSON.readTree(r.body()).path("tasks").get(0);
        proxy.inject.add((ObjectNode) task);
        AgentProxy.Result res = proxy.awaitResult(task.path("id").asText());
        assertEquals("wrong_audience", res.payload().path("reason").asText(), res.toString());
        assertEquals(404, res.status(), "the harness takes results for a task only from the cluster it was leased to");
        assertNothingReachedTheApiServer(task.path("id").asText(), res);
    }

    @Test
    @Order(7)
    void aReplayedIntentIsRefusedAlsoAfterTheAgentRestarts() throws Exception {
        String done = submit("stage", "api", 4); // stage's intents stay valid 2 min: a replay is caught as a replay
        awaitState(done, "SUCCEEDED");
        AgentProxy.Seen old = proxy.awaitLease(done);
        for (int round = 0; round < 2; round++) {
            String id = "replay" + round + "x" + Long.toHexString(System.nanoTime());
            proxy.inject.add(JSON.createObjectNode().put("id", id).put("intent", old.intent()));
            AgentProxy.Result res = proxy.awaitResult(id);
            assertEquals("replayed", res.payload().path("reason").asText(), res.toString());
            assertNothingReachedTheApiServer(id, res);
            if (round == 0) {
                stopAgent();
                startAgent();
            }
        }
    }

    @Test
    @Order(8)
    void aDenyingLocalPolicySendsNoWrite() throws Exception {
        String id = submit("stage", "frozen", 3);
        String failed = awaitState(id, "ROLLED_BACK"); // failed, and nothing changed to undo
        assertTrue(failed.contains("policy_denied"), failed);
        assertEquals(0, agentWrites("frozen"), "the agent read the object and wrote nothing");
        assertEquals(2, replicas("frozen"));
    }

    @Test
    @Order(9)
    void aPolicyThatDoesNotParseLocksTheAgentAndNothingRunsUntilItIsFixed() throws Exception {
        stopAgent();
        Files.writeString(work.resolve("agent/policy.yaml"), "allow: [ {name: x, when: \"intent.action ==\" ");
        startAgent();
        Shell.Result ls = null;
        for (int i = 0; i < 100; i++) {
            ls = afs("agents", "ls", "--harness-url", "http://127.0.0.1:" + harnessPort,
                    "--harness-token-file", work.resolve("data/client.token").toString());
            if (ls.out().contains("locked")) {
                break;
            }
            Thread.sleep(200);
        }
        assertTrue(ls.out().lines().anyMatch(l -> l.startsWith("prod-eu ") && l.contains("locked: ")), ls.toString());
        long writes = agentWrites("api");
        String id = submit("stage", "api", 3);
        awaitState(id, "EXECUTING");
        Thread.sleep(2000); // several polls of the locked agent
        assertTrue(proxy.seen.values().stream().noneMatch(s -> id.equals(AgentProxy.claims(s.intent()).path("request_id").asText())),
                "a locked agent is leased nothing");
        assertEquals(writes, agentWrites("api"), "and sends nothing");
        assertTrue(status(id).contains("QUEUED"), status(id));

        stopAgent();
        Files.writeString(work.resolve("agent/policy.yaml"), POLICY);
        startAgent();
        awaitState(id, "SUCCEEDED");
        assertEquals(3, replicas("api"));
    }

    @Test
    @Order(10)
    void theControlPlaneKilledMidFlowLosesNothingAndRunsNothingTwice() throws Exception {
        long writesBefore = agentWrites("api");
        proxy.onLease = () -> {
            harness.destroyForcibly(); // SIGKILL right after the lease was committed and handed out
        };
        String id = submit("stage", "api", 4);
        for (int i = 0; i < 300 && harness.isAlive(); i++) {
            Thread.sleep(100);
        }
        assertTrue(!harness.isAlive(), "the harness was not killed");
        for (int i = 0; i < 300 && agentWrites("api") == writesBefore; i++) {
            Thread.sleep(100);
        }
        assertEquals(writesBefore + 1, agentWrites("api"), "the agent acted on its intent while the control plane was down");
        proxy.onLease = () -> { };
        startHarness();
        awaitState(id, "SUCCEEDED");
        assertEquals(4, replicas("api"));
        assertEquals(writesBefore + 1, agentWrites("api"), "never twice");
    }

    @Test
    @Order(11)
    void theAgentKilledMidActionReportsItOnceAndNeverRunsItAgain() throws Exception {
        String id = submit("stage", "slow", 3); // slow's pods never become ready: the agent waits in its verify step
        for (int i = 0; i < 300 && agentWrites("slow") == 0; i++) {
            Thread.sleep(100);
        }
        assertEquals(1, agentWrites("slow"));
        agent.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        startAgent();
        String done = awaitState(id, "SUCCEEDED");
        assertTrue(done.contains("INTERRUPTED (agent_restarted)"), done);
        assertEquals(3, replicas("slow"));
        Thread.sleep(2000);
        assertEquals(1, agentWrites("slow"), "the restarted agent did not run it again");
    }

    // ---- helpers ----

    private static void refusedOnArrival(String id, String reason) throws Exception {
        String failed = awaitState(id, "ROLLED_BACK"); // failed, and nothing changed to undo
        assertTrue(failed.contains(reason), failed);
        AgentProxy.Seen lease = proxy.awaitLease(id);
        AgentProxy.Result res = proxy.awaitResult(lease.id());
        assertEquals(reason, res.payload().path("reason").asText(), res.toString());
        assertNothingReachedTheApiServer(lease.id(), res);
    }

    private static void assertNothingReachedTheApiServer(String task, AgentProxy.Result res) {
        long atLease = proxy.seen.get(task).apiRequestsAtLease();
        assertEquals(atLease, res.apiRequestsAtResult(), "requests reached the API server between the intent's arrival and the"
                + " agent's refusal: " + apiLog.subList((int) atLease, (int) res.apiRequestsAtResult()).stream()
                .map(r -> r.getMethod() + " " + r.getPath()).toList());
    }

    private static String submit(String env, String target, int replicas) throws Exception {
        String id = env + "-" + target + "-" + (++seq);
        String plan = """
                incident_id: INC-%s
                team: payments
                env: %s
                hypothesis: %s runs out of heap under load; more replicas spread it
                confidence: 0.9
                evidence:
                %s
                actions:
                  - {tool: scale, target: {kind: Deployment, name: %s}, params: {replicas: %d}, idempotency_key: %s}
                rollback: before_state
                """.formatted(id, env, target, evidence.get(env), target, replicas, id);
        Files.writeString(work.resolve(id + ".yaml"), plan);
        Shell.Result write = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            // the mount waits 10 s for the harness; on a loaded machine a first submission can take longer, and
            // writing the same document under the same name again returns the request it created
            write = Shell.bash(mountpoint, "cat " + work.resolve(id + ".yaml") + " > change_requests/" + id + ".yaml");
            if (write.exit() == 0 || !Shell.bash(mountpoint, "cat .afs/errors").out().contains("timed out")) {
                break;
            }
            Thread.sleep(2000);
        }
        assertEquals(0, write.exit(), write + "\n/.afs/errors:\n" + Shell.bash(mountpoint, "cat .afs/errors").out());
        return id;
    }

    private static String capture(String env) throws IOException {
        String read = "teams/payments/" + env + "/logs/api.log?grep=OutOfMemory";
        Shell.Result cat = Shell.bash(mountpoint, "cat '" + read + "'");
        assertEquals(2, cat.out().lines().count(), cat.toString());
        String e = Shell.bash(mountpoint, "getfattr --only-values -n user.afs.evidence '" + read + "'").out();
        String sha = Shell.bash(mountpoint, "getfattr --only-values -n user.afs.sha256 '." + e + "'").out();
        String at = Shell.bash(mountpoint, "getfattr --only-values -n user.afs.captured_at '." + e + "'").out();
        return "  - {path: " + mountpoint + e + ", sha256: " + sha + ", lines: \"1-2\", captured_at: \"" + at + "\"}";
    }

    private static void startHarness() throws Exception {
        harness = new ProcessBuilder(repo.resolve("bin/afs").toString(), "harness", "--config", work.resolve("harness.yaml").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("harness.log").toFile())).start();
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 600; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harnessPort + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!harness.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        fail("the harness did not start:\n" + Files.readString(work.resolve("harness.log")));
    }

    private static void startAgent() throws IOException {
        agent = new ProcessBuilder(repo.resolve("bin/afs").toString(), "agent", "--config", work.resolve("agent/agent.yaml").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("agent.log").toFile())).start();
    }

    private static void stopAgent() throws InterruptedException {
        agent.destroy();
        if (!agent.waitFor(20, TimeUnit.SECONDS)) {
            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Shell.Result afs(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("bin/afs").toString()));
        cmd.addAll(List.of(args));
        return Shell.run(work, cmd);
    }

    private static boolean mounted() throws IOException {
        String abs = mountpoint.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .map(l -> l.split(" ")).anyMatch(f -> f[1].equals(abs) && f[2].equals("fuse.afs"));
    }

    private static Shell.Result as(int uid, String script) throws IOException {
        return Shell.run(mountpoint, List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "bash", "-c", script));
    }

    private static String status(String id) throws IOException {
        return Files.readString(mountpoint.resolve("change_requests").resolve(id + ".status"));
    }

    private static String awaitState(String id, String state) throws Exception {
        String s = "";
        for (int i = 0; i < 600 && !s.contains("  " + state + "  "); i++) {
            try {
                s = status(id);
            } catch (IOException e) {
                s = e.toString(); // the harness may be restarting
            }
            Thread.sleep(100);
        }
        assertTrue(s.contains("  " + state + "  "), s + "\n--- agent.log\n" + tail(work.resolve("agent.log")));
        return s;
    }

    private static String tail(Path p) throws IOException {
        List<String> lines = Files.exists(p) ? Files.readAllLines(p) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static List<JsonNode> ledger() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(work.resolve("data/ledger.jsonl"))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    private static String kid(String compact) {
        try {
            return com.nimbusds.jose.JWSObject.parse(compact).getHeader().getKeyID();
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int replicas(String name) {
        return cluster.replicas("payments", name);
    }

    private static synchronized void drainApiLog() {
        try {
            for (RecordedRequest r = cluster.requests().takeRequest(0, TimeUnit.MILLISECONDS); r != null; r = cluster.requests().takeRequest(0, TimeUnit.MILLISECONDS)) {
                if (!TEST_AGENT.equals(r.getHeader("User-Agent"))) {
                    apiLog.add(r); // the harness's reads and everything the agent sends; not this test's own
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static synchronized long apiRequests() {
        drainApiLog();
        return apiLog.size();
    }

    /** Writes to deployment {@code name} not sent by this test: the agent's (the harness holds no credentials). */
    private static synchronized long agentWrites(String name) {
        drainApiLog();
        return apiLog.stream().filter(r -> !r.getMethod().equals("GET") && r.getPath().startsWith("/apis/apps/v1/namespaces/payments/deployments/" + name)).count();
    }
}
