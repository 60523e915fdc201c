package dev.aegis.afs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.afs.e2e.security.Mount;
import dev.aegis.afs.harness.HarnessDaemon;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An incident worked through a real mount by real processes under real uids: an agent (uid 1000)
 * reads with {@code AFS_INCIDENT} in its environment and through {@code /incidents/<id>/teams},
 * writes a plan citing one read, a human (uid 1001) approves it, the harness scales a deployment
 * on fabric8's mock API server and verifies it; then {@code /incidents/INC-42/} shows the timeline,
 * the evidence, the request, the ledger slice and the review naming the redundant read, feedback
 * is recorded with the writer's uid, and a uid of another team (1003) sees nothing of any of it.
 */
class IncidentWorkspaceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int AGENT = 1000;
    private static final int ALICE = 1001;
    private static final int ATTACKER = 1003;

    private static Path work;
    private static ApiServer cluster;
    private static HarnessDaemon harness;
    private static Mount mount;

    @BeforeAll
    static void start() throws Exception {
        Mount.assumeFuse();
        assumeTrue(Files.exists(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is absent");
        Path repo = Path.of(System.getProperty("afs.repo", "..")).toRealPath();
        work = Files.createTempDirectory("afs-incident");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x")); // other uids traverse it
        Files.createDirectories(work.resolve("logs"));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            lines.add(String.format("2026-11-21T10:%02d:%02d.000Z %s", i / 60 % 60, i % 60,
                    i % 400 == 7 ? "ERROR java.lang.OutOfMemoryError: Java heap space" : "INFO request ok id=" + i));
        }
        Files.write(work.resolve("logs/api.log"), lines);
        Files.writeString(work.resolve("logs/checkout.log"), "2026-11-21T10:00:00.000Z INFO checkout ok\n");

        cluster = ApiServer.start("afs-e2e-test");
        cluster.deployment("payments", "api", 2, Map.of());
        cluster.followReadiness("payments", "api");

        int port = InProcessHarness.freePort();
        Files.writeString(work.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                harness: {url: "http://127.0.0.1:%d", token_file: data/client.token}
                backends:
                  local: {type: file, root: logs, cache_ttl: 0s}
                teams:
                  payments:
                    prod:
                      access: {read: ["uid:%d", "uid:%d"]}
                      changes:
                        mode: execute
                        allow: [scale]
                        approvers: {uids: [%d]}
                        min_approvals: 1
                      logs:
                        api: {backend: local, path: api.log}
                  checkout:
                    prod:
                      access: {read: ["uid:%d"]}
                      logs:
                        api: {backend: local, path: checkout.log}
                """.formatted(port, AGENT, ALICE, ALICE, ATTACKER));
        harness = InProcessHarness.start(repo, work, port, cluster.masterUrl());
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
            if (cluster != null) {
                cluster.close();
            }
            Mount.deleteTree(work);
        }
    }

    /** {@code bash -c script} in the mountpoint as {@code uid}, with {@code env} in its environment. */
    private static Mount.Result as(int uid, Map<String, String> env, String script) throws IOException {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "env"));
        env.forEach((k, v) -> command.add(k + "=" + v));
        command.addAll(List.of("bash", "-c", script));
        return Mount.run(mount.mountpoint, command, Map.of());
    }

    private static Mount.Result as(int uid, String script) throws IOException {
        return as(uid, Map.of(), script);
    }

    /** The snapshot {@code uid}'s last read of {@code path} produced, e.g. {@code /evidence/2026-...}. */
    private static String evidenceOf(int uid, String path) throws IOException {
        Mount.Result r = as(uid, "getfattr --only-values -n user.afs.evidence '" + path + "'");
        assertEquals(0, r.exit(), r.toString());
        return r.out().strip();
    }

    private static String xattr(String evidence, String name) throws IOException {
        Mount.Result r = mount.bash("getfattr --only-values -n " + name + " '." + evidence + "'");
        assertEquals(0, r.exit(), r.toString());
        return r.out();
    }

    private static String status(String id) throws IOException {
        return Files.readString(mount.mountpoint.resolve("change_requests").resolve(id + ".status"));
    }

    private static void awaitState(String id, String state) throws Exception {
        String s = "";
        for (int i = 0; i < 300 && !s.contains("  " + state + "  "); i++) {
            s = status(id);
            Thread.sleep(100);
        }
        assertTrue(s.contains("  " + state + "  "), s);
    }

    /** The agent proposes, through the mount, to scale api to {@code replicas} for {@code incident}, citing {@code cause}. */
    private static void proposeScale(String incident, String request, String cause, int replicas) throws IOException {
        String plan = """
                incident_id: %s
                team: payments
                env: prod
                hypothesis: api runs out of heap under load
                confidence: 0.9
                evidence:
                  - {path: %s, sha256: %s, lines: "1-5"}
                actions:
                  - {tool: scale, target: {kind: Deployment, name: api}, params: {replicas: %d}, idempotency_key: %s}
                verify:
                  - {pods_ready: {kind: Deployment, name: api}, timeout: 30s}
                """.formatted(incident, mount.mountpoint + cause, xattr(cause, "user.afs.sha256"), replicas, request);
        Path file = work.resolve(request + ".yaml");
        Files.writeString(file, plan);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Mount.Result submit = as(AGENT, "cp " + file + " change_requests/" + request + ".yaml");
        assertEquals(0, submit.exit(), submit + "\n" + as(AGENT, "cat .afs/errors").out());
    }

    @Test
    void anIncidentWorkedThroughTheMountIsReviewedAndFedBackAndHiddenFromAnotherTeam() throws Exception {
        String log = "teams/payments/prod/logs/api.log";
        // 1. the agent reads under INC-42 from its environment: the whole log, then its tail
        Map<String, String> inc = Map.of("AFS_INCIDENT", "INC-42");
        Mount.Result whole = as(AGENT, inc, "cat " + log + " | wc -l");
        assertEquals("2000", whole.out().strip(), whole.toString());
        String wholeEvidence = evidenceOf(AGENT, log);
        assertEquals("INC-42", xattr(wholeEvidence, "user.afs.incident"));
        assertEquals(0, as(AGENT, inc, "cat '" + log + "?tail=3' > /dev/null").exit());
        String tailEvidence = evidenceOf(AGENT, log + "?tail=3");
        // 2. then narrows it through the incident's own tree: the same tree, the read tagged by the path
        String narrowed = "incidents/INC-42/" + log + "?grep=OutOfMemoryError";
        Mount.Result grep = as(AGENT, "cat '" + narrowed + "'");
        assertEquals(5, grep.out().lines().count(), grep.toString());
        String cause = evidenceOf(AGENT, narrowed);
        assertEquals("INC-42", xattr(cause, "user.afs.incident"));
        assertEquals("/teams/payments/prod/logs/api.log?grep=OutOfMemoryError", xattr(cause, "user.afs.source"));
        // a read without the variable carries no tag; a malformed one is refused, with the reason
        assertEquals(0, as(AGENT, "cat '" + log + "?tail=1' > /dev/null").exit());
        assertNotEquals(0, mount.bash("getfattr -n user.afs.incident '." + evidenceOf(AGENT, log + "?tail=1") + "'").exit());
        Mount.Result bad = as(AGENT, Map.of("AFS_INCIDENT", "INC 42"), "cat '" + log + "?tail=2'");
        assertNotEquals(0, bad.exit());
        assertTrue(bad.err().contains("Invalid argument"), bad.toString());
        assertTrue(as(AGENT, "cat .afs/errors").out().contains("AFS_INCIDENT in the environment of cat"), "the reason is journaled");

        // 3. a plan citing the narrowed read, written through the mount; alice approves; it runs and verifies
        String sha = xattr(cause, "user.afs.sha256");
        proposeScale("INC-42", "inc-42-scale", cause, 3);
        awaitState("inc-42-scale", "PENDING_APPROVAL");
        assertEquals(0, as(ALICE, "echo yes > approvals/inc-42-scale/approve").exit());
        awaitState("inc-42-scale", "SUCCEEDED");
        assertEquals(3, cluster.replicas("payments", "api"));

        // 4. the workspace
        Mount.Result ls = as(ALICE, "ls incidents; ls incidents/INC-42");
        assertTrue(ls.out().startsWith("INC-42\n"), ls.toString());
        assertTrue(ls.out().contains("timeline.md") && ls.out().contains("review.md") && ls.out().contains("feedback")
                && ls.out().contains("ledger.jsonl") && ls.out().contains("requests") && ls.out().contains("evidence"), ls.toString());
        String timeline = as(ALICE, "cat incidents/INC-42/timeline.md").out();
        List<String> kinds = new ArrayList<>();
        timeline.lines().filter(l -> l.startsWith("- ")).forEach(l -> kinds.add(l.split("\\*\\*")[1]));
        assertEquals(List.of("read", "read", "read"), kinds.subList(0, 3), timeline);
        assertTrue(kinds.indexOf("plan") < kinds.indexOf("approval") && kinds.indexOf("approval") < kinds.indexOf("intent")
                && kinds.indexOf("intent") < kinds.indexOf("result") && kinds.indexOf("result") < kinds.indexOf("verify"), timeline);
        assertTrue(timeline.contains("inc-42-scale VERIFYING -> SUCCEEDED"), timeline);
        assertTrue(timeline.contains("evidence " + cause + " sha256 " + sha + "; cited by inc-42-scale"), timeline);
        Mount.Result evidence = as(ALICE, "ls incidents/INC-42/evidence");
        String causeName = cause.substring("/evidence/".length()).replace('/', '_');
        assertTrue(evidence.out().lines().toList().containsAll(List.of(causeName,
                wholeEvidence.substring("/evidence/".length()).replace('/', '_'))), evidence.toString());
        assertEquals(as(ALICE, "sha256sum < ." + cause).out(), as(ALICE, "sha256sum < incidents/INC-42/evidence/" + causeName).out());
        assertTrue(as(ALICE, "cat incidents/INC-42/requests/inc-42-scale.status").out().startsWith("inc-42-scale  SUCCEEDED"));
        String ledger = as(ALICE, "cat incidents/INC-42/ledger.jsonl").out();
        assertTrue(ledger.contains("\"event\":\"submit\"") && ledger.contains("\"event\":\"approve\""), ledger);

        // 5. the review names the redundant reads and the whole read grep would have made cheaper
        String review = as(ALICE, "cat incidents/INC-42/review.md").out();
        assertTrue(review.startsWith("# Review of INC-42\n\n3 reads (1 cited by a plan, 2 never cited)"), review);
        String redundant = review.substring(review.indexOf("## Redundant reads"), review.indexOf("## Reads a pushed-down"));
        String wholeStep = "read-" + wholeEvidence.substring("/evidence/".length()).replace('/', '_');
        assertTrue(redundant.contains(wholeStep) && redundant.contains(tailEvidence.substring(1)), redundant);
        assertTrue(!redundant.contains(causeName), redundant);
        String cheaper = review.substring(review.indexOf("## Reads a pushed-down"), review.indexOf("## Actions"));
        assertTrue(cheaper.contains("`/teams/payments/prod/logs/api.log` was read whole")
                && cheaper.contains("narrowed as `/teams/payments/prod/logs/api.log?grep=OutOfMemoryError`"), cheaper);
        assertTrue(review.contains("- inc-42-scale (SUCCEEDED): scale payments/Deployment/api -> DONE; verify SUCCEEDED"), review);
        assertTrue(review.contains("- inc-42-scale: approved by user:") || review.contains("- inc-42-scale: approved by uid:1001"), review);
        JsonNode reviewJson = JSON.readTree(as(ALICE, "cat incidents/INC-42/review.json").out());
        assertEquals(2, reviewJson.path("reads").path("redundant").asInt());
        // afs review prints the same, for whoever may read the token that attests the uid (root here)
        Mount.Result cli = mount.afs("review", "INC-42", "--harness-url", harness.url(), "--harness-token-file",
                harness.tokenFile().toString());
        assertEquals(0, cli.exit(), cli.toString());
        assertTrue(cli.out().startsWith("# Review of INC-42\n\n3 reads (1 cited by a plan, 2 never cited)"), cli.toString());

        // 6. feedback, recorded with the writer's uid; anything but a verdict, or an unknown step, refused
        String causeStep = "read-" + causeName;
        Mount.Result useful = as(ALICE, "echo useful > incidents/INC-42/feedback/" + causeStep);
        assertEquals(0, useful.exit(), useful.toString());
        Mount.Result meh = as(ALICE, "echo meh > incidents/INC-42/feedback/" + causeStep);
        assertNotEquals(0, meh.exit());
        assertTrue(meh.err().contains("Invalid argument"), meh.toString());
        Mount.Result nowhere = as(ALICE, "echo useful > incidents/INC-42/feedback/read-nothing");
        assertNotEquals(0, nowhere.exit());
        assertTrue(nowhere.err().contains("No such file or directory"), nowhere.toString());
        assertTrue(as(ALICE, "cat incidents/INC-42/feedback/" + causeStep).out().contains(" unix:1001@"), "who said it");
        String reviewed = as(ALICE, "cat incidents/INC-42/review.md").out();
        assertTrue(reviewed.contains("(unix:" + ALICE + "@") && reviewed.contains("marked " + causeStep + " USEFUL"), reviewed);

        // 7. another team's uid sees nothing of it, and what it tries reaches nobody
        assertEquals("", as(ATTACKER, "ls incidents").out());
        assertTrue(as(ATTACKER, "cat incidents/INC-42/timeline.md").out().contains("Nothing yet that you may see"));
        assertEquals("", as(ATTACKER, "ls incidents/INC-42/evidence; ls incidents/INC-42/requests; ls incidents/INC-42/feedback").out());
        assertEquals("", as(ATTACKER, "cat incidents/INC-42/ledger.jsonl").out());
        assertTrue(as(ATTACKER, "cat incidents/INC-42/review.md").out().contains("0 reads"));
        Mount.Result through = as(ATTACKER, "cat incidents/INC-42/" + log);
        assertTrue(through.err().contains("Permission denied"), through.toString());
        Mount.Result forged = as(ATTACKER, "echo dangerous > incidents/INC-42/feedback/" + causeStep);
        assertNotEquals(0, forged.exit());
        Mount.Result snapshot = as(ATTACKER, "cat ." + cause);
        assertTrue(snapshot.err().contains("Permission denied"), snapshot.toString());
        String after = as(ALICE, "cat incidents/INC-42/timeline.md").out();
        assertEquals(1, after.lines().filter(l -> l.contains("**feedback**")).count(), after);
        assertTrue(!after.contains("unix:" + ATTACKER), "nothing of uid 1003 reached the incident: " + after);
        // its own team's read under the same id is its own: alice does not see it, the attacker sees only it
        assertEquals(0, as(ATTACKER, Map.of("AFS_INCIDENT", "INC-42"), "cat teams/checkout/prod/logs/api.log > /dev/null").exit());
        assertTrue(as(ATTACKER, "cat incidents/INC-42/timeline.md").out().contains("/teams/checkout/prod/logs/api.log"));
        assertTrue(!as(ALICE, "cat incidents/INC-42/timeline.md").out().contains("checkout"));
    }

    @Test
    void tokensAnAgentReportsThroughTheMountCountAgainstTheIncidentsBudget() throws Exception {
        Mount.Result open = mount.afs("incident", "open", "--team", "payments", "--env", "prod", "--id", "INC-43",
                "--title", "api slow", "--cap", "tokens=1000", "--cap", "change_requests=3", "--harness-url", harness.url(), "--harness-token-file", harness.tokenFile().toString());
        assertEquals(0, open.exit(), open.toString());
        assertTrue(open.out().contains("change_requests  0 / 3") && open.out().contains("tokens           0 / 1000"), open.out());
        String tokens = "incidents/INC-43/tokens";
        assertEquals("0\n", as(AGENT, "cat " + tokens).out());
        // the agent reports what it spent; anything but a positive count is refused at the write, naming the form
        Mount.Result first = as(AGENT, "echo 600 >> " + tokens);
        assertEquals(0, first.exit(), first.toString());
        Mount.Result bad = as(AGENT, "echo lots >> " + tokens);
        assertNotEquals(0, bad.exit());
        assertTrue(bad.err().contains("Invalid argument"), bad.toString());
        assertTrue(as(AGENT, "cat .afs/errors").out().contains("'lots' is not a count of tokens; write one whole number"));
        assertNotEquals(0, as(AGENT, "echo -5 >> " + tokens).exit());
        assertEquals(0, as(AGENT, "echo 600 >> " + tokens).exit());
        assertEquals("1200\n", as(ALICE, "cat " + tokens).out());
        String budget = as(ALICE, "cat incidents/INC-43/budget").out();
        assertTrue(budget.contains("tokens           1200 / 1000  OVER"), budget);

        // another team's uid cannot report on it: refused, and the count is unchanged
        Mount.Result forged = as(ATTACKER, "echo 5 >> " + tokens);
        assertNotEquals(0, forged.exit(), forged.toString());
        assertEquals("1200\n", as(ALICE, "cat " + tokens).out());

        // the token cap stops the incident's next change request, by name, before the API server
        Map<String, String> inc = Map.of("AFS_INCIDENT", "INC-43");
        String log = "teams/payments/prod/logs/api.log?grep=OutOfMemoryError";
        assertEquals(0, as(AGENT, inc, "cat '" + log + "' > /dev/null").exit());
        String cause = evidenceOf(AGENT, log);
        int replicas = cluster.replicas("payments", "api");
        proposeScale("INC-43", "inc-43-scale", cause, replicas + 2);
        awaitState("inc-43-scale", "REJECTED");
        String rejected = status("inc-43-scale");
        assertTrue(rejected.contains("- budget: incident INC-43 used 1200 tokens of its cap 1000"), rejected);
        assertEquals(replicas, cluster.replicas("payments", "api"), "nothing reached the API server");
    }
}
