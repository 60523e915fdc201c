package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.evidence.store.ExpiringStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's retention sweep of a shared evidence store (postgresql): the mounts may
 * only insert there, so the harness, which knows which snapshots open change requests cite,
 * deletes what is older than {@code evidence.retention}. When the open requests cannot be read
 * it deletes nothing: an expired snapshot kept a little longer costs space, a cited one deleted
 * costs a change its evidence.
 */
final class StoreRetention implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StoreRetention.class);

    /** The evidence ids still held (cited by open change requests). */
    interface Holds {
        Set<String> held() throws AfsException;
    }

    private final ExpiringStore store;
    private final Holds holds;
    private final Duration retention;
    private final Clock clock;
    private ScheduledExecutorService timer;

    StoreRetention(ExpiringStore store, Holds holds, Duration retention, Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.holds = requireNonNull(holds, "holds is null");
        this.retention = requireNonNull(retention, "retention is null");
        this.clock = requireNonNull(clock, "clock is null");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("evidence retention must be positive, not " + retention);
        }
    }

    /** Runs now and then every {@code interval}, on a daemon thread. */
    synchronized StoreRetention start(Duration interval) {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "afs-store-retention");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::runQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    private void runQuietly() {
        try {
            runOnce();
        } catch (IOException | RuntimeException e) {
            LOG.warn("evidence retention sweep failed; it runs again at the next interval: {}", e.getMessage());
        }
    }

    /** One sweep; empty when it deleted nothing because the holds were unknown. */
    Optional<ExpiringStore.Swept> runOnce() throws IOException {
        Set<String> held;
        try {
            held = holds.held();
        } catch (AfsException e) {
            LOG.warn("evidence retention sweep deleted nothing: the open change requests cannot be read ({})", e.getMessage());
            return Optional.empty();
        }
        Instant cutoff = clock.instant().minus(retention);
        ExpiringStore.Swept s = store.expire(cutoff, held);
        LOG.info("evidence retention sweep: deleted {} records captured before {} and {} unreferenced blobs; kept {}"
                + " cited by open change requests", s.records(), cutoff, s.blobs(), s.held());
        return Optional.of(s);
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
