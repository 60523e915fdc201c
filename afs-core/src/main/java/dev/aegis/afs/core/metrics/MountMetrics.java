package dev.aegis.afs.core.metrics;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.AfsError;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Map;

/**
 * The mount daemon's Prometheus metrics. Labels carry the tree's structure (file type), the
 * operator's backend names, outcomes, errno names and redaction kinds, never a team, env,
 * path, query, uid or line of content: metrics leave the tenant boundary (a shared Prometheus)
 * and must say how the mount behaves, not what anyone read.
 */
public final class MountMetrics {

    /** Backend latency buckets, seconds: a scan of a local file takes milliseconds, a Logs Insights query minutes. */
    private static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

    private final PrometheusRegistry registry;
    private final Counter reads;
    private final Counter errors;
    private final Histogram backendSeconds;
    private final Counter backendBytes;
    private final Counter cacheHits;
    private final Counter snapshots;
    private final Counter evidenceBytes;
    private final Counter redactions;
    private final Counter quotaRefusals;

    public MountMetrics() {
        this(new PrometheusRegistry());
    }

    public MountMetrics(PrometheusRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
        reads = Counter.builder().name("afs_reads_total")
                .help("Opens for reading, by file type and outcome (ok or the errno name)")
                .labelNames("type", "outcome").register(registry);
        errors = Counter.builder().name("afs_fuse_errors_total")
                .help("Failed FUSE operations by operation and errno (lookups of missing names excluded)")
                .labelNames("operation", "errno").register(registry);
        backendSeconds = Histogram.builder().name("afs_backend_request_seconds")
                .help("Backend reads (one per live read that was not served from the cache), by backend and outcome")
                .classicOnly().classicUpperBounds(LATENCY_BUCKETS)
                .labelNames("backend", "outcome").register(registry);
        backendBytes = Counter.builder().name("afs_backend_received_bytes_total")
                .help("Bytes received from each backend (disk or network)")
                .labelNames("backend").register(registry);
        cacheHits = Counter.builder().name("afs_cache_hits_total")
                .help("Live reads served without a backend query: within cache_ttl (ttl) or joined to a running one (in_flight)")
                .labelNames("kind").register(registry);
        snapshots = Counter.builder().name("afs_evidence_snapshots_total")
                .help("Evidence snapshots written").register(registry);
        evidenceBytes = Counter.builder().name("afs_evidence_bytes_total")
                .help("Bytes of evidence snapshots written").register(registry);
        redactions = Counter.builder().name("afs_redactions_total")
                .help("Values redacted before they were served or stored, by kind (EMAIL, IPV4, ...)")
                .labelNames("kind").register(registry);
        quotaRefusals = Counter.builder().name("afs_quota_refusals_total")
                .help("Reads refused because a quota was exhausted, by quota")
                .labelNames("quota").register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** An open for reading of {@code treePath} finished; {@code error} is null on success. */
    public void read(String treePath, AfsError error) {
        reads.labelValues(FileType.of(treePath).label(), error == null ? "ok" : error.errno()).inc();
    }

    public void fuseError(String operation, AfsError error) {
        errors.labelValues(operation, error.errno()).inc();
    }

    /** One backend read; {@code error} is null on success. */
    public void backendRequest(String backend, Duration took, AfsError error) {
        backendSeconds.labelValues(backend, error == null ? "ok" : error.name().toLowerCase(java.util.Locale.ROOT))
                .observe(took.toNanos() / 1e9);
    }

    public void backendBytes(String backend, long bytes) {
        if (bytes > 0) {
            backendBytes.labelValues(backend).inc(bytes);
        }
    }

    public void cacheHit(boolean inFlight) {
        cacheHits.labelValues(inFlight ? "in_flight" : "ttl").inc();
    }

    public void snapshot(long bytes) {
        snapshots.inc();
        evidenceBytes.inc(bytes);
    }

    public void redacted(Map<String, Long> countsByKind) {
        countsByKind.forEach((kind, n) -> {
            if (n > 0) {
                redactions.labelValues(kind).inc(n);
            }
        });
    }

    /** For the quota work: a read refused because {@code quota} (e.g. {@code bytes_per_hour}) is used up. */
    public void quotaRefusal(String quota) {
        quotaRefusals.labelValues(quota).inc();
    }
}
