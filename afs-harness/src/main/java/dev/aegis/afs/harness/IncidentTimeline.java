package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.access.AccessPolicy;
import dev.aegis.afs.core.access.Principal;
import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.IncidentId;
import dev.aegis.afs.evidence.store.CaptureStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything done under one incident, in time order, as one viewer may see it
 * ({@code GET /v1/incidents/<id>/timeline}): the reads registered with the incident's tag or cited
 * by its plans, each plan, approval, intent, result and verify outcome of its change requests
 * (from the ledger), their other transitions, and the feedback humans left. An entry of an env
 * the viewer may not read is left out, as everywhere.
 *
 * <p>Every entry has a {@code step}, stable across calls, that feedback names: {@code read-<evidence
 * id with / as _>} for a read, {@code <kind>-<ledger seq>} for a ledger entry.
 */
public final class IncidentTimeline {

    /** What a human may say about a step. */
    public static final Set<String> VERDICTS = Set.of("useful", "useless", "dangerous");

    private final RequestStore store;
    private final EvidenceRegistry registry;
    private final CaptureStore captures;
    private final AccessPolicy access;

    public IncidentTimeline(RequestStore store, EvidenceRegistry registry, CaptureStore captures, AccessPolicy access) {
        this.store = requireNonNull(store, "store is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.captures = requireNonNull(captures, "captures is null");
        this.access = requireNonNull(access, "access is null");
    }

    /** One entry and the team/env it belongs to (empty for none). */
    record Entry(Instant at, long order, String team, String env, ObjectNode json) {
        String step() {
            return json.path("step").asText();
        }
    }

    /** {@code {"incident": id, "entries": [...]}} as {@code viewer} may see it. */
    public ObjectNode json(String incident, Principal viewer) throws AfsException {
        ObjectNode out = Ledger.JSON.createObjectNode();
        out.put("incident", incident);
        ArrayNode entries = out.putArray("entries");
        for (Entry e : entries(incident, viewer)) {
            entries.add(e.json());
        }
        return out;
    }

    /** The incidents {@code viewer} may see something of (a tagged read or a change request of an env it may read). */
    public List<String> incidents(Principal viewer) throws AfsException {
        Set<String> out = new TreeSet<>();
        try {
            for (List<String> row : registry.incidentEnvs()) {
                if (access.canRead(viewer, row.get(1), row.get(2))) {
                    out.add(row.get(0));
                }
            }
            for (List<String> row : store.incidentEnvs()) {
                if (IncidentId.valid(row.get(0)) && access.canRead(viewer, row.get(1), row.get(2))) {
                    out.add(row.get(0));
                }
            }
            // and those the lifecycle opened (an alert), before anything was read or planned for them
            for (Incident i : store.read(tx -> IncidentStore.list(tx.connection(), 10_000))) {
                if (access.canRead(viewer, i.team(), i.env())) {
                    out.add(i.id());
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        return new ArrayList<>(out);
    }

    /**
     * The ledger slice of the incident: every entry of its change requests and its feedback,
     * oldest first, of the envs {@code viewer} may read (an entry of another env is left out, as
     * the rest of the workspace leaves it out; {@code /ledger} shows the whole chain with hashes).
     */
    public List<String> ledger(String incident, Principal viewer) throws AfsException {
        checkId(incident);
        try {
            Map<Long, String> lines = new java.util.TreeMap<>();
            List<String> requests = new ArrayList<>();
            store.ofIncident(incident).forEach(r -> requests.add(r.id()));
            requests.add(feedbackRequest(incident));
            for (String id : requests) {
                for (String line : store.ledgerOf(id)) {
                    JsonNode n = Ledger.JSON.readTree(line);
                    String team = n.path("team").asText("");
                    if (viewer.isRoot() || (!team.isEmpty() && access.canRead(viewer, team, n.path("env").asText("")))) {
                        lines.put(n.path("seq").asLong(), line);
                    }
                }
            }
            return new ArrayList<>(lines.values());
        } catch (SQLException e) {
            throw unavailable(e);
        } catch (IOException e) {
            throw new AfsException(AfsError.INTERNAL, "a ledger entry of incident " + incident + " is not JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Records {@code verdict} on {@code step} by {@code caller}, in the feedback table and the
     * ledger (one transaction). The step must be one {@code caller} can see in the timeline.
     *
     * @throws AfsException INVALID_ARGUMENT for another verdict, NOT_FOUND for a step the caller
     *                      cannot see, ACCESS_DENIED for an agent (feedback is what humans say)
     */
    public ObjectNode feedback(String incident, String step, String verdict, Principal caller) throws AfsException {
        checkId(incident);
        String word = verdict.strip().toLowerCase(java.util.Locale.ROOT);
        if (!VERDICTS.contains(word)) {
            String shown = verdict.strip().length() > 40 ? verdict.strip().substring(0, 40) + "..." : verdict.strip();
            throw new AfsException(AfsError.INVALID_ARGUMENT, "feedback on " + incident + " step " + step + ": '"
                    + shown.replaceAll("[^\\x20-\\x7e]", "?") + "' is not a verdict; write useful, useless or dangerous"
                    + " (e.g. echo useful > /incidents/" + incident + "/feedback/" + step + ")");
        }
        if (caller.agent()) {
            throw new AfsException(AfsError.ACCESS_DENIED, caller.id() + " is an agent; feedback on an incident's steps is what"
                    + " humans say about them, so agents may read it but not give it");
        }
        Entry target = entries(incident, caller).stream().filter(e -> e.step().equals(step) && !e.team().isEmpty())
                .findFirst().orElseThrow(() -> new AfsException(AfsError.NOT_FOUND, "incident " + incident + " has no step "
                        + step + " that " + caller.id() + " may see; ls /incidents/" + incident + "/feedback (or GET /v1/incidents/"
                        + incident + "/timeline) lists the steps"));
        long now = store.now();
        try {
            store.inTransaction(tx -> {
                tx.update("INSERT INTO feedback(incident, step, verdict, principal, person, team, env, at_ms) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", incident, step, word, caller.id(), caller.person(), target.team(),
                        target.env(), now);
                tx.recordFor(feedbackRequest(incident), target.team(), target.env(), "feedback", caller.id(),
                        RequestStore.detail("incident", incident, "step", step, "verdict", word, "person", caller.person()));
                return null;
            });
        } catch (SQLException e) {
            throw unavailable(e);
        }
        ObjectNode out = Ledger.JSON.createObjectNode();
        out.put("incident", incident);
        out.put("step", step);
        out.put("verdict", word);
        out.put("who", caller.id());
        out.put("at", Instant.ofEpochMilli(now).toString());
        return out;
    }

    /** The ledger's request field for feedback entries: no request, but findable by incident. */
    static String feedbackRequest(String incident) {
        return "incident:" + incident;
    }

    List<Entry> entries(String incident, Principal viewer) throws AfsException {
        checkId(incident);
        List<Entry> out = new ArrayList<>();
        try {
            List<StoredRequest> requests = store.ofIncident(incident);
            IncidentEvidence evidence = IncidentEvidence.of(incident, requests, registry);
            for (EvidenceRegistry.Registered reg : evidence.reads().values()) {
                out.add(read(reg, evidence.citedBy().getOrDefault(reg.record().id(), Set.of())));
            }
            for (StoredRequest r : requests) {
                Optional<ChangeRequest> plan = IncidentEvidence.plan(r);
                for (String line : store.ledgerOf(r.id())) {
                    ledgerEntry(Ledger.JSON.readTree(line), r, plan).ifPresent(out::add);
                }
            }
            for (String line : store.ledgerOf(feedbackRequest(incident))) {
                lifecycleEntry(Ledger.JSON.readTree(line)).ifPresent(out::add);
            }
            for (RequestStore.Feedback f : store.feedback(incident)) {
                out.add(feedback(f));
            }
        } catch (SQLException e) {
            throw unavailable(e);
        } catch (IOException e) {
            throw new AfsException(AfsError.INTERNAL, "a ledger entry of incident " + incident + " is not JSON: " + e.getMessage(), e);
        }
        return out.stream().filter(e -> e.team().isEmpty() ? viewer.isRoot() : access.canRead(viewer, e.team(), e.env()))
                .sorted(Comparator.comparing(Entry::at).thenComparingLong(Entry::order)).toList();
    }

    private Entry read(EvidenceRegistry.Registered reg, Set<String> citedBy) {
        CaptureRecord r = reg.record();
        ObjectNode n = Ledger.JSON.createObjectNode();
        n.put("at", r.capturedAt().toString());
        n.put("kind", "read");
        n.put("step", "read-" + r.id().replace('/', '_'));
        n.put("who", r.caller().principal());
        n.put("command", r.caller().command());
        n.put("summary", r.caller().command() + " read " + r.source() + " (" + r.lines() + " lines, " + r.size() + " bytes)");
        n.put("evidence", r.id());
        n.put("sha256", r.sha256());
        n.put("source", r.source());
        n.put("query", r.query());
        n.put("backend", r.backend());
        n.put("bytes", r.size());
        n.put("lines", r.lines());
        n.put("truncated", r.truncated());
        n.put("team", r.team());
        n.put("env", r.env());
        n.put("tagged", r.incident().isPresent());
        n.put("received_at", reg.receivedAt().toString());
        ArrayNode cited = n.putArray("cited_by");
        citedBy.forEach(cited::add);
        try {
            Map<String, String> stats = captures.stats(r.id());
            ObjectNode s = n.putObject("stats");
            stats.forEach(s::put);
        } catch (IOException | RuntimeException e) {
            n.putObject("stats"); // the store is unreachable: the read's cost is unknown, the read is not
        }
        return new Entry(r.capturedAt(), 0, r.team(), r.env(), n);
    }

    private static Optional<Entry> ledgerEntry(JsonNode e, StoredRequest r, Optional<ChangeRequest> plan) {
        String event = e.path("event").asText();
        JsonNode d = e.path("detail");
        String kind;
        String summary;
        ObjectNode n = Ledger.JSON.createObjectNode();
        switch (event) {
            case "submit" -> {
                kind = "plan";
                summary = "plan " + r.id() + ": " + d.path("hypothesis").asText() + " (confidence "
                        + d.path("confidence").asText() + ", " + plan.map(p -> p.actions().size()).orElse(0) + " action(s), mode "
                        + d.path("mode").asText() + ")";
                ArrayNode cites = n.putArray("cites");
                plan.ifPresent(p -> p.evidence().forEach(ptr -> cites.add(ptr.id())));
            }
            case "approve" -> {
                kind = "approval";
                summary = r.id() + " approved by " + d.path("person").asText(e.path("actor").asText());
            }
            case "action_intent", "action_queued", "intent_leased", "rollback_intent" -> {
                kind = "intent";
                StoredRequest.StoredAction a = action(r, d.path("index").asInt());
                String action = a == null ? "action " + d.path("index").asInt() : a.tool() + " " + a.target();
                n.put("action", action);
                summary = r.id() + " " + event.replace('_', ' ') + ": " + action
                        + (d.path("dry_run").asBoolean(false) ? " (dry run)" : "");
            }
            case "action_done", "intent_result", "rollback_done" -> {
                kind = "result";
                StoredRequest.StoredAction a = action(r, d.path("index").asInt());
                String action = a == null ? "action " + d.path("index").asInt() : a.tool() + " " + a.target();
                String outcome = d.path("status").asText(d.path("outcome").isTextual() ? d.path("outcome").asText() : "DONE");
                n.put("action", action);
                n.put("outcome", event.equals("rollback_done") ? "ROLLED_BACK" : outcome);
                summary = r.id() + " " + event.replace('_', ' ') + ": " + action + " -> " + n.path("outcome").asText();
            }
            case "transition" -> {
                String from = d.path("from").asText();
                String to = d.path("to").asText();
                kind = from.equals("VERIFYING") ? "verify" : "transition";
                if (kind.equals("verify")) {
                    n.put("outcome", to);
                }
                StringBuilder s = new StringBuilder(r.id() + " " + from + " -> " + to);
                d.path("reasons").forEach(reason -> s.append("; ").append(reason.asText()));
                summary = s.toString();
                n.put("from", from);
                n.put("to", to);
            }
            default -> {
                return Optional.empty();
            }
        }
        Instant at = Instant.parse(e.path("at").asText());
        n.put("at", at.toString());
        n.put("kind", kind);
        n.put("step", kind + "-" + e.path("seq").asLong());
        n.put("who", e.path("actor").asText());
        n.put("summary", summary);
        n.put("request", r.id());
        n.put("seq", e.path("seq").asLong());
        n.put("team", r.team());
        n.put("env", r.env());
        // after any read captured at the same millisecond: a plan cannot come before what it cites
        return Optional.of(new Entry(at, e.path("seq").asLong() + 1, r.team(), r.env(), n));
    }

    /** The incident's own steps (opened, each state it entered), as the lifecycle ledgers them. */
    private static Optional<Entry> lifecycleEntry(JsonNode e) {
        String event = e.path("event").asText();
        JsonNode d = e.path("detail");
        ObjectNode n = Ledger.JSON.createObjectNode();
        String summary;
        if (event.equals("incident_opened")) {
            summary = d.path("incident").asText() + " opened by " + d.path("source").asText() + ": " + d.path("title").asText()
                    + " (" + d.path("severity").asText() + ")";
            n.put("to", d.path("state").asText());
        } else if (event.equals("incident_transition")) {
            summary = d.path("incident").asText() + " " + d.path("from").asText() + " -> " + d.path("to").asText() + ": "
                    + d.path("reason").asText();
            n.put("from", d.path("from").asText());
            n.put("to", d.path("to").asText());
            if (d.hasNonNull("request")) {
                n.put("request", d.path("request").asText());
            }
        } else {
            return Optional.empty(); // feedback entries come from the feedback table
        }
        Instant at = Instant.parse(e.path("at").asText());
        n.put("at", at.toString());
        n.put("kind", "transition");
        n.put("step", "incident-" + e.path("seq").asLong());
        n.put("who", e.path("actor").asText());
        n.put("summary", summary);
        n.put("seq", e.path("seq").asLong());
        n.put("team", e.path("team").asText());
        n.put("env", e.path("env").asText());
        return Optional.of(new Entry(at, e.path("seq").asLong() + 1, e.path("team").asText(), e.path("env").asText(), n));
    }

    private static StoredRequest.StoredAction action(StoredRequest r, int index) {
        return r.actions().stream().filter(a -> a.index() == index).findFirst().orElse(null);
    }

    private static Entry feedback(RequestStore.Feedback f) {
        ObjectNode n = Ledger.JSON.createObjectNode();
        Instant at = Instant.ofEpochMilli(f.atMillis());
        n.put("at", at.toString());
        n.put("kind", "feedback");
        n.put("step", "feedback-" + f.atMillis() + "-" + f.person().replaceAll("[^A-Za-z0-9._-]", "_"));
        n.put("who", f.principal());
        n.put("person", f.person());
        n.put("summary", f.person() + " marked " + f.step() + " " + f.verdict());
        n.put("about", f.step());
        n.put("outcome", f.verdict());
        n.put("team", f.team());
        n.put("env", f.env());
        return new Entry(at, Long.MAX_VALUE, f.team(), f.env(), n);
    }

    private static void checkId(String incident) throws AfsException {
        Optional<String> problem = IncidentId.problem(incident);
        if (problem.isPresent()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "the incident id " + problem.get());
        }
    }

    private static AfsException unavailable(SQLException e) {
        return new AfsException(AfsError.UNAVAILABLE, "cannot read the incident from the harness database: " + e.getMessage(), e);
    }
}
