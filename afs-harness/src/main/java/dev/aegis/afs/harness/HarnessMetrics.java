package dev.aegis.afs.harness;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;

/**
 * The harness's Prometheus metrics: API requests, change requests by state now (a gauge read
 * from the store at scrape time), state transitions (change requests by the state they enter),
 * gate failures by gate, approval wait. Labels carry no team, env or uid.
 */
public final class HarnessMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder().name("afs_harness_http_requests_total")
            .help("Harness API requests by endpoint and HTTP status").labelNames("endpoint", "status").register(registry);
    private final Counter transitions = Counter.builder().name("afs_harness_transitions_total")
            .help("Change request state transitions").labelNames("from", "to").register(registry);
    private final Counter gateFailures = Counter.builder().name("afs_harness_gate_failures_total")
            .help("Gate failures by gate (evidence, policy, guardrail, budget, approval, kubernetes)").labelNames("gate")
            .register(registry);

    private final Histogram approvalWait = Histogram.builder().name("afs_harness_approval_wait_seconds")
            .help("From submission to the approval that completed a request's approvals")
            .classicOnly().classicUpperBounds(10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400)
            .register(registry);

    private final Counter incidentTransitions = Counter.builder().name("afs_harness_incident_transitions_total")
            .help("Incident state transitions").labelNames("from", "to").register(registry);
    private final Counter incidentUsage = Counter.builder().name("afs_harness_incident_usage_total")
            .help("Budget used by incidents, by kind (reads, bytes, api_calls, tokens)").labelNames("kind").register(registry);
    private final Counter budgetRefusals = Counter.builder().name("afs_harness_incident_budget_refusals_total")
            .help("Change requests refused because their incident's budget cap was used up, by kind").labelNames("kind")
            .register(registry);
    private final Counter escalations = Counter.builder().name("afs_harness_incident_escalations_total")
            .help("Incidents escalated to a human, by why (repeated_read, repeated_action)").labelNames("reason")
            .register(registry);
    private final Counter notifications = Counter.builder().name("afs_harness_notifications_total")
            .help("Incident notification delivery attempts by channel type, event and outcome (delivered, failed, gave_up)")
            .labelNames("type", "event", "outcome").register(registry);
    private final Counter triggers = Counter.builder().name("afs_harness_triggers_total")
            .help("Alert webhooks by sender type and outcome (opened, updated, resolved, refused, unmatched, invalid)")
            .labelNames("type", "outcome").register(registry);

    /** Counts of incidents by state, read at each scrape. */
    private volatile java.util.function.Supplier<java.util.Map<IncidentState, Long>> incidentsByState = java.util.Map::of;

    {
        io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name("afs_harness_incidents")
                .help("Incidents by their state now").labelNames("state")
                .callback(cb -> {
                    java.util.Map<IncidentState, Long> counts;
                    try {
                        counts = incidentsByState.get();
                    } catch (RuntimeException e) {
                        return;
                    }
                    for (IncidentState st : IncidentState.values()) {
                        cb.call(counts.getOrDefault(st, 0L), st.name());
                    }
                }).register(registry);
    }

    public void incidentsByState(java.util.function.Supplier<java.util.Map<IncidentState, Long>> counts) {
        this.incidentsByState = java.util.Objects.requireNonNull(counts, "counts is null");
    }

    public void incidentTransition(IncidentState from, IncidentState to) {
        incidentTransitions.labelValues(from.name(), to.name()).inc();
    }

    public void incidentUsage(String kind, long amount) {
        incidentUsage.labelValues(kind).inc(amount);
    }

    public void budgetRefusal(String kind) {
        budgetRefusals.labelValues(kind).inc();
    }

    public void incidentEscalation(String reason) {
        escalations.labelValues(reason).inc();
    }

    public void notification(String type, String event, String outcome) {
        notifications.labelValues(type, event, outcome).inc();
    }

    public void trigger(String type, String outcome) {
        triggers.labelValues(type, outcome).inc();
    }

    /** Counts of requests by state, read at each scrape; until the harness is open, all zero. */
    private volatile java.util.function.Supplier<java.util.Map<State, Long>> byState = java.util.Map::of;

    {
        io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name("afs_harness_requests")
                .help("Change requests by their state now").labelNames("state")
                .callback(cb -> {
                    java.util.Map<State, Long> counts;
                    try {
                        counts = byState.get();
                    } catch (RuntimeException e) {
                        return; // a store that cannot be read shows no series rather than wrong ones
                    }
                    for (State st : State.values()) {
                        cb.call(counts.getOrDefault(st, 0L), st.name());
                    }
                }).register(registry);
    }

    /** Where the gauge of requests by state reads its counts (the harness's store). */
    public void requestsByState(java.util.function.Supplier<java.util.Map<State, Long>> counts) {
        this.byState = java.util.Objects.requireNonNull(counts, "counts is null");
    }

    public void request(String endpoint, int status) {
        requests.labelValues(endpoint, String.valueOf(status)).inc();
    }

    public void transition(State from, State to) {
        transitions.labelValues(from == null ? "" : from.name(), to.name()).inc();
    }

    public void gateFailure(String gate) {
        gateFailures.labelValues(gate).inc();
    }

    public void approvalWait(Duration waited) {
        approvalWait.observe(Math.max(0, waited.toMillis()) / 1000.0);
    }

    /** The text exposition format. */
    public byte[] scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        return out.toByteArray();
    }
}
