package dev.aegis.afs.agent;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;

/**
 * What the agent says about itself: {@code status.json} in its data dir (rewritten atomically
 * after every poll) and Prometheus metrics. The lock state is in both, so an operator sees a
 * policy that failed to load without reading logs.
 */
public final class AgentStatus {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final String cluster;
    private final String version;
    private final String agentKeyId;
    private final String agentPublicKey;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge locked = Gauge.builder().name("afs_agent_locked")
            .help("1 while the agent is in hard lock (runs nothing), e.g. its policy file failed to load").register(registry);
    private final Gauge lastPoll = Gauge.builder().name("afs_agent_last_successful_poll_timestamp_seconds")
            .help("When the control plane last answered a poll").register(registry);
    private final Counter polls = Counter.builder().name("afs_agent_polls_total")
            .help("Polls of the control plane by result (ok, error)").labelNames("result").register(registry);
    private final Counter tasks = Counter.builder().name("afs_agent_tasks_total")
            .help("Tasks handled by outcome and reason").labelNames("outcome", "reason").register(registry);

    private Optional<String> lockReason = Optional.empty();
    private Optional<Instant> lastPollAt = Optional.empty();
    private Optional<Instant> lastPollOkAt = Optional.empty();
    private Optional<String> lastPollError = Optional.empty();
    private int undelivered;
    private long tasksHandled;

    public AgentStatus(Path file, String cluster, String version, String agentKeyId, String agentPublicKey) {
        this.file = requireNonNull(file, "file is null");
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.version = requireNonNull(version, "version is null");
        this.agentKeyId = requireNonNull(agentKeyId, "agentKeyId is null");
        this.agentPublicKey = requireNonNull(agentPublicKey, "agentPublicKey is null");
    }

    public synchronized void lock(String reason) {
        lockReason = Optional.of(reason);
        locked.set(1);
    }

    public synchronized Optional<String> lockReason() {
        return lockReason;
    }

    public synchronized void polled(Instant at, Optional<String> error) {
        lastPollAt = Optional.of(at);
        lastPollError = error;
        if (error.isEmpty()) {
            lastPollOkAt = Optional.of(at);
            lastPoll.set(at.getEpochSecond());
        }
        polls.labelValues(error.isEmpty() ? "ok" : "error").inc();
    }

    public synchronized void task(String outcome, String reason) {
        tasks.labelValues(outcome, reason).inc();
        tasksHandled++;
    }

    public synchronized void undelivered(int n) {
        undelivered = n;
    }

    public synchronized ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("cluster", cluster);
        o.put("version", version);
        o.put("agent_key_id", agentKeyId);
        o.put("agent_public_key", agentPublicKey);
        o.put("state", lockReason.isPresent() ? "locked" : "running");
        o.put("lock_reason", lockReason.orElse(null));
        o.put("last_poll_at", lastPollAt.map(Instant::toString).orElse(null));
        o.put("last_successful_poll_at", lastPollOkAt.map(Instant::toString).orElse(null));
        o.put("last_poll_error", lastPollError.orElse(null));
        o.put("control_plane_reachable", lastPollAt.isPresent() && lastPollError.isEmpty());
        o.put("results_undelivered", undelivered);
        o.put("tasks_handled", tasksHandled);
        return o;
    }

    /** Rewrites status.json (write to a temp file, then rename: readers never see half a file). */
    public void write() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, toJson().toPrettyString() + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public byte[] scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        return out.toByteArray();
    }
}
