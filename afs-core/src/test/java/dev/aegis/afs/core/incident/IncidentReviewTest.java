package dev.aegis.afs.core.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The review of a timeline: redundant reads, reads pushdown would have made cheaper, waits, outcomes, feedback. */
class IncidentReviewTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String read(String at, String id, String source, long bytes, long received, long ms, String citedBy) {
        return """
                {"at": "%s", "kind": "read", "step": "read-%s", "who": "unix:1000@web-3", "command": "cat",
                 "summary": "...", "evidence": "%s", "source": "%s", "bytes": %d, "lines": 10,
                 "cited_by": [%s], "stats": {"bytes_received": "%d", "duration_ms": "%d"}}
                """.formatted(at, id.replace('/', '_'), id, source, bytes, citedBy, received, ms);
    }

    private static JsonNode timeline() throws Exception {
        String whole = read("2026-11-21T10:00:00Z", "2026-11-21/100000.000-aaaaaaaaaaaa-api.log",
                "/teams/payments/prod/logs/api.log", 800_000, 800_000, 1200, "");
        String metrics = read("2026-11-21T10:01:00Z", "2026-11-21/100100.000-bbbbbbbbbbbb-cpu",
                "/teams/payments/prod/metrics/cpu?since=1h", 2_000, 2_500, 30, "");
        String narrowed = read("2026-11-21T10:03:12Z", "2026-11-21/100312.000-cccccccccccc-api.log",
                "/teams/payments/prod/logs/api.log?since=1h&grep=OutOfMemoryError", 3_000, 3_000, 40, "\"cr-1\"");
        String rest = """
                {"at": "2026-11-21T10:04:00Z", "kind": "plan", "step": "plan-1", "who": "unix:1000@web-3", "summary": "plan cr-1",
                 "request": "cr-1", "cites": ["2026-11-21/100312.000-cccccccccccc-api.log"]},
                {"at": "2026-11-21T10:04:01Z", "kind": "transition", "step": "transition-3", "who": "harness", "summary": "",
                 "request": "cr-1", "from": "VALIDATING", "to": "PENDING_APPROVAL"},
                {"at": "2026-11-21T10:06:01Z", "kind": "approval", "step": "approval-4", "who": "unix:2001@web-3",
                 "summary": "cr-1 approved by user:alice", "request": "cr-1"},
                {"at": "2026-11-21T10:06:01Z", "kind": "transition", "step": "transition-5", "who": "harness", "summary": "",
                 "request": "cr-1", "from": "PENDING_APPROVAL", "to": "APPROVED"},
                {"at": "2026-11-21T10:06:02Z", "kind": "intent", "step": "intent-7", "who": "harness", "summary": "",
                 "request": "cr-1", "action": "scale payments/Deployment/api"},
                {"at": "2026-11-21T10:06:03Z", "kind": "result", "step": "result-8", "who": "harness", "summary": "",
                 "request": "cr-1", "action": "scale payments/Deployment/api", "outcome": "DONE"},
                {"at": "2026-11-21T10:06:30Z", "kind": "verify", "step": "verify-10", "who": "harness", "summary": "",
                 "request": "cr-1", "from": "VERIFYING", "to": "SUCCEEDED", "outcome": "SUCCEEDED"},
                {"at": "2026-11-21T10:30:00Z", "kind": "feedback", "step": "feedback-1", "who": "unix:2001@web-3",
                 "person": "user:alice", "summary": "", "about": "read-2026-11-21_100000.000-aaaaaaaaaaaa-api.log", "outcome": "useless"}
                """;
        return JSON.readTree("{\"incident\": \"INC-7\", \"entries\": [" + whole + "," + metrics + "," + narrowed + "," + rest + "]}");
    }

    @Test
    void scoresTheChain() throws Exception {
        IncidentReview review = IncidentReview.of(timeline());
        List<String> redundant = review.redundantReads().stream().map(r -> r.path("source").asText()).toList();
        assertEquals(List.of("/teams/payments/prod/logs/api.log", "/teams/payments/prod/metrics/cpu?since=1h"), redundant);

        List<IncidentReview.CheaperRead> cheaper = review.cheaperReads();
        assertEquals(1, cheaper.size(), "the metrics read was never narrowed");
        assertEquals("/teams/payments/prod/logs/api.log", cheaper.get(0).read().path("source").asText());
        assertEquals(797_000, cheaper.get(0).bytesSaved());
        assertEquals(1_160, cheaper.get(0).millisSaved());

        IncidentReview.FirstEvidence first = review.firstEvidence().orElseThrow();
        assertEquals(Duration.ofSeconds(192), first.after());

        IncidentReview.RequestReview cr = review.requests().get(0);
        assertEquals(List.of("scale payments/Deployment/api -> DONE"), cr.actions());
        assertEquals("SUCCEEDED", cr.verify().orElseThrow());
        assertEquals("SUCCEEDED", cr.finalState());
        assertEquals(List.of("user:alice"), cr.approvers());
        assertEquals(Duration.ofMinutes(2), cr.waited().orElseThrow());

        String md = review.markdown();
        assertTrue(md.startsWith("# Review of INC-7\n\n3 reads (1 cited by a plan, 2 never cited)"), md);
        assertTrue(md.contains("3m12s after the incident's first step: `read-2026-11-21_100312.000-cccccccccccc-api.log`"), md);
        assertTrue(md.contains("- `read-2026-11-21_100000.000-aaaaaaaaaaaa-api.log`: 2026-11-21T10:00:00Z unix:1000@web-3 cat read"
                + " `/teams/payments/prod/logs/api.log` (10 lines, 800000 bytes)"), md);
        assertTrue(md.contains("saves 797000 bytes and 1160 ms"), md);
        assertTrue(md.contains("- cr-1 (SUCCEEDED): scale payments/Deployment/api -> DONE; verify SUCCEEDED"), md);
        assertTrue(md.contains("- cr-1: approved by user:alice, after waiting 2m0s for approval"), md);
        assertTrue(md.contains("- user:alice (unix:2001@web-3) marked read-2026-11-21_100000.000-aaaaaaaaaaaa-api.log USELESS"), md);

        JsonNode json = review.json();
        assertEquals(2, json.path("reads").path("redundant").asInt());
        assertEquals(802_000, json.path("reads").path("redundant_bytes").asLong());
        assertEquals(192_000, json.path("first_evidence_of_cause").path("after_ms").asLong());
        assertEquals(120_000, json.path("requests").get(0).path("approval_wait_ms").asLong());
        assertEquals("useless", json.path("feedback").get(0).path("verdict").asText());
    }

    @Test
    void anEmptyTimelineSaysSoAndAMalformedOneIsRefused() throws Exception {
        IncidentReview review = IncidentReview.of(JSON.readTree("{\"incident\": \"INC-8\", \"entries\": []}"));
        String md = review.markdown();
        assertTrue(md.contains("No read was cited by a plan yet."), md);
        assertTrue(md.contains("No change request."), md);
        assertTrue(md.contains("None yet: echo useful|useless|dangerous > /incidents/INC-8/feedback/<step>"), md);
        assertTrue(review.json().path("first_evidence_of_cause").isNull());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IncidentReview.of(JSON.readTree("{}")));
        assertTrue(e.getMessage().contains("not an incident timeline"), e.getMessage());
    }
}
