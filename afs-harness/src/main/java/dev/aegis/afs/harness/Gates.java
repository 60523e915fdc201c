package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.harness.ChangeRequest.Action;
import dev.aegis.afs.harness.StoredRequest.StoredAction;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validation gates, in order: evidence, policy (allowlist, namespaces, live target,
 * CEL guardrails), budget, loops, then the approvals the risk needs. Every failure is
 * {@code "<gate>: <what and how to fix>"}; notes (loop escalation, low confidence) do not
 * reject but raise the approvals.
 */
final class Gates {

    /** What the gates decided, with the risk report and the report of each gate's outcome that the harness stores. */
    record Result(List<String> failures, List<String> notes, int requiredApprovals, RiskReport risk, GateReport report,
                  Optional<String> escalation) {
    }

    private final HarnessConfig.Policy policy;
    private final EvidenceGate evidenceGate;
    private final Guardrails guardrails;
    private final LiveState cluster;
    private final RequestStore store;
    private final Clock clock;
    private final HarnessMetrics metrics;
    private final dev.aegis.afs.core.access.AccessPolicy access;
    private final ServiceGraphs graphs;
    private final ConfigHistories histories;
    private final java.util.function.Supplier<Incidents> incidents;

    /** How long the risk report waits for the configuration history before listing it as unread. */
    static final Duration HISTORY_BUDGET = Duration.ofSeconds(3);

    Gates(HarnessConfig.Policy policy, EvidenceGate evidenceGate, Guardrails guardrails, LiveState cluster, RequestStore store,
          Clock clock, HarnessMetrics metrics, dev.aegis.afs.core.access.AccessPolicy access, ServiceGraphs graphs,
          ConfigHistories histories, java.util.function.Supplier<Incidents> incidents) {
        this.incidents = requireNonNull(incidents, "incidents is null");
        this.graphs = requireNonNull(graphs, "graphs is null");
        this.histories = requireNonNull(histories, "histories is null");
        this.access = requireNonNull(access, "access is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.evidenceGate = requireNonNull(evidenceGate, "evidenceGate is null");
        this.guardrails = requireNonNull(guardrails, "guardrails is null");
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    /**
     * @param phase {@code submit} or {@code execution}, recorded in the report
     */
    Result run(String id, StoredRequest r, ChangeRequest cr, ChangePolicy p, String phase) throws SQLException {
        List<String> failures = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String where = "teams." + cr.team() + "." + cr.env() + ".changes";
        GateReport.Builder evidence = new GateReport.Builder("evidence");
        GateReport.Builder allowlist = new GateReport.Builder("allowlist");
        GateReport.Builder namespaces = new GateReport.Builder("namespaces");
        GateReport.Builder target = new GateReport.Builder("target");
        GateReport.Builder guards = new GateReport.Builder("guardrails");
        GateReport.Builder budget = new GateReport.Builder("budget");
        GateReport.Builder loops = new GateReport.Builder("loops");
        GateReport.Builder confidence = new GateReport.Builder("confidence");
        GateReport.Builder approvals = new GateReport.Builder("approvals");
        // EVIDENCE GATE: run at submit and again right before each action (Harness.recheck)
        for (EvidenceGate.Verdict v : evidenceGate.verify(cr.team(), cr.env(), cr.evidence())) {
            if (v.problem().isPresent()) {
                fail(failures, "evidence", v.problem().get());
                evidence.failed(v.problem().get());
            } else {
                evidence.passed(v.verified());
            }
        }
        Instant now = clock.instant();
        Map<String, Object> incident = Guardrails.map("id", cr.incidentId(), "team", cr.team(), "env", cr.env(),
                "confidence", cr.confidence(), "frozen", policy.freeze() || p.guardrails().freeze(),
                "in_window", p.guardrails().windows().isEmpty()
                        || p.guardrails().windows().stream().anyMatch(w -> w.contains(now.atZone(ZoneOffset.UTC))));
        List<String> allowed = p.allow().stream().map(ChangeRequest.Tool::wireName).sorted().toList();
        List<Long> replicas = new ArrayList<>();
        // RISK: the service graph once per run, before the guardrails (CEL reads target.dependants)
        Optional<ServiceGraphs.Reading> graph = Optional.empty();
        Optional<String> graphProblem = Optional.empty();
        try {
            graph = graphs.graph(cr.team(), cr.env());
        } catch (dev.aegis.afs.core.AfsException | RuntimeException e) {
            graphProblem = Optional.of("the service graph could not be read: " + e.getMessage());
        }
        RiskPolicy riskPolicy = policy.risk();
        List<String> unread = new ArrayList<>();
        Optional<ConfigHistories.Found> commits = Optional.empty();
        // bounded: a slow repository must not hold a submission past its client's timeout
        java.util.concurrent.CompletableFuture<Optional<ConfigHistories.Found>> reading =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return histories.commits(cr.team(), cr.env(), now.minus(riskPolicy.recentChanges()));
                    } catch (dev.aegis.afs.core.AfsException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
        try {
            commits = reading.get(HISTORY_BUDGET.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            reading.cancel(true);
            unread.add("the configuration history was not read within " + HISTORY_BUDGET.toSeconds() + "s");
        } catch (java.util.concurrent.ExecutionException e) {
            unread.add("the configuration history could not be read: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unread.add("the configuration history was not read: interrupted");
        }
        List<RiskReport.ActionRisk> risks = new ArrayList<>();
        for (Action a : cr.actions()) {
            replicas.add(0L);
            if (!p.allow().contains(a.tool())) {
                String m = a.field() + ".tool: " + a.tool().wireName() + " is not allowed for " + cr.team()
                        + "/" + cr.env() + " (allowed: " + (p.allow().isEmpty() ? "nothing" : allowed) + "); add it to "
                        + where + ".allow in namespaces.yaml";
                fail(failures, "policy", m);
                allowlist.failed(m);
                continue;
            }
            allowlist.passed(a.field() + " " + a.tool().wireName() + " is allowed (" + where + ".allow: " + allowed + ")");
            Optional<String> ns = p.namespaceFor(a.target().namespace());
            if (ns.isEmpty()) {
                String m = a.field() + ".target.namespace: " + cr.team() + "/" + cr.env()
                        + " may only change namespaces " + p.namespaces() + "; target one of them";
                fail(failures, "policy", m);
                namespaces.failed(m);
                continue;
            }
            namespaces.passed(a.field() + " changes namespace " + ns.get() + " (" + where + ".namespaces: " + p.namespaces() + ")");
            Map<String, Object> live;
            try {
                live = cluster.liveState(a.target(), ns.get());
            } catch (Cluster.TargetMissing e) {
                fail(failures, "policy", a.field() + ".target: " + e.getMessage());
                target.failed(a.field() + ".target: " + e.getMessage());
                continue;
            } catch (KubernetesClientException e) {
                String m = a.field() + ".target: cannot read live state (" + e.getMessage()
                        + "), so the guardrails cannot be checked; retry when the API server answers";
                fail(failures, "kubernetes", m);
                target.failed(m);
                continue;
            }
            target.passed(a.field() + " " + a.target().kind() + " " + ns.get() + "/" + a.target().name() + " read live: "
                    + live.get("replicas") + " replicas, " + live.get("ready_replicas") + " ready");
            replicas.set(replicas.size() - 1, (Long) live.get("replicas"));
            RiskReport.ActionRisk risk = risk(replicas.size() - 1, id, a, ns.get(), live, graph, graphProblem, commits,
                    riskPolicy, now, unread);
            risks.add(risk);
            live = new java.util.LinkedHashMap<>(live);
            live.put("dependants", (long) risk.dependants().size());
            live.put("wide_blast_radius_from", (long) riskPolicy.wideBlastRadius());
            live.put("recent_changes", (long) risk.recentChanges().size());
            live.put("similar_actions", risk.history().finished());
            live.put("similar_failures", risk.history().failed());
            Object memory = a.params().get("limits") instanceof Map<?, ?> m && m.get("memory") != null
                    ? Cluster.bytes((String) m.get("memory")) : 0L;
            Map<String, Object> action = Guardrails.map("tool", a.tool().wireName(), "kind", a.target().kind(),
                    "name", a.target().name(), "namespace", ns.get(),
                    "replicas", a.params().getOrDefault("replicas", 0L), "memory_limit_bytes", memory);
            List<Guardrails.Violation> violations = guardrails.evaluate(action, live, incident, p.guardrails());
            for (Guardrails.Violation v : violations) {
                fail(failures, "guardrail", a.field() + ": " + v.message());
                guards.failed(a.field() + ": " + v.message());
            }
            List<String> held = Guardrails.ruleNames(p.guardrails()).stream()
                    .filter(n -> violations.stream().noneMatch(v -> v.rule().equals(n))).toList();
            if (!held.isEmpty()) {
                guards.passed(a.field() + " passed " + String.join(", ", held));
            }
        }
        long hourAgo = now.minus(Duration.ofHours(1)).toEpochMilli();
        int used = store.actionsForIncident(cr.incidentId(), hourAgo, id);
        if (used + cr.actions().size() > policy.maxActionsPerIncidentPerHour()) {
            String m = "incident " + cr.incidentId() + " already used " + used + " of "
                    + policy.maxActionsPerIncidentPerHour() + " actions in the last hour and this request adds "
                    + cr.actions().size() + "; wait, or ask a human to act directly";
            fail(failures, "budget", m);
            budget.failed(m);
        } else {
            budget.passed("incident " + cr.incidentId() + " used " + used + " of " + policy.maxActionsPerIncidentPerHour()
                    + " actions in the last hour (policy.max_actions_per_incident_per_hour); this request adds "
                    + cr.actions().size());
        }
        // the incident's own caps and state, at submit: an approved request a person let through still runs
        if (phase.equals("submit")) {
            Optional<String> refusal = incidents.get().refusal(cr.incidentId(), cr.team(), cr.env());
            if (refusal.isPresent()) {
                int colon = refusal.get().indexOf(": ");
                failures.add(refusal.get());
                metrics.gateFailure(refusal.get().substring(0, colon));
                budget.failed(refusal.get().substring(colon + 2));
            } else if (incidents.get().get(cr.incidentId()).isPresent()) {
                Incident i = incidents.get().get(cr.incidentId()).get();
                budget.passed("incident " + i.id() + " (" + i.state() + ") within its caps: "
                        + incidents.get().budgetText(i).lines().skip(1).map(String::strip)
                        .collect(java.util.stream.Collectors.joining(", ")));
            }
        }
        boolean escalated = false;
        Optional<String> escalation = Optional.empty();
        for (int i = 0; i < cr.actions().size(); i++) {
            Action a = cr.actions().get(i);
            StoredAction sa = r.actions().get(i);
            int same = store.sameActionCount(sa.tool(), sa.target(), now.minus(policy.loopWindow()).toEpochMilli(), id);
            if (same + 1 >= policy.loopThreshold()) {
                escalated = true;
                metrics.gateFailure("loop");
                String note = "loop: " + a.field() + " repeats " + sa.tool() + " on " + sa.target() + " (" + (same + 1)
                        + " times within " + policy.loopWindow().toMinutes() + " min); escalated to a human approver";
                notes.add(note);
                loops.noted(note);
                if (escalation.isEmpty() && phase.equals("submit")
                        && citesNothingNew(cr, sa, now.minus(policy.loopWindow()).toEpochMilli(), id)) {
                    escalation = Optional.of("repeated action: " + sa.tool() + " on " + sa.target() + " requested "
                            + (same + 1) + " times within " + policy.loopWindow().toMinutes() + " min citing no evidence "
                            + "the earlier requests did not (request " + id + "); automated actions stop until a person "
                            + "resumes the incident");
                }
            } else {
                loops.passed(a.field() + " " + sa.tool() + " on " + sa.target() + ": " + (same + 1) + " time(s) within "
                        + policy.loopWindow().toMinutes() + " min, under policy.loop_threshold " + policy.loopThreshold());
            }
        }
        boolean low = cr.confidence() < policy.confidenceThreshold();
        if (low) {
            String note = "confidence: " + cr.confidence() + " is below " + policy.confidenceThreshold()
                    + "; a human must approve";
            notes.add(note);
            confidence.noted(note);
        } else {
            confidence.passed(cr.confidence() + " is at least policy.confidence_threshold " + policy.confidenceThreshold());
        }
        RiskReport risk = new RiskReport(graph.map(ServiceGraphs.Reading::source)
                .orElse(graphProblem.isPresent() ? "unreadable" : "none: " + cr.team() + "/" + cr.env() + " has no traces: section"),
                graphProblem, commits.map(ConfigHistories.Found::source).orElse("none"), unread, riskPolicy, risks);
        notes.addAll(risk.notes(id));
        ApprovalPolicy.Decision decision = ApprovalPolicy.decide(cr.actions(), replicas, policy.largeWorkload(),
                p.minApprovals(), low, escalated, risk.approvalReasons(cr.actions().size()));
        int required = decision.required();
        if (failures.isEmpty() && required > 0 && !access.hasApprovers(cr.team(), cr.env())) {
            String m = "this change needs " + required + " approval(s) but " + cr.team() + "/" + cr.env()
                    + " has no approvers; add changes.approvers [user:..., group:...] in namespaces.yaml";
            fail(failures, "approval", m);
            approvals.failed(m);
        } else {
            approvals.passed(decision.why());
        }
        String notReached = "not checked: an earlier gate failed for every action";
        GateReport report = new GateReport(phase, clock.instant(), r.documentSha256(), List.of(
                evidence.build("no evidence cited"), allowlist.build(notReached), namespaces.build(notReached),
                target.build(notReached), guards.build(notReached), budget.build(notReached), loops.build(notReached),
                confidence.build(notReached), approvals.build(notReached)), notes, required, decision.why());
        return new Result(failures, notes, required, risk, report, escalation);
    }

    /** Whether every snapshot {@code cr} cites was already cited by an earlier request with the same action. */
    private boolean citesNothingNew(ChangeRequest cr, StoredAction sa, long since, String id) throws SQLException {
        java.util.Set<String> earlier = new java.util.HashSet<>();
        for (StoredRequest r : store.withSameAction(sa.tool(), sa.target(), since, id)) {
            try {
                ChangeRequestParser.parse(r.id(), r.document().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .evidence().forEach(p -> earlier.add(p.sha256()));
            } catch (PlanProblems e) {
                // stored requests parsed once; one that no longer does cites nothing we can compare
            }
        }
        return cr.evidence().stream().allMatch(p -> earlier.contains(p.sha256()));
    }

    /**
     * One action's risk: its dependants (callers in the graph of the workload's name or of a
     * Service selecting its pods, then the Ingresses routing to those), its recent changes (commits
     * naming it, its rollouts in the window) and the ledger's outcomes of the same action on similar
     * targets (same tool, kind and namespace). What cannot be read is listed, never guessed.
     */
    private RiskReport.ActionRisk risk(int index, String id, Action a, String ns, Map<String, Object> live,
                                       Optional<ServiceGraphs.Reading> graph, Optional<String> graphProblem,
                                       Optional<ConfigHistories.Found> commits, RiskPolicy riskPolicy, Instant now,
                                       List<String> unread) throws SQLException {
        String name = a.target().name();
        LiveState.Routing routing = LiveState.Routing.NONE;
        List<LiveState.Rollout> rollouts = List.of();
        try {
            routing = cluster.routing(a.target(), ns);
            rollouts = cluster.rollouts(a.target(), ns);
        } catch (Cluster.TargetMissing | KubernetesClientException e) {
            unread.add(a.field() + ": the Services, Ingresses and rollouts of " + name + " could not be read: " + e.getMessage());
        }
        java.util.LinkedHashSet<String> knownAs = new java.util.LinkedHashSet<>();
        knownAs.add(name);
        knownAs.addAll(routing.services());
        List<RiskReport.Dependant> dependants = new ArrayList<>(graph.map(g -> RiskReport.callers(g.graph(), knownAs))
                .orElse(List.of()));
        routing.ingresses().forEach(i -> dependants.add(RiskReport.Dependant.ingress(i)));
        List<RiskReport.Change> changes = new ArrayList<>();
        Instant since = now.minus(riskPolicy.recentChanges());
        for (dev.aegis.afs.core.git.GitBackend.FolderCommit c : commits.map(ConfigHistories.Found::commits).orElse(List.of())) {
            boolean names = knownAs.stream().anyMatch(n -> c.subject().contains(n) || c.diff().contains(n)
                    || c.paths().stream().anyMatch(p -> p.contains(n)));
            if (names) {
                changes.add(new RiskReport.Change("git", c.time(), c.id().substring(0, 12) + " " + c.author() + ": "
                        + c.subject() + " (" + String.join(", ", c.paths()) + ")"));
            }
        }
        for (LiveState.Rollout r : rollouts) {
            if (!r.at().isBefore(since)) {
                changes.add(new RiskReport.Change("rollout", r.at(), "revision " + r.revision()
                        + (r.images().isEmpty() ? "" : " (" + r.images() + ")")));
            }
        }
        changes.sort(java.util.Comparator.comparing(RiskReport.Change::at));
        String prefix = ns + "/" + a.target().kind() + "/";
        RequestStore.Outcomes outcomes = store.outcomes(a.tool().wireName(), prefix,
                now.minus(riskPolicy.history()).toEpochMilli(), id);
        RiskReport.Radius radius = graph.isPresent() ? RiskReport.Radius.KNOWN
                : graphProblem.isPresent() ? RiskReport.Radius.UNREADABLE : RiskReport.Radius.NO_TRACES;
        return new RiskReport.ActionRisk(index, a.tool().wireName(), prefix + name, name, List.copyOf(knownAs), dependants,
                radius, (Long) live.get("replicas"), (Long) live.getOrDefault("ready_replicas", 0L),
                (Long) live.getOrDefault("pods_at_once", 0L), changes,
                new RiskReport.History(a.target().kind() + "s in " + ns, outcomes.finished(), outcomes.failed()));
    }

    private void fail(List<String> failures, String gate, String message) {
        metrics.gateFailure(gate);
        failures.add(gate + ": " + message);
    }
}
