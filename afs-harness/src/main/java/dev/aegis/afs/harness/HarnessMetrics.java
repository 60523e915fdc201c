package dev.aegis.afs.harness;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** The harness's Prometheus metrics: API requests, state transitions, gate failures. */
public final class HarnessMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder().name("afs_harness_http_requests_total")
            .help("Harness API requests by endpoint and HTTP status").labelNames("endpoint", "status").register(registry);
    private final Counter transitions = Counter.builder().name("afs_harness_transitions_total")
            .help("Change request state transitions").labelNames("from", "to").register(registry);
    private final Counter gateFailures = Counter.builder().name("afs_harness_gate_failures_total")
            .help("Gate failures by gate (evidence, policy, guardrail, budget, approval, kubernetes)").labelNames("gate")
            .register(registry);

    public void request(String endpoint, int status) {
        requests.labelValues(endpoint, String.valueOf(status)).inc();
    }

    public void transition(State from, State to) {
        transitions.labelValues(from == null ? "" : from.name(), to.name()).inc();
    }

    public void gateFailure(String gate) {
        gateFailures.labelValues(gate).inc();
    }

    /** The text exposition format. */
    public byte[] scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        return out.toByteArray();
    }
}
