package dev.aegis.afs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.e2e.security.Mount;
import dev.aegis.afs.harness.HarnessConfig;
import dev.aegis.afs.harness.HarnessDaemon;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The skills library on a real mount with real users (useradd, setpriv): each team sees the shared
 * library and its own skills, never another team's; a skill proposed by the agent is promoted only
 * through the harness: refused without an approval (nothing written, not in _index.json), written
 * into the library once a team approver approves, after which the team's next agent finds it in
 * _index.json. A shared promotion needs the platform approver, not the team's. Nothing reaches the
 * Kubernetes API server.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SkillsLibraryTest {

    private static final List<String> USERS = List.of("afs-sk-agent", "afs-sk-alice", "afs-sk-carol", "afs-sk-dave");
    private static final Map<String, Integer> UIDS = new HashMap<>();

    private static Path work;
    private static Mount mount;
    private static KubernetesMockServer cluster;
    private static KubernetesClient client;
    private static HarnessDaemon harness;

    static final String SKILL = """
            skill: oom-payment-api
            summary: payment-api runs out of heap under load
            version: 1
            triggers: [{log: OutOfMemoryError}]
            steps:
              - {read: "/teams/{team}/{env}/logs/api.log?since=30m&grep=OutOfMemoryError", why: how often}
            """;

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
            UIDS.put(user, Integer.parseInt(Mount.run(Path.of("/"), List.of("id", "-u", user), Map.of()).out().strip()));
        }
        work = Files.createTempDirectory("afs-skills");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(work.resolve("logs"));
        Files.writeString(work.resolve("logs/api.log"), "2026-11-21T10:00:01.000Z ERROR java.lang.OutOfMemoryError\n");
        // the library: a shared skill, one of checkout's own, and the agent's draft for payments
        Path skills = Files.createDirectories(work.resolve("skills"));
        Files.writeString(skills.resolve("shared-oom.yaml"), SKILL.replace("oom-payment-api", "shared-oom"));
        Files.createDirectories(skills.resolve("teams/checkout"));
        Files.writeString(skills.resolve("teams/checkout/checkout-secret.yaml"), SKILL.replace("oom-payment-api", "checkout-secret"));
        Files.createDirectories(skills.resolve("proposed/payments"));
        Files.writeString(skills.resolve("proposed/payments/oom-payment-api.yaml"), SKILL);

        cluster = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        cluster.init(InetAddress.getLoopbackAddress(), 0);
        client = cluster.createClient();
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(work.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                harness: {url: "http://127.0.0.1:%d", token_file: data/client.token}
                agents: [user:afs-sk-agent]
                skills: skills
                backends:
                  local: {type: file, root: logs, cache_ttl: 0s}
                teams:
                  payments:
                    prod:
                      access: {read: [user:afs-sk-agent, user:afs-sk-alice, user:afs-sk-carol]}
                      changes: {mode: execute, allow: [scale], approvers: [user:afs-sk-alice]}
                      logs:
                        api: {backend: local, path: api.log}
                  checkout:
                    prod:
                      access: {read: [user:afs-sk-dave]}
                      changes: {approvers: [user:afs-sk-dave]}
                      logs:
                        api: {backend: local, path: api.log}
                """.formatted(port));
        Files.writeString(work.resolve("harness.yaml"), """
                listen: 127.0.0.1:%d
                data_dir: data
                namespaces: namespaces.yaml
                kubernetes: {master_url: "%s"}
                platform: {approvers: [user:afs-sk-carol]}
                """.formatted(port, client.getMasterUrl())
                + ChangeRequestFlowTest.pinnedCaptureKey(Path.of(System.getProperty("afs.repo", "..")).toRealPath(), work));
        harness = HarnessDaemon.start(HarnessConfig.read(work.resolve("harness.yaml")));
        mount = Mount.start(work, work.resolve("namespaces.yaml"), Map.of());
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
            if (client != null) {
                client.close();
            }
            if (cluster != null) {
                cluster.destroy();
            }
            Mount.deleteTree(work);
        }
    }

    private static Mount.Result as(String user, String script) throws Exception {
        return mount.as(UIDS.get(user), script);
    }

    private static String awaitState(String user, String id, String state) throws Exception {
        String s = "";
        for (int i = 0; i < 100 && !s.contains("  " + state + "  "); i++) {
            s = as(user, "cat change_requests/" + id + ".status").out();
            Thread.sleep(100);
        }
        assertTrue(s.contains("  " + state + "  "), s);
        return s;
    }

    @Test
    @Order(1)
    void eachTeamSeesTheSharedLibraryAndItsOwnOnly() throws Exception {
        String payments = as("afs-sk-agent", "cat context/skills/_index.json").out();
        assertTrue(payments.contains("\"name\" : \"shared-oom\""), payments);
        assertFalse(payments.contains("checkout-secret"), payments);
        assertFalse(payments.contains("oom-payment-api"), "a draft is not in the index:\n" + payments);
        String checkout = as("afs-sk-dave", "cat context/skills/_index.json").out();
        assertTrue(checkout.contains("\"file\" : \"teams/checkout/checkout-secret.yaml\""), checkout);
        // another team's directory does not exist for the caller, listed or named
        assertEquals("", as("afs-sk-agent", "ls context/skills/teams").out());
        Mount.Result peek = as("afs-sk-agent", "cat context/skills/teams/checkout/checkout-secret.yaml");
        assertNotEquals(0, peek.exit());
        assertTrue(peek.err().contains("No such file or directory"), peek.toString());
        assertNotEquals(0, as("afs-sk-dave", "cat context/skills/proposed/payments/oom-payment-api.yaml").exit());
        assertEquals(SKILL, as("afs-sk-agent", "cat context/skills/proposed/payments/oom-payment-api.yaml").out());
        // the library as mounted passes the check CI runs on skills/
        Mount.Result check = mount.afs("skills", "check", mount.mountpoint.resolve("context/skills").toString());
        assertEquals(0, check.exit(), check.toString());
    }

    @Test
    @Order(2)
    void aTeamSkillIsRefusedWithoutApprovalAndFoundOnceApproved() throws Exception {
        Path plan = work.resolve("promote.yaml");
        Files.writeString(plan, "kind: skill\nincident_id: INC-7\nteam: payments\nenv: prod\nname: oom-payment-api\nscope: team\n"
                + "content: |\n" + SKILL.indent(2));
        Files.setPosixFilePermissions(plan, PosixFilePermissions.fromString("rw-r--r--"));
        Mount.Result submit = as("afs-sk-agent", "cat " + plan + " > change_requests/skill-oom.yaml");
        assertEquals(0, submit.exit(), submit.toString());
        awaitState("afs-sk-agent", "skill-oom", "PENDING_APPROVAL");

        // refused: the agent itself, and carol (platform, not the team's approver) for a team skill; nothing written
        assertNotEquals(0, as("afs-sk-agent", "echo yes > approvals/skill-oom/approve").exit());
        assertNotEquals(0, as("afs-sk-carol", "echo yes > approvals/skill-oom/approve").exit());
        assertFalse(Files.exists(work.resolve("skills/teams/payments/oom-payment-api.yaml")));
        assertFalse(as("afs-sk-agent", "cat context/skills/_index.json").out().contains("oom-payment-api"));

        Mount.Result approve = as("afs-sk-alice", "echo yes > approvals/skill-oom/approve");
        assertEquals(0, approve.exit(), approve.toString());
        awaitState("afs-sk-alice", "skill-oom", "SUCCEEDED");
        String index = as("afs-sk-agent", "cat context/skills/_index.json").out();
        assertTrue(index.contains("\"file\" : \"teams/payments/oom-payment-api.yaml\""), index);
        assertEquals(SKILL, as("afs-sk-agent", "cat context/skills/teams/payments/oom-payment-api.yaml").out());
        assertFalse(as("afs-sk-dave", "cat context/skills/_index.json").out().contains("oom-payment-api"));
        String ledger = as("afs-sk-alice", "cat ledger/ledger.jsonl").out();
        assertTrue(ledger.contains("\"event\":\"library_write\""), ledger);
        nothingReachedTheApiServer();
    }

    /** A library change never reaches Kubernetes, not even a read. */
    private static void nothingReachedTheApiServer() throws Exception {
        assertEquals(null, cluster.takeRequest(100, TimeUnit.MILLISECONDS), "a request reached the API server");
    }

    @Test
    @Order(3)
    void aSharedSkillNeedsThePlatformApprover() throws Exception {
        Path plan = work.resolve("share.yaml");
        Files.writeString(plan, "kind: skill\nincident_id: INC-7\nteam: payments\nenv: prod\nname: oom-payment-api\nscope: shared\n"
                + "content: |\n" + SKILL.indent(2));
        Files.setPosixFilePermissions(plan, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(0, as("afs-sk-agent", "cat " + plan + " > change_requests/skill-oom-shared.yaml").exit());
        awaitState("afs-sk-agent", "skill-oom-shared", "PENDING_APPROVAL");
        Mount.Result alice = as("afs-sk-alice", "echo yes > approvals/skill-oom-shared/approve");
        assertNotEquals(0, alice.exit(), "the team's own approver may not widen its skill to everyone");
        String errors = as("afs-sk-alice", "cat .afs/errors").out();
        assertTrue(errors.contains("is not a platform approver (harness.yaml platform.approvers: user:afs-sk-carol); "
                + "promotion into the shared library needs one"), alice + "\n" + errors);
        assertEquals(0, as("afs-sk-carol", "echo yes > approvals/skill-oom-shared/approve").exit());
        awaitState("afs-sk-carol", "skill-oom-shared", "SUCCEEDED");
        assertTrue(as("afs-sk-dave", "cat context/skills/_index.json").out().contains("\"file\" : \"oom-payment-api.yaml\""),
                "checkout's next agent finds the shared skill");
        nothingReachedTheApiServer();
    }

    /**
     * The loop from an incident: reads under AFS_INCIDENT, a plan citing one of them that
     * SUCCEEDED, then afs skills propose: a draft whose steps are the cited read only, its
     * concrete time turned into a relative window, stored for the team under proposed/.
     */
    @Test
    @Order(4)
    void aSkillIsDraftedFromWhatWorked() throws Exception {
        io.fabric8.kubernetes.api.model.apps.Deployment api = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
                .withNewMetadata().withName("api").withNamespace("payments").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(Map.of("app", "api")).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "api")).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec()
                .endTemplate().endSpec().withNewStatus().withReplicas(2).withReadyReplicas(2).endStatus().build();
        client.apps().deployments().inNamespace("payments").resource(api).create();
        String cited = "teams/payments/prod/logs/api.log?from=2026-11-21T09:00:00Z&grep=OutOfMemory";
        assertEquals(0, as("afs-sk-agent", "AFS_INCIDENT=INC-9 cat 'teams/payments/prod/logs/api.log?tail=1' > /dev/null").exit());
        assertEquals(0, as("afs-sk-agent", "AFS_INCIDENT=INC-9 cat '" + cited + "' > /dev/null").exit());
        String evidence = as("afs-sk-agent", "getfattr --only-values -n user.afs.evidence '" + cited + "'").out();
        String sha = as("afs-sk-agent", "getfattr --only-values -n user.afs.sha256 '." + evidence + "'").out();
        Path plan = work.resolve("inc-9.yaml");
        Files.writeString(plan, """
                incident_id: INC-9
                team: payments
                env: prod
                hypothesis: api runs out of heap under load; more replicas spread it
                confidence: 0.9
                evidence:
                  - {path: %s, sha256: %s, lines: "1-1"}
                actions:
                  - {tool: scale, target: {kind: Deployment, name: api}, params: {replicas: 3}, idempotency_key: inc-9-scale}
                rollback: before_state
                """.formatted(evidence, sha));
        Files.setPosixFilePermissions(plan, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(0, as("afs-sk-agent", "cat " + plan + " > change_requests/inc-9.yaml").exit());
        awaitState("afs-sk-agent", "inc-9", "SUCCEEDED");
        while (cluster.takeRequest(100, TimeUnit.MILLISECONDS) != null) {
            // the plan's own reads and writes of the Deployment
        }

        Mount.Result propose = mount.afs("skills", "propose", "INC-9", "--harness-url", harness.url().toString(),
                "--harness-token-file", work.resolve("data/client.token").toString());
        assertEquals(0, propose.exit(), propose.toString());
        Path draft = work.resolve("skills/proposed/payments/inc-9-scale-api.yaml");
        String text = Files.readString(draft);
        assertTrue(text.contains("/teams/{team}/{env}/logs/api.log?since="), text);
        assertTrue(text.contains("&grep=OutOfMemory"), text);
        assertFalse(text.contains("2026-11-21") || text.contains("tail=1") || text.contains("inc-9-scale\n"), text);
        assertEquals(text, as("afs-sk-agent", "cat context/skills/proposed/payments/inc-9-scale-api.yaml").out());
        assertFalse(as("afs-sk-agent", "cat context/skills/_index.json").out().contains("inc-9-scale-api"));
        nothingReachedTheApiServer();
    }
}
