package dev.aegis.afs.core.tree.incidents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.harness.HarnessClient;
import dev.aegis.afs.core.incident.IncidentReview;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.core.tree.TextFile;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /incidents/<id>/}: everything done under one incident, from the harness, as the caller
 * may see it (every file is rendered for the caller when opened).
 * <pre>
 * teams/         the /teams tree; every read through it is tagged with the incident
 * timeline.md    reads (with their evidence), plans, approvals, intents, results, verify outcomes, feedback, in time order
 * evidence/      the snapshots read or cited (the /evidence files themselves, named &lt;day&gt;_&lt;name&gt;)
 * requests/      &lt;id&gt;.status of each change request of the incident
 * ledger.jsonl   the ledger slice of the incident
 * feedback/      one file per step: echo useful|useless|dangerous &gt; feedback/&lt;step&gt;
 * review.md      the post-incident review (afs review &lt;id&gt;), review.json the same as JSON
 * context.yaml   the incident's context (state, severity, scope, alerts, SLO, budget caps, approval policy,
 *                change windows, freeze, on-call), from the harness's incident lifecycle
 * budget         what the incident used of each budget cap
 * tokens         echo 1500 &gt;&gt; tokens reports tokens the writer spent on the incident; reading shows the total
 * </pre>
 */
final class IncidentWorkspace implements DirNode {

    private final String id;
    private final DirNode teams;
    private final DirNode evidence;
    private final HarnessClient harness;
    private final Clock clock;

    IncidentWorkspace(String id, DirNode teams, DirNode evidence, HarnessClient harness, Clock clock) {
        this.id = id;
        this.teams = teams;
        this.evidence = evidence;
        this.harness = harness;
        this.clock = clock;
    }

    @Override
    public String name() {
        return id;
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return NodeAttributes.dir(clock.instant(), 4);
    }

    @Override
    public List<Node> list(Caller caller) {
        List<Node> out = new ArrayList<>();
        out.add(teams);
        out.add(new TextFile("timeline.md", clock, c -> TimelineText.markdown(timeline(c))));
        out.add(new TimelineEvidenceDir(id, evidence, harness, clock));
        out.add(new RequestsDir(id, harness, clock));
        out.add(new TextFile("ledger.jsonl", clock, c -> {
            StringBuilder s = new StringBuilder();
            harness.incidentLedger(id, c).forEach(e -> s.append(e).append('\n'));
            return s.toString();
        }));
        out.add(new FeedbackDir(id, harness, clock));
        out.add(new TextFile("review.md", clock, c -> IncidentReview.of(timeline(c)).markdown()));
        out.add(new TextFile("review.json", clock, c -> IncidentReview.of(timeline(c)).json().toPrettyString() + "\n"));
        // the lifecycle's files: NOT_FOUND when the harness opened no incident of this id (reads may be tagged anyway)
        out.add(new TextFile("context.yaml", clock, c -> harness.incidentText(id, "context.yaml", c)));
        out.add(new TextFile("budget", clock, c -> harness.incidentText(id, "budget", c)));
        out.add(new TokensFile(id, harness, clock));
        return out;
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        for (Node n : list(caller)) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        throw AfsException.notFound("/incidents/" + id + "/" + name);
    }

    private JsonNode timeline(Caller caller) throws AfsException {
        return harness.timeline(id, caller);
    }
}
