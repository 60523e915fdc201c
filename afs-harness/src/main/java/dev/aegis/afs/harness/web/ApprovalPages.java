package dev.aegis.afs.harness.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.access.Principal;
import dev.aegis.afs.harness.ChangeRequest;
import dev.aegis.afs.harness.EvidenceGate;
import dev.aegis.afs.harness.GateReport;
import dev.aegis.afs.harness.Harness;
import dev.aegis.afs.harness.State;
import dev.aegis.afs.harness.StoredRequest;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The approval page's HTML: the queue and one request. Every value from outside is escaped by {@link Html}. */
final class ApprovalPages {

    /** Cited lines shown per evidence pointer; the rest is a click away in the mount. */
    static final int MAX_LINES = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Harness harness;

    ApprovalPages(Harness harness) {
        this.harness = harness;
    }

    String page(String title, Principal viewer, String body) {
        Html h = new Html();
        h.raw("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").text(title)
                .raw(" · Aegis AFS</title><meta name=\"viewport\" content=\"width=device-width\">"
                        + "<link rel=\"stylesheet\" href=\"/web/static/app.css\">"
                        + "<script src=\"/web/static/app.js\" defer></script></head><body><header>"
                        + "<a class=\"home\" href=\"/web/\">Aegis AFS · change approvals</a>");
        if (viewer != null) {
            h.raw("<span class=\"who\" id=\"who\">").text(viewer.id())
                    .text(viewer.groups().isEmpty() ? "" : " (" + String.join(", ", viewer.groups().stream().sorted().toList()) + ")")
                    .raw("</span>");
        }
        h.raw("</header><main>").raw(body).raw("</main></body></html>\n");
        return h.toString();
    }

    /** A page that only says why (refusals, errors). */
    String message(String title, String message) {
        Html h = new Html();
        h.el("h1", null, title).el("p", "refusal", message);
        return page(title, null, h.toString());
    }

    /** Requests of the envs {@code viewer} may read, grouped by team/env, waiting ones first. */
    String queue(Principal viewer) throws AfsException {
        List<StoredRequest> all = harness.list(500, viewer);
        Map<String, List<StoredRequest>> byEnv = new TreeMap<>();
        for (StoredRequest r : all) {
            byEnv.computeIfAbsent(r.team() + "/" + r.env(), k -> new ArrayList<>()).add(r);
        }
        Html h = new Html();
        h.el("h1", null, "Change requests");
        if (byEnv.isEmpty()) {
            h.el("p", "empty", "There is no change request in an env you may read.");
        }
        for (Map.Entry<String, List<StoredRequest>> e : byEnv.entrySet()) {
            h.raw("<section class=\"env\" data-env=\"").text(e.getKey()).raw("\">").el("h2", null, e.getKey());
            h.raw("<table class=\"queue\"><thead><tr><th>request</th><th>state</th><th>incident</th><th>submitted by</th>"
                    + "<th>approvals</th><th>submitted</th></tr></thead><tbody>");
            List<StoredRequest> rows = new ArrayList<>(e.getValue());
            rows.sort(Comparator.comparing((StoredRequest r) -> r.state() != State.PENDING_APPROVAL)
                    .thenComparing(StoredRequest::createdMillis, Comparator.reverseOrder()));
            for (StoredRequest r : rows) {
                h.raw("<tr><td><a href=\"/web/requests/").text(r.id()).raw("\">").text(r.id()).raw("</a></td>")
                        .raw("<td><span class=\"state ").text(r.state().name().toLowerCase(java.util.Locale.ROOT)).raw("\">")
                        .text(r.state().name()).raw("</span></td>")
                        .el("td", null, r.incident()).el("td", null, r.submitter())
                        .el("td", null, approvals(r).size() + " of " + r.requiredApprovals())
                        .raw("<td><time datetime=\"").text(Instant.ofEpochMilli(r.createdMillis())).raw("\">")
                        .text(Instant.ofEpochMilli(r.createdMillis())).raw("</time></td></tr>");
            }
            h.raw("</tbody></table></section>");
        }
        return page("Change requests", viewer, h.toString());
    }

    /**
     * One request: hypothesis, confidence, the cited evidence verified now, the planned change
     * and the dry-run diff, every gate, risk and approvals, the timeline, and the forms.
     *
     * @param notice a line to show at the top (the outcome of the viewer's last action), or null
     * @param error  why the viewer's last action was refused, or null
     */
    String request(StoredRequest r, Principal viewer, String csrf, String notice, String error) throws AfsException {
        ChangeRequest plan = harness.plan(r);
        Html h = new Html();
        h.raw("<h1>").text(r.id()).raw(" <span class=\"state ").text(r.state().name().toLowerCase(java.util.Locale.ROOT))
                .raw("\" id=\"state\">").text(r.state().name()).raw("</span></h1>");
        if (notice != null) {
            h.raw("<p class=\"notice\" id=\"notice\">").text(notice).raw("</p>");
        }
        if (error != null) {
            h.raw("<p class=\"refusal\" id=\"error\">").text(error).raw("</p>");
        }
        h.raw("<dl class=\"facts\">")
                .el("dt", null, "team/env").el("dd", null, r.team() + "/" + r.env())
                .el("dt", null, "mode").el("dd", null, r.mode().name().toLowerCase(java.util.Locale.ROOT)
                        + (r.mode().name().equals("SHADOW") ? " (dry runs only: nothing is changed)" : ""))
                .el("dt", null, "incident").el("dd", null, r.incident())
                .el("dt", null, "submitted by").el("dd", null, r.submitter() + " at " + Instant.ofEpochMilli(r.createdMillis()))
                .el("dt", null, "plan sha256").el("dd", "mono", r.documentSha256())
                .raw("</dl>");

        h.el("h2", null, "Hypothesis");
        h.raw("<p class=\"hypothesis\" id=\"hypothesis\">").text(plan.hypothesis()).raw("</p>");
        h.raw("<p>confidence <strong id=\"confidence\">").text(plan.confidence()).raw("</strong></p>");

        h.el("h2", null, "Evidence (verified now)");
        List<EvidenceGate.Verdict> verdicts = harness.verifyEvidence(r);
        Optional<Instant> firstEvidence = verdicts.stream().flatMap(v -> v.capturedAt().stream()).min(Comparator.naturalOrder());
        for (EvidenceGate.Verdict v : verdicts) {
            ChangeRequest.EvidencePointer p = v.pointer();
            h.raw("<section class=\"evidence ").raw(v.problem().isPresent() ? "bad" : "ok").raw("\">");
            h.raw("<h3>").text(p.field() + " /evidence/" + p.id()).raw("</h3>");
            if (v.problem().isPresent()) {
                h.raw("<p class=\"verify bad\">NOT VERIFIED: ").text(v.problem().get()).raw("</p>");
            } else {
                h.raw("<p class=\"verify ok\">VERIFIED: ").text(v.verified()).raw("</p>");
                List<String> lines = harness.evidenceLines(p, MAX_LINES);
                h.raw("<pre class=\"content\">");
                long n = p.firstLine();
                for (String line : lines) {
                    h.raw("<span class=\"ln\">").text(n++).raw("</span>").text(line).raw("\n");
                }
                h.raw("</pre>");
                if (p.lastLine() - p.firstLine() + 1 > lines.size()) {
                    h.el("p", "truncated", "showing " + lines.size() + " of the " + (p.lastLine() - p.firstLine() + 1)
                            + " cited lines; read the rest at /evidence/" + p.id() + " in the mount");
                }
            }
            h.raw("</section>");
        }

        h.el("h2", null, "Change and dry-run diff");
        List<String> live = r.state().terminal() ? List.of() : harness.liveBefore(r);
        h.raw("<table class=\"actions\"><thead><tr><th>action</th><th>target</th><th>plan</th><th>live now</th>"
                + "<th>status</th><th>dry-run / result diff</th></tr></thead><tbody>");
        for (int i = 0; i < r.actions().size(); i++) {
            StoredRequest.StoredAction a = r.actions().get(i);
            ChangeRequest.Action pa = i < plan.actions().size() ? plan.actions().get(i) : null;
            h.raw("<tr>").el("td", null, a.index() + ": " + a.tool()).el("td", "mono", a.target())
                    .el("td", "mono", pa == null ? "" : pa.params().toString())
                    .el("td", "mono", i < live.size() ? live.get(i) : "")
                    .el("td", null, a.status())
                    .el("td", "mono diff", a.outcome().map(ApprovalPages::diff).orElse("(runs after approval)"))
                    .raw("</tr>");
        }
        h.raw("</tbody></table>");

        h.el("h2", null, "Gates");
        if (r.gates().isPresent()) {
            GateReport g = r.gates().get();
            h.el("p", null, "checked at " + g.phase() + ", " + g.checkedAt() + " (plan " + g.planSha256().substring(0, 12) + ")");
            h.raw("<table class=\"gates\" id=\"gates\"><tbody>");
            for (GateReport.Gate gate : g.gates()) {
                h.raw("<tr><th>").text(gate.name()).raw("</th><td><span class=\"outcome ")
                        .text(gate.outcome().name().toLowerCase(java.util.Locale.ROOT)).raw("\">").text(gate.outcome())
                        .raw("</span></td><td><ul>");
                gate.evidence().forEach(e -> h.el("li", null, e));
                h.raw("</ul></td></tr>");
            }
            h.raw("</tbody></table>");
        } else {
            h.el("p", null, "The gates have not run yet.");
        }

        h.el("h2", null, "Risk and approvals");
        List<StoredRequest.Approval> approvals = approvals(r);
        h.raw("<p id=\"approvals\">").text(approvals.size() + " of " + r.requiredApprovals() + " approvals").raw("</p>");
        r.gates().ifPresent(g -> h.raw("<p class=\"why\">").text(g.approvalRule()).raw("</p>"));
        if (!approvals.isEmpty()) {
            h.raw("<ul class=\"approvers\">");
            approvals.forEach(a -> h.el("li", null, a.person() + " (" + a.principal() + ") at " + Instant.ofEpochMilli(a.atMillis())));
            h.raw("</ul>");
        }
        List<String> notes = r.gates().map(GateReport::notes).orElse(List.of());
        if (!notes.isEmpty()) {
            h.el("h3", null, "Notes (they raise the approvals; they are not rejection reasons)");
            h.raw("<ul class=\"notes\">");
            notes.forEach(n -> h.el("li", null, n));
            h.raw("</ul>");
        }
        if (!r.reasons().isEmpty()) {
            h.el("h3", null, r.state() == State.REJECTED ? "Rejected because" : "Reasons");
            h.raw("<ul class=\"reasons\" id=\"reasons\">");
            r.reasons().forEach(n -> h.el("li", null, n));
            h.raw("</ul>");
        }

        if (r.state() == State.PENDING_APPROVAL) {
            h.el("h2", null, "Decide");
            h.raw("<div class=\"decide\"><form method=\"post\" action=\"/web/requests/").text(r.id()).raw("/approve\">")
                    .raw("<input type=\"hidden\" name=\"csrf\" value=\"").text(csrf).raw("\">")
                    .raw("<button type=\"submit\" id=\"approve\">Approve this plan</button></form>")
                    .raw("<form method=\"post\" action=\"/web/requests/").text(r.id()).raw("/reject\" id=\"reject-form\">")
                    .raw("<input type=\"hidden\" name=\"csrf\" value=\"").text(csrf).raw("\">")
                    .raw("<label>reason <input name=\"reason\" id=\"reason\" required maxlength=\"2000\"></label>")
                    .raw("<button type=\"submit\" id=\"reject\">Reject</button></form></div>");
        }

        h.el("h2", null, "Timeline");
        h.raw("<ol class=\"timeline\" id=\"timeline\">");
        firstEvidence.ifPresent(t -> h.raw("<li><time>").text(t).raw("</time> first cited evidence captured</li>"));
        for (String line : harness.history(r.id())) {
            try {
                JsonNode e = JSON.readTree(line);
                JsonNode d = e.path("detail");
                String what = e.path("event").asText().equals("transition")
                        ? d.path("from").asText() + " → " + d.path("to").asText() : e.path("event").asText();
                h.raw("<li><time>").text(e.path("at").asText()).raw("</time> ").text(what).raw(" <span class=\"actor\">by ")
                        .text(e.path("actor").asText()).raw("</span></li>");
            } catch (IOException ex) {
                h.el("li", null, "(an unreadable ledger line)");
            }
        }
        h.raw("</ol>");
        return page(r.id(), viewer, h.toString());
    }

    String login(String error) {
        Html h = new Html();
        h.el("h1", null, "Sign in");
        if (error != null) {
            h.el("p", "refusal", error);
        }
        h.raw("<form method=\"post\" action=\"/web/login\"><label>user <input name=\"user\" id=\"user\" required></label>"
                + "<label>token <input name=\"token\" id=\"token\" type=\"password\" required></label>"
                + "<button type=\"submit\" id=\"login\">Sign in</button></form>");
        return page("Sign in", null, h.toString());
    }

    private static List<StoredRequest.Approval> approvals(StoredRequest r) {
        return r.approvals().stream().filter(a -> a.planSha256().equals(r.documentSha256())).toList();
    }

    private static String diff(String outcome) {
        try {
            JsonNode n = JSON.readTree(outcome);
            return n.has("diff") ? n.path("diff").toPrettyString() : n.toPrettyString();
        } catch (IOException e) {
            return outcome;
        }
    }
}
