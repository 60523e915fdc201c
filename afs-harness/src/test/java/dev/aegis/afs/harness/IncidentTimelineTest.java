package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.ALICE;
import static dev.aegis.afs.harness.HarnessFixture.BOB;
import static dev.aegis.afs.harness.HarnessFixture.MALLORY;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static dev.aegis.afs.harness.HarnessFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.access.Principal;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.evidence.store.DirCaptureStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The incident timeline as each viewer sees it: tagged reads, the plan citing some of them, its
 * approval and actions, and feedback, in time order, with another env's entries left out.
 */
class IncidentTimelineTest {

    @TempDir
    Path dir;
    HarnessFixture f;
    IncidentTimeline timeline;

    /** SQLite here, PostgreSQL in {@link PostgresIncidentTimelineTest}. */
    HarnessFixture fixture(Path dir) throws Exception {
        return new HarnessFixture(dir);
    }

    @BeforeEach
    void open() throws Exception {
        f = fixture(dir);
        f.open();
        timeline = new IncidentTimeline(f.harness.store(), f.registry, new DirCaptureStore(f.evidence.dir()), f.access);
    }

    @AfterEach
    void close() throws Exception {
        f.close();
    }

    /** A registered read of payments/{@code env} made under {@code incident} (as AFS_INCIDENT tags it). */
    private EvidenceRecord read(String env, String grep, Optional<String> incident) throws Exception {
        return f.read(env, grep, incident);
    }

    private static List<String> kinds(ObjectNode t) {
        List<String> out = new ArrayList<>();
        t.path("entries").forEach(e -> out.add(e.path("kind").asText()));
        return out;
    }

    private static JsonNode entry(ObjectNode t, String kind, int n) {
        int seen = 0;
        for (JsonNode e : t.path("entries")) {
            if (e.path("kind").asText().equals(kind) && seen++ == n) {
                return e;
            }
        }
        throw new AssertionError("no " + kind + " #" + n + " in " + t.toPrettyString());
    }

    @Test
    void readsPlanApprovalAndActionsInTimeOrderAsEachViewerMaySeeThem() throws Exception {
        EvidenceRecord whole = read("prod", "", Optional.of("INC-1"));
        EvidenceRecord staging = read("staging", "?tail=5", Optional.of("INC-1"));
        EvidenceRecord cause = read("prod", "?grep=OOMKilled", Optional.of("INC-1"));
        EvidenceRecord untaggedButCited = read("prod", "?tail=1", Optional.empty());
        read("prod", "?tail=2", Optional.of("INC-2"));
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        f.onSleep.add(() -> f.cluster.setReady("payments", "api", 5));
        // low confidence: one approval
        String doc = plan("prod", 0.4, pointer(cause, "1-5") + pointer(untaggedButCited, "1-1"), scale("api", 5, "k1"),
                "verify:\n  - {pods_ready: {kind: Deployment, name: api}, timeout: 30s}\n");
        StoredRequest r = f.submit(doc, HarnessFixture.AGENT).request();
        assertEquals(State.PENDING_APPROVAL, r.state(), HarnessFixture.joined(r));
        f.harness.approve(r.id(), f.p(ALICE));
        assertEquals(State.SUCCEEDED, f.get(r.id()).state(), HarnessFixture.joined(f.get(r.id())));

        ObjectNode alice = timeline.json("INC-1", f.p(ALICE));
        assertEquals("INC-1", alice.path("incident").asText());
        List<String> kinds = kinds(alice);
        assertEquals(List.of("read", "read", "read", "read"), kinds.subList(0, 4), alice.toPrettyString());
        assertTrue(kinds.containsAll(List.of("plan", "approval", "intent", "result", "transition", "verify")), kinds.toString());
        assertEquals("SUCCEEDED", entry(alice, "verify", 0).path("outcome").asText());
        assertEquals("DONE", entry(alice, "result", 0).path("outcome").asText());
        assertEquals("scale payments/Deployment/api", entry(alice, "result", 0).path("action").asText());
        assertTrue(kinds.indexOf("plan") < kinds.indexOf("approval") && kinds.indexOf("approval") < kinds.indexOf("intent")
                && kinds.indexOf("intent") < kinds.indexOf("result"), kinds.toString());
        JsonNode first = entry(alice, "read", 0);
        assertEquals(whole.id(), first.path("evidence").asText());
        assertEquals("/teams/payments/prod/logs/api.log", first.path("source").asText());
        assertEquals(0, first.path("cited_by").size());
        assertEquals("40", first.path("stats").path("duration_ms").asText());
        assertEquals("read-" + whole.id().replace('/', '_'), first.path("step").asText());
        JsonNode cited = entry(alice, "read", 2);
        assertEquals(cause.id(), cited.path("evidence").asText());
        assertEquals(r.id(), cited.path("cited_by").get(0).asText());
        JsonNode fourth = entry(alice, "read", 3);
        assertEquals(untaggedButCited.id(), fourth.path("evidence").asText(), "a read the plan cites belongs to the incident");
        assertEquals(false, fourth.path("tagged").asBoolean(true));
        JsonNode plan = entry(alice, "plan", 0);
        assertEquals(r.id(), plan.path("request").asText());
        assertEquals(2, plan.path("cites").size());
        assertTrue(plan.path("who").asText().startsWith("unix:1000@"), plan.toString());
        for (JsonNode e : alice.path("entries")) {
            assertTrue(e.hasNonNull("at") && e.hasNonNull("kind") && e.hasNonNull("who") && e.hasNonNull("summary")
                    && e.hasNonNull("step"), e.toString());
        }

        // bob may read prod but not staging: the staging read is not in his timeline
        ObjectNode bob = timeline.json("INC-1", f.p(BOB));
        assertEquals(kinds.size() - 1, kinds(bob).size());
        assertTrue(bob.toString().indexOf(staging.id()) < 0);
        // mallory may read nothing: nothing at all, not even that the incident exists
        assertEquals(0, timeline.json("INC-1", f.p(MALLORY)).path("entries").size());
        assertEquals(List.of(), timeline.incidents(f.p(MALLORY)));
        assertEquals(List.of("INC-1", "INC-2"), timeline.incidents(f.p(ALICE)));
    }

    @Test
    void feedbackIsRecordedWithWhoGaveItAndOnlyOnAStepTheyMaySee() throws Exception {
        EvidenceRecord prod = read("prod", "", Optional.of("INC-1"));
        EvidenceRecord staging = read("staging", "", Optional.of("INC-1"));
        String step = "read-" + prod.id().replace('/', '_');
        ObjectNode given = timeline.feedback("INC-1", step, "useful\n", f.p(ALICE));
        assertEquals("useful", given.path("verdict").asText());
        JsonNode fb = entry(timeline.json("INC-1", f.p(BOB)), "feedback", 0);
        assertEquals("unix:2001@test-host", fb.path("who").asText());
        assertEquals("user:alice", fb.path("person").asText());
        assertEquals(step, fb.path("about").asText());
        assertEquals("useful", fb.path("outcome").asText());
        assertTrue(timeline.ledger("INC-1", f.p(BOB)).stream().anyMatch(l -> l.contains("\"event\":\"feedback\"")
                && l.contains("\"verdict\":\"useful\"") && l.contains("\"actor\":\"unix:2001@test-host\"")));

        AfsException bad = assertThrows(AfsException.class, () -> timeline.feedback("INC-1", step, "meh", f.p(ALICE)));
        assertEquals(AfsError.INVALID_ARGUMENT, bad.error());
        assertTrue(bad.getMessage().contains("'meh' is not a verdict; write useful, useless or dangerous"), bad.getMessage());
        AfsException unknown = assertThrows(AfsException.class, () -> timeline.feedback("INC-1", "read-nope", "useful", f.p(ALICE)));
        assertEquals(AfsError.NOT_FOUND, unknown.error());
        // bob cannot see the staging read, so he cannot judge it; mallory sees no step at all
        String stagingStep = "read-" + staging.id().replace('/', '_');
        assertEquals(AfsError.NOT_FOUND, assertThrows(AfsException.class,
                () -> timeline.feedback("INC-1", stagingStep, "dangerous", f.p(BOB))).error());
        assertEquals(AfsError.NOT_FOUND, assertThrows(AfsException.class,
                () -> timeline.feedback("INC-1", step, "useless", f.p(MALLORY))).error());
        Principal bot = f.access.token("secret").orElseThrow();
        AfsException agent = assertThrows(AfsException.class, () -> timeline.feedback("INC-1", step, "useless", bot));
        assertEquals(AfsError.ACCESS_DENIED, agent.error());
        assertEquals(1, f.harness.store().feedback("INC-1").size(), "only alice's feedback was recorded");
        assertEquals(AfsError.INVALID_ARGUMENT, assertThrows(AfsException.class,
                () -> timeline.json("INC 1", f.p(ALICE))).error());
    }
}
