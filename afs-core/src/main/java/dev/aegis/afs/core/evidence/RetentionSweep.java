package dev.aegis.afs.core.evidence;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.AfsException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The mount's background retention sweep: deletes expired records and the blobs no record
 * points at any more, never a snapshot an open change request cites. The harness says which
 * are held; when it cannot be asked, the sweep deletes nothing (an expired snapshot kept a
 * little longer costs disk, a cited one deleted costs a change its evidence).
 */
public final class RetentionSweep implements AutoCloseable {

    /** Who says which snapshots are held: the harness in production. */
    public interface Holds {
        Set<String> held() throws AfsException;
    }

    private final EvidenceStore store;
    private final Holds holds;
    private final Clock clock;
    private volatile String last = "not run yet";
    private ScheduledExecutorService timer;

    public RetentionSweep(EvidenceStore store, Holds holds, Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.holds = requireNonNull(holds, "holds is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Runs now and then every {@code interval}, on a daemon thread. */
    public synchronized RetentionSweep start(Duration interval) {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "afs-retention-sweep");
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
        } catch (RuntimeException e) {
            last = "failed at " + clock.instant() + ": " + e;
        }
    }

    /** One sweep; returns what it did, empty when it deleted nothing because holds were unknown. */
    public java.util.Optional<EvidenceStore.Swept> runOnce() {
        Instant at = clock.instant();
        Set<String> held;
        try {
            held = holds.held();
        } catch (AfsException e) {
            last = "last run " + at + ": deleted nothing, the harness could not say which snapshots open change"
                    + " requests cite (" + e.getMessage().lines().findFirst().orElse("") + ")";
            return java.util.Optional.empty();
        }
        EvidenceStore.Swept s = store.expire(held);
        last = "last run " + at + ": deleted " + s.records() + " expired records and " + s.blobs()
                + " unreferenced blobs; kept " + s.held() + " expired but cited by open change requests";
        return java.util.Optional.of(s);
    }

    /** One line for /.afs/status. */
    public String status() {
        return last;
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
