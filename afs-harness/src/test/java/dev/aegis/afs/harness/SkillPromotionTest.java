package dev.aegis.afs.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.access.AccessList;
import dev.aegis.afs.core.config.ConfigReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Skills and guardrails go through the harness's gates: a kind: skill request waits for one
 * approval and nothing is written before it; agents and the submitter never approve; a team
 * skill is approved by the team's approvers, a shared one only by a platform approver outside
 * the team; tightening a guardrail is the team's, loosening the platform's. Every step is in the
 * ledger, and the approved skill is in the library the mounts show.
 */
class SkillPromotionTest {

    static final Caller CAROL = HarnessFixture.MALLORY; // uid 4000: made a reader here, and the platform approver

    @TempDir
    Path dir;
    HarnessFixture f;
    Path library;

    static final String SKILL = """
            skill: oom-payment-api
            summary: payment-api runs out of heap under load
            version: 1
            triggers: [{log: OutOfMemoryError}]
            steps:
              - {read: "/teams/{team}/{env}/logs/api.log?since=30m&grep=OutOfMemoryError", why: how often}
            """;

    static String request(String scope, String content) {
        return "kind: skill\nincident_id: INC-7\nteam: payments\nenv: prod\nname: oom-payment-api\nscope: " + scope
                + "\ncontent: |\n" + content.indent(2);
    }

    @BeforeEach
    void open() throws Exception {
        f = new HarnessFixture(dir);
        Files.writeString(dir.resolve("namespaces.yaml"), HarnessFixture.NAMESPACES.replace(
                "access: {read: [uid:1000, uid:2001, uid:2002, gid:3100, token:bot]}",
                "access: {read: [uid:1000, uid:2001, uid:2002, uid:4000, gid:3100, token:bot]}"));
        f.open();
        library = Files.createDirectories(dir.resolve("skills"));
        // alice (2001) is a payments approver AND a platform approver: she still may not promote her team's skill alone
        f.harness.library(Optional.of(library), AccessList.parse(ConfigReader.parse("harness.yaml", "[uid:4000, uid:2001]"),
                f.accounts));
    }

    @AfterEach
    void close() throws Exception {
        f.close();
    }

    @Test
    void aTeamSkillWaitsForATeamApproverAndIsThenInTheLibrary() throws Exception {
        Files.createDirectories(library.resolve("proposed/payments"));
        Files.writeString(library.resolve("proposed/payments/oom-payment-api.yaml"), SKILL);
        StoredRequest r = f.submit(request("team", SKILL), HarnessFixture.AGENT).request();
        assertEquals(State.PENDING_APPROVAL, f.get(r.id()).state());
        assertEquals(1, f.get(r.id()).requiredApprovals());
        Path written = library.resolve("teams/payments/oom-payment-api.yaml");
        assertFalse(Files.exists(written), "nothing is written before the approval");

        // the submitter, an agent and a reader who is no team approver are refused, and nothing is written
        AfsException self = assertThrows(AfsException.class, () -> f.harness.approve(r.id(), f.p(HarnessFixture.AGENT)));
        assertEquals(AfsError.ACCESS_DENIED, self.error());
        AfsException bot = assertThrows(AfsException.class, () -> f.harness.approve(r.id(),
                f.access.token("secret").orElseThrow()));
        assertTrue(bot.getMessage().contains("agents may propose but never approve"), bot.getMessage());
        AfsException carol = assertThrows(AfsException.class, () -> f.harness.approve(r.id(), f.p(CAROL)));
        assertTrue(carol.getMessage().contains("is not an approver for payments/prod"), carol.getMessage());
        assertFalse(Files.exists(written));
        assertEquals(State.PENDING_APPROVAL, f.get(r.id()).state());

        f.harness.approve(r.id(), f.p(HarnessFixture.ALICE));
        StoredRequest done = f.get(r.id());
        assertEquals(State.SUCCEEDED, done.state(), String.join("\n", done.reasons()));
        assertEquals(SKILL, Files.readString(written));
        assertFalse(Files.exists(library.resolve("proposed/payments/oom-payment-api.yaml")), "a promoted draft leaves proposed/");
        String ledger = String.join("\n", f.harness.history(r.id()));
        assertTrue(ledger.contains("\"event\":\"approve\"") && ledger.contains("\"event\":\"library_write\"")
                && ledger.contains("\"file\":\"teams/payments/oom-payment-api.yaml\""), ledger);

        // the next agent of the team finds it in _index.json; another team's does not
        dev.aegis.afs.core.tree.skills.SkillsDir skills = new dev.aegis.afs.core.tree.skills.SkillsDir(library,
                java.time.Clock.systemUTC(), c -> c.uid() == 1000 ? java.util.Set.of("payments") : java.util.Set.of());
        assertTrue(index(skills, HarnessFixture.AGENT).contains("\"file\" : \"teams/payments/oom-payment-api.yaml\""));
        assertFalse(index(skills, new Caller(5000, 5000, 9)).contains("oom-payment-api"));
    }

    static String index(dev.aegis.afs.core.tree.skills.SkillsDir skills, Caller caller) throws Exception {
        try (dev.aegis.afs.core.tree.OpenFile file = ((dev.aegis.afs.core.tree.FileNode) skills.child("_index.json", caller))
                .open(caller)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) file.size());
            int n = file.read(0, b);
            return new String(b.array(), 0, n, StandardCharsets.UTF_8);
        }
    }

    @Test
    void aSharedSkillNeedsAPlatformApproverOutsideTheTeam() throws Exception {
        StoredRequest r = f.submit(request("shared", SKILL), HarnessFixture.AGENT).request();
        assertEquals(State.PENDING_APPROVAL, f.get(r.id()).state());
        AfsException bob = assertThrows(AfsException.class, () -> f.harness.approve(r.id(), f.p(HarnessFixture.BOB)));
        assertTrue(bob.getMessage().contains("is not a platform approver"), bob.getMessage());
        AfsException alice = assertThrows(AfsException.class, () -> f.harness.approve(r.id(), f.p(HarnessFixture.ALICE)));
        assertTrue(alice.getMessage().contains("is an approver of payments/prod; promotion into the shared library needs a "
                + "platform approver outside the team"), alice.getMessage());
        assertFalse(Files.exists(library.resolve("oom-payment-api.yaml")));
        f.harness.approve(r.id(), f.p(CAROL));
        assertEquals(State.SUCCEEDED, f.get(r.id()).state());
        assertEquals(SKILL, Files.readString(library.resolve("oom-payment-api.yaml")));
    }

    @Test
    void aSharedSkillWithoutPlatformApproversIsRejected() throws Exception {
        f.harness.library(Optional.of(library), AccessList.NOBODY);
        StoredRequest r = f.submit(request("shared", SKILL), HarnessFixture.AGENT).request();
        StoredRequest rejected = f.get(r.id());
        assertEquals(State.REJECTED, rejected.state());
        assertTrue(HarnessFixture.joined(rejected).contains("add platform: {approvers: [...]}"), HarnessFixture.joined(rejected));
    }

    @Test
    void guardrailsTightenWithTheTeamAndLoosenOnlyWithThePlatform() throws Exception {
        String tighten = "kind: guardrail\nincident_id: INC-7\nteam: payments\nenv: prod\nname: restart-needs-approval\n"
                + "direction: tighten\ncontent: |\n  min_approvals: 1\n";
        StoredRequest t = f.submit(tighten, HarnessFixture.AGENT).request();
        f.harness.approve(t.id(), f.p(HarnessFixture.BOB));
        assertEquals(State.SUCCEEDED, f.get(t.id()).state());
        assertTrue(Files.readString(dir.resolve("data/guardrails/payments/prod/restart-needs-approval.yaml"))
                .endsWith("min_approvals: 1\n"));

        StoredRequest l = f.submit(tighten.replace("tighten", "loosen").replace("restart-needs-approval", "fewer-approvals")
                .replace("min_approvals: 1", "min_approvals: 0"), HarnessFixture.AGENT).request();
        AfsException bob = assertThrows(AfsException.class, () -> f.harness.approve(l.id(), f.p(HarnessFixture.BOB)));
        assertTrue(bob.getMessage().contains("loosening a guardrail needs one"), bob.getMessage());
        f.harness.approve(l.id(), f.p(CAROL));
        assertEquals(State.SUCCEEDED, f.get(l.id()).state());
    }

    @Test
    void aSkillThatFailsTheSchemaIsRefusedAtItsLine() {
        PlanProblems p = assertThrows(PlanProblems.class, () -> f.submit(request("team", SKILL.replace("since=30m",
                "from=2026-11-21T10:00:00Z")), HarnessFixture.AGENT));
        assertTrue(p.getMessage().contains("change-request content:6:12: steps[0].read: from=2026-11-21T10:00:00Z is a concrete "
                + "time"), p.getMessage());
    }

    @Test
    void aDraftIsStoredForTheTeamAndLedgeredOnlyFromAProposer() throws Exception {
        String file = f.harness.proposeSkill("payments", "prod", "INC-7", SKILL.getBytes(StandardCharsets.UTF_8),
                f.p(HarnessFixture.AGENT));
        assertEquals("proposed/payments/oom-payment-api.yaml", file);
        assertEquals(SKILL, Files.readString(library.resolve(file)));
        assertTrue(String.join("\n", f.harness.ledger(1, 1000)).contains("\"event\":\"skill_proposed\""));
        AfsException outsider = assertThrows(AfsException.class, () -> f.harness.proposeSkill("payments", "prod", "INC-7",
                SKILL.replace("oom-payment-api", "other").getBytes(StandardCharsets.UTF_8), f.p(new Caller(5000, 5000, 9))));
        assertEquals(AfsError.ACCESS_DENIED, outsider.error());
        assertFalse(Files.exists(library.resolve("proposed/payments/other.yaml")));
    }
}
