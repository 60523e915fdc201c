package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import java.net.URI;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The incident lifecycle: opening (by alert or by hand), one state machine per incident driven
 * by its change requests, its budget, the repeats that escalate it to a human, and the
 * notifications. Every change commits in one store transaction with its ledger entry; a
 * notification is queued only after that commit.
 */
public final class Incidents implements RequestStore.TransitionListener {

    /** What opens an incident. {@code id} empty: the next INC-&lt;n&gt;. */
    public record Opening(Optional<String> id, String team, String env, String severity, String title, String source,
                          Optional<String> sourceKey, ArrayNode alerts, Map<String, Long> caps) {
        /** {@code caps}: budget caps for this incident below the configured ones, e.g. {@code {tokens: 50000}}. */
        public Opening {
            requireNonNull(id, "id is null");
            requireNonNull(team, "team is null");
            requireNonNull(env, "env is null");
            requireNonNull(severity, "severity is null");
            requireNonNull(title, "title is null");
            requireNonNull(source, "source is null");
            requireNonNull(sourceKey, "sourceKey is null");
            requireNonNull(alerts, "alerts is null");
            caps = Map.copyOf(caps);
            for (Map.Entry<String, Long> e : caps.entrySet()) {
                if (!IncidentBudget.KINDS.contains(e.getKey()) || e.getValue() < 1) {
                    throw new IllegalArgumentException("'" + e.getKey() + "=" + e.getValue() + "' is not a budget cap; use one of "
                            + IncidentBudget.KINDS + " with a count of 1 or more, e.g. tokens=50000");
                }
            }
            if (id.isPresent() && !Incident.ID.matcher(id.get()).matches()) {
                throw new IllegalArgumentException("'" + id.get() + "' is not an incident id; use 1 to 64 letters, digits, "
                        + "'.', '_' or '-', e.g. INC-7");
            }
        }
    }

    static final String HARNESS = Harness.HARNESS;

    private final RequestStore store;
    private final IncidentScopes scopes;
    private final ChangePolicies policies;
    private final IncidentSettings settings;
    private final URI publicUrl;
    private final Clock clock;
    private final HarnessMetrics metrics;
    private final IncidentNotifier notifier;

    Incidents(RequestStore store, IncidentScopes scopes, ChangePolicies policies, IncidentSettings settings, URI publicUrl,
              Clock clock, HarnessMetrics metrics) {
        this.store = requireNonNull(store, "store is null");
        this.scopes = requireNonNull(scopes, "scopes is null");
        this.policies = requireNonNull(policies, "policies is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.publicUrl = requireNonNull(publicUrl, "publicUrl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.notifier = new IncidentNotifier(settings, clock, this::delivered);
        store.onTransition(this);
        metrics.incidentsByState(() -> {
            try {
                return store.read(tx -> IncidentStore.countByState(tx.connection()));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    IncidentSettings settings() {
        return settings;
    }

    IncidentScopes scopes() {
        return scopes;
    }

    // ---- opening and alerts ----

    /** Opens an incident; ALREADY_EXISTS when the chosen id is taken. */
    public Incident open(Opening o, String actor) throws SQLException, AfsException {
        IncidentScopes.Scope scope = scopes.of(o.team(), o.env()).orElseThrow(() -> new AfsException(AfsError.INVALID_ARGUMENT,
                o.team() + "/" + o.env() + " is not a team/env of namespaces.yaml; open the incident in one of its envs"));
        if (o.id().isPresent() && get(o.id().get()).isPresent()) {
            throw new AfsException(AfsError.ALREADY_EXISTS, "incident " + o.id().get() + " already exists; show it with "
                    + "afs incident show " + o.id().get() + ", or choose another id");
        }
        IncidentBudget caps = lowered(scope.caps(settings.budget()), o.caps());
        return store.inTransaction(tx -> {
            String id = o.id().isPresent() ? o.id().get() : IncidentStore.nextId(tx.connection());
            long now = clock.millis();
            Incident i = new Incident(id, IncidentState.TRIAGE, o.severity(), o.team(), o.env(), o.title(), o.source(),
                    o.sourceKey(), context(id, o, scope, caps, now), Optional.empty(), now, now);
            IncidentStore.insert(tx.connection(), i);
            tx.recordFor(IncidentTimeline.feedbackRequest(id), i.team(), i.env(), "incident_opened", actor, RequestStore.detail("incident", id, "state",
                    i.state().name(), "severity", i.severity(), "title", i.title(), "source", i.source(),
                    "alerts", o.alerts().size(), "budget", i.caps().json()));
            tx.afterCommit(() -> notify("opened", i, Optional.empty(), Optional.empty()));
            return i;
        });
    }

    /**
     * An alert group from a sender: opens an incident for the first firing notification of
     * {@code key}, updates the alerts of the open one afterwards, and when every alert has
     * resolved closes it where the state machine allows (resolved after the change was verified,
     * or before anything was planned); otherwise the resolution is recorded and a human decides.
     *
     * @return the incident, and whether it was opened by this notification; empty when the group
     *         resolved without an open incident
     */
    public Optional<Incident> alert(String source, String key, IncidentScopes.Scope scope, String severity, String title,
                                    ArrayNode alerts) throws SQLException, AfsException {
        Optional<Incident> current = openBySource(source, key);
        boolean firing = false;
        for (JsonNode a : alerts) {
            firing |= a.path("status").asText().equals("firing");
        }
        if (current.isEmpty()) {
            if (!firing) {
                return Optional.empty();
            }
            return Optional.of(open(new Opening(Optional.empty(), scope.team(), scope.env(), severity, title, source,
                    Optional.of(key), alerts, Map.of()), source));
        }
        Incident i = current.get();
        boolean allResolved = !firing;
        store.inTransaction(tx -> {
            ObjectNode ctx = i.context().deepCopy();
            ArrayNode merged = merge((ArrayNode) ctx.path("alerts"), alerts);
            ctx.set("alerts", merged);
            long now = clock.millis();
            IncidentStore.updateContext(tx.connection(), i.id(), severity, ctx, now);
            tx.recordFor(IncidentTimeline.feedbackRequest(i.id()), i.team(), i.env(), "incident_alerts", source, RequestStore.detail("incident", i.id(),
                    "status", allResolved ? "resolved" : "firing", "alerts", alerts.size(), "severity", severity));
            if (allResolved) {
                IncidentState to = IncidentState.CLOSED;
                if (List.of(IncidentState.TRIAGE, IncidentState.DIAGNOSING, IncidentState.VERIFYING).contains(i.state())) {
                    move(tx, i.id(), i.state(), to, source, "the alerts resolved" + (i.state() == IncidentState.VERIFYING
                            ? " after the change was verified" : " before any change"), Optional.empty());
                }
            }
            return null;
        });
        return get(i.id());
    }

    /** Alerts by fingerprint: a later notification replaces an alert's status and times, new ones are added. */
    private static ArrayNode merge(ArrayNode known, ArrayNode incoming) {
        ArrayNode out = known.deepCopy();
        for (JsonNode a : incoming) {
            boolean replaced = false;
            for (int j = 0; j < out.size(); j++) {
                if (out.get(j).path("fingerprint").asText().equals(a.path("fingerprint").asText())) {
                    out.set(j, a);
                    replaced = true;
                }
            }
            if (!replaced) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * {@code configured} with the caps an opener asked for; only lowered, so whoever opens an
     * incident (an agent may) cannot give it more budget than namespaces.yaml and harness.yaml do.
     */
    private static IncidentBudget lowered(IncidentBudget configured, Map<String, Long> asked) throws AfsException {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (String k : IncidentBudget.KINDS) {
            long want = asked.getOrDefault(k, configured.get(k));
            if (want > configured.get(k)) {
                throw new AfsException(AfsError.INVALID_ARGUMENT, "cap " + k + "=" + want + " is above the configured "
                        + configured.get(k) + "; an incident's caps may only be lowered when it is opened (raise them in"
                        + " harness.yaml incidents.budget or the env's incident budget in namespaces.yaml)");
            }
            out.put(k, want);
        }
        return IncidentBudget.of(out);
    }

    /**
     * The context an agent reads at {@code /incidents/<id>/context.yaml}: what fired, where, and
     * the rules it works under (SLO, budget caps, approval policy, change windows, freeze, on-call).
     */
    private ObjectNode context(String id, Opening o, IncidentScopes.Scope scope, IncidentBudget caps, long now) {
        ChangePolicy p = policies.policy(o.team(), o.env());
        ObjectNode c = Ledger.JSON.createObjectNode();
        c.put("incident_id", id);
        c.put("severity", o.severity());
        c.put("title", o.title());
        c.put("opened_at", Instant.ofEpochMilli(now).toString());
        c.put("source", o.source());
        ObjectNode s = c.putObject("scope");
        s.put("team", o.team());
        s.put("env", o.env());
        c.set("alerts", o.alerts());
        c.set("slo", scope.slo());
        c.set("budget", caps.json());
        ObjectNode ap = c.putObject("approval_policy");
        ap.put("mode", p.mode().name().toLowerCase(java.util.Locale.ROOT));
        ap.put("min_approvals", p.minApprovals());
        ap.put("approval_ttl", p.approvalTtl().toString());
        ap.set("approvers", Ledger.JSON.valueToTree(scope.approvers()));
        ap.set("allow", Ledger.JSON.valueToTree(p.allow().stream().map(ChangeRequest.Tool::wireName).sorted().toList()));
        c.set("change_windows", Ledger.JSON.valueToTree(p.guardrails().windows().stream().map(ChangePolicy.Window::text).toList()));
        c.put("freeze", p.guardrails().freeze());
        c.set("on_call", Ledger.JSON.valueToTree(scope.onCall()));
        return c;
    }

    // ---- the state machine ----

    /**
     * Moves incident {@code id} from {@code from} to {@code to} one legal step at a time, each
     * step a ledger entry in this transaction; notifies after the commit when it enters
     * PENDING_APPROVAL, ESCALATED or CLOSED.
     */
    private void move(RequestStore.Tx tx, String id, IncidentState from, IncidentState to, String actor, String reason,
                      Optional<String> request) throws SQLException {
        List<IncidentState> steps = from.path(to).orElseThrow(() -> new IllegalStateException(
                "illegal incident transition " + from + " -> " + to + "; from " + from + " an incident may only move to "
                        + (from.next().isEmpty() ? "nothing (it is closed)" : from.next())));
        IncidentState at = from;
        for (IncidentState next : steps) {
            at.requireMoveTo(next);
            if (!IncidentStore.moveState(tx.connection(), id, at, next, clock.millis())) {
                throw new SQLException("incident " + id + " is no longer " + at + ": it moved meanwhile");
            }
            Incident i = IncidentStore.get(tx.connection(), id).orElseThrow();
            ObjectNode d = RequestStore.detail("incident", id, "from", at.name(), "to", next.name(), "reason", reason);
            request.ifPresent(r -> d.put("request", r));
            // findable by incident, as the timeline and the ledger slice of /incidents/<id>/ look for it
            tx.recordFor(IncidentTimeline.feedbackRequest(id), i.team(), i.env(), "incident_transition", actor, d);
            IncidentState f = at;
            tx.afterCommit(() -> metrics.incidentTransition(f, next));
            String event = switch (next) {
                case PENDING_APPROVAL -> "pending_approval";
                case ESCALATED -> "escalated";
                case CLOSED -> "closed";
                default -> "";
            };
            if (!event.isEmpty()) {
                tx.afterCommit(() -> notify(event, i, Optional.of(reason), request));
            }
            at = next;
        }
    }

    /** A change request moved: its incident follows (not while a human has it, nor once closed). */
    @Override
    public void moved(RequestStore.Tx tx, String requestId, State from, State to, String actor) throws SQLException {
        Optional<String> incident = incidentOf(tx, requestId);
        if (incident.isEmpty()) {
            return;
        }
        Optional<Incident> found = IncidentStore.get(tx.connection(), incident.get());
        if (found.isEmpty() || found.get().state() == IncidentState.ESCALATED || found.get().state() == IncidentState.CLOSED) {
            return; // a request naming no incident of ours runs as before; an escalated one waits for a human
        }
        Incident i = found.get();
        IncidentState target = IncidentState.drivenBy(to);
        if (target != i.state() && i.state().path(target).isPresent()) {
            move(tx, i.id(), i.state(), target, actor, "change request " + requestId + " is " + to, Optional.of(requestId));
        }
    }

    private static Optional<String> incidentOf(RequestStore.Tx tx, String requestId) throws SQLException {
        try (var ps = tx.connection().prepareStatement("SELECT incident FROM requests WHERE id = ?")) {
            ps.setString(1, requestId);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /**
     * A person moves the incident (e.g. resumes an escalated one: DIAGNOSING, or closes it).
     * Agents never do: an escalated incident stays with humans.
     */
    public Incident transition(String id, IncidentState to, String actor, boolean agent, String reason)
            throws SQLException, AfsException {
        if (agent) {
            throw new AfsException(AfsError.ACCESS_DENIED, "an agent cannot move incident " + id + " by hand; its change "
                    + "requests and reads move it, and a person resumes or closes it");
        }
        if (reason == null || reason.isBlank()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "moving an incident by hand needs a reason; pass --reason \"...\"");
        }
        Incident i = existing(id);
        if (!i.state().canMoveTo(to)) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "incident " + id + " is " + i.state() + " and cannot move to "
                    + to + "; from " + i.state() + " it may only move to "
                    + (i.state().next().isEmpty() ? "nothing (it is closed)" : i.state().next()));
        }
        store.inTransaction(tx -> {
            move(tx, id, i.state(), to, actor, reason, Optional.empty());
            if (i.state() == IncidentState.ESCALATED) {
                IncidentStore.setEscalation(tx.connection(), id, null);
            }
            return null;
        });
        return existing(id);
    }

    /**
     * Escalates to a human: automated actions stop (new change requests of the incident are
     * refused) until a person resumes it. Once only; an escalated or closed incident stays so.
     */
    public void escalate(String id, String kind, String why, String actor) throws SQLException {
        store.inTransaction(tx -> {
            Optional<Incident> i = IncidentStore.get(tx.connection(), id);
            if (i.isEmpty() || !i.get().state().canMoveTo(IncidentState.ESCALATED)) {
                return null;
            }
            IncidentStore.setEscalation(tx.connection(), id, why);
            move(tx, id, i.get().state(), IncidentState.ESCALATED, actor, why, Optional.empty());
            tx.afterCommit(() -> metrics.incidentEscalation(kind));
            return null;
        });
    }

    // ---- budget and degeneration ----

    /**
     * A capture the mount registered: when its signed record names an incident of this
     * harness in the same team/env, it is charged to it (one read, its bytes, one backend call),
     * moves a new incident to DIAGNOSING, and the same source returning the same content
     * {@code repeat_threshold} times escalates it (nothing new was learned).
     */
    public void readRegistered(JsonNode record) throws SQLException {
        String id = record.path("incident").asText("");
        if (id.isEmpty()) {
            return;
        }
        store.inTransaction(tx -> {
            Optional<Incident> found = IncidentStore.get(tx.connection(), id);
            if (found.isEmpty() || !found.get().team().equals(record.path("team").asText())
                    || !found.get().env().equals(record.path("env").asText()) || !found.get().state().open()) {
                return null; // another env's read cannot spend this incident's budget
            }
            Incident i = found.get();
            long now = clock.millis();
            if (IncidentStore.repeat(tx.connection(), id, "capture:" + record.path("id").asText(), now) > 1) {
                return null; // registered again (a retry): charged once
            }
            long size = record.path("size").asLong(0);
            IncidentStore.addUsage(tx.connection(), id, "reads", 1);
            IncidentStore.addUsage(tx.connection(), id, "bytes", size);
            IncidentStore.addUsage(tx.connection(), id, "api_calls", 1);
            tx.afterCommit(() -> {
                metrics.incidentUsage("reads", 1);
                metrics.incidentUsage("bytes", size);
                metrics.incidentUsage("api_calls", 1);
            });
            if (i.state() == IncidentState.TRIAGE) {
                move(tx, id, i.state(), IncidentState.DIAGNOSING, record.path("caller").path("principal").asText(HARNESS),
                        "first read under the incident: " + record.path("source").asText(), Optional.empty());
            }
            String source = record.path("source").asText();
            int seen = IncidentStore.repeat(tx.connection(), id, "read:" + Harness.sha256((source + "\n"
                    + record.path("sha256").asText()).getBytes(java.nio.charset.StandardCharsets.UTF_8)), now);
            if (seen >= settings.repeatThreshold()) {
                Incident current = IncidentStore.get(tx.connection(), id).orElseThrow();
                if (current.state().canMoveTo(IncidentState.ESCALATED)) {
                    String why = "repeated read: " + source + " returned the same content (sha256 "
                            + record.path("sha256").asText().substring(0, Math.min(12, record.path("sha256").asText().length()))
                            + "...) " + seen + " times without new information (incidents.repeat_threshold "
                            + settings.repeatThreshold() + "); automated actions stop until a person resumes the incident";
                    IncidentStore.setEscalation(tx.connection(), id, why);
                    move(tx, id, current.state(), IncidentState.ESCALATED, HARNESS, why, Optional.empty());
                    tx.afterCommit(() -> metrics.incidentEscalation("repeated_read"));
                }
            }
            return null;
        });
    }

    /** Backend API calls the harness itself made for the incident (the gates' live reads). */
    void apiCalls(String id, long n) throws SQLException {
        if (n <= 0 || get(id).isEmpty()) {
            return;
        }
        store.inTransaction(tx -> {
            IncidentStore.addUsage(tx.connection(), id, "api_calls", n);
            return null;
        });
        metrics.incidentUsage("api_calls", n);
    }

    /** Tokens an agent reports having spent on the incident. */
    public IncidentBudget tokens(String id, long n) throws SQLException, AfsException {
        if (n < 0 || n > 1_000_000_000L) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "tokens must be a count from 0 to 1000000000, not " + n);
        }
        Incident i = existing(id);
        if (!i.state().open()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "incident " + id + " is closed; its budget is final");
        }
        store.inTransaction(tx -> {
            IncidentStore.addUsage(tx.connection(), id, "tokens", n);
            return null;
        });
        metrics.incidentUsage("tokens", n);
        return usage(id);
    }

    /**
     * Why a change request for incident {@code id} in {@code team/env} may not go on, if it may
     * not: the incident is escalated or closed, belongs to another env, or a budget cap is used
     * up. Empty for a request whose incident this harness does not know (it runs as before).
     *
     * @param requestId the request being checked: it counts among the change requests already
     */
    Optional<String> refusal(String id, String team, String env) throws SQLException {
        Optional<Incident> found = get(id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Incident i = found.get();
        if (!i.team().equals(team) || !i.env().equals(env)) {
            return Optional.of("incident: " + id + " is " + i.team() + "/" + i.env() + "'s incident, not " + team + "/" + env
                    + "; cite an incident of this team/env (or open one: afs incident open --team " + team + " --env " + env + ")");
        }
        if (i.state() == IncidentState.ESCALATED) {
            return Optional.of("incident: " + id + " is ESCALATED (" + i.escalation().orElse("by a person")
                    + "); a person takes it from here: afs incident resume " + id + " --reason ... lets automated changes go on");
        }
        if (i.state() == IncidentState.CLOSED) {
            return Optional.of("incident: " + id + " is CLOSED; open a new incident for a new change");
        }
        IncidentBudget used = usage(id);
        IncidentBudget caps = i.caps();
        Optional<String> over = caps.exceeded(used);
        if (over.isPresent()) {
            metrics.budgetRefusal(over.get());
            return Optional.of("budget: incident " + id + " used " + used.get(over.get()) + " " + over.get() + " of its cap "
                    + caps.get(over.get()) + " (budget." + over.get() + " in /incidents/" + id
                    + "/context.yaml); no further change request runs for it until a person raises the cap or takes over");
        }
        return Optional.empty();
    }

    // ---- reading ----

    public Optional<Incident> get(String id) throws SQLException {
        return store.read(tx -> IncidentStore.get(tx.connection(), id));
    }

    /** The open incident a sender opened under {@code key}, if any. */
    public Optional<Incident> openBySource(String source, String key) throws SQLException {
        return store.read(tx -> IncidentStore.openBySource(tx.connection(), source, key));
    }

    public List<Incident> list(int limit) throws SQLException {
        return store.read(tx -> IncidentStore.list(tx.connection(), limit));
    }

    public IncidentBudget usage(String id) throws SQLException {
        return store.read(tx -> IncidentStore.usage(tx.connection(), id));
    }

    List<IncidentStore.Delivery> deliveries(String id) throws SQLException {
        return store.read(tx -> IncidentStore.deliveries(tx.connection(), id));
    }

    private Incident existing(String id) throws SQLException, AfsException {
        return get(id).orElseThrow(() -> new AfsException(AfsError.NOT_FOUND, "no incident " + id + "; list them with afs incident ls"));
    }

    /** The context as the mount shows it: the stored context with the state (and why it is escalated). */
    public ObjectNode contextNow(Incident i) {
        ObjectNode c = Ledger.JSON.createObjectNode();
        c.put("incident_id", i.id());
        c.put("state", i.state().name());
        i.escalation().filter(e -> i.state() == IncidentState.ESCALATED).ifPresent(e -> c.put("escalation", e));
        i.context().fields().forEachRemaining(e -> {
            if (!c.has(e.getKey())) {
                c.set(e.getKey(), e.getValue());
            }
        });
        return c;
    }

    public String contextYaml(Incident i) {
        try {
            return RiskReport.YAML.writeValueAsString(contextNow(i));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public String budgetText(Incident i) throws SQLException {
        return IncidentBudget.text(i.id(), usage(i.id()), i.caps());
    }

    // ---- notifications ----

    private void notify(String event, Incident i, Optional<String> reason, Optional<String> request) {
        ObjectNode p = Ledger.JSON.createObjectNode();
        p.put("event", event);
        p.put("at", clock.instant().toString());
        ObjectNode inc = p.putObject("incident");
        inc.put("id", i.id());
        inc.put("severity", i.severity());
        inc.put("team", i.team());
        inc.put("env", i.env());
        inc.put("title", i.title());
        inc.put("state", switch (event) {
            case "opened" -> IncidentState.TRIAGE.name();
            case "pending_approval" -> IncidentState.PENDING_APPROVAL.name();
            case "escalated" -> IncidentState.ESCALATED.name();
            default -> IncidentState.CLOSED.name();
        });
        reason.ifPresent(r -> p.put("reason", r));
        if (request.isPresent()) {
            p.put("request", request.get());
            if (event.equals("pending_approval")) {
                p.put("approval_url", publicUrl + "/web/requests/" + request.get());
            }
        }
        notifier.send(event, p);
    }

    private void delivered(IncidentStore.Delivery d, String channelType) {
        metrics.notification(channelType, d.event(), d.outcome());
        try {
            store.inTransaction(tx -> {
                // A random id: two notifications of one event to one channel can be tried in the same
                // millisecond (two requests waiting for approval), and each outcome must be kept.
                IncidentStore.delivery(tx.connection(), java.util.UUID.randomUUID().toString(), d);
                return null;
            });
        } catch (SQLException e) {
            org.slf4j.LoggerFactory.getLogger(Incidents.class).warn("notification {} of incident {} to {}: {} (not recorded: {})",
                    d.event(), d.incident(), d.channel(), d.outcome(), e.getMessage());
        }
    }

    /** Waits until the notifications due now were tried (tests). */
    void awaitNotifications() throws InterruptedException {
        notifier.awaitIdle();
    }

    void close() {
        notifier.close();
    }
}
