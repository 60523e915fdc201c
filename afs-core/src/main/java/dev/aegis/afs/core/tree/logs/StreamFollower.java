package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.source.FollowableSource;
import dev.aegis.afs.core.source.LineCursor;
import dev.aegis.afs.core.source.TimeCursor;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.local.LineSink;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one upstream follow of a stream, shared by all its followers: polls the source while
 * anyone follows, hands each new line to every follower (which filters it), and lets them record
 * what they hold. Stops polling when the last follower leaves. A cursor whose lines are pushed
 * (Loki's tail) wakes it, so pushed lines do not wait for the next poll.
 */
public final class StreamFollower {

    /** Opens the one upstream follow (called when the first follower joins). */
    @FunctionalInterface
    public interface Upstream {
        LineCursor open() throws AfsException;
    }


    private static final Logger LOG = Logger.getLogger("afs.follow");

    private final String name;
    private final Upstream upstream;
    private final FollowSettings settings;
    private final Set<FollowFile> followers = new CopyOnWriteArraySet<>();
    private LineCursor cursor;
    private ScheduledFuture<?> task;
    private final AtomicBoolean woken = new AtomicBoolean();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private ScheduledExecutorService scheduler;

    StreamFollower(LogStream stream, FollowSettings settings, Clock clock) {
        this(stream.name(), () -> stream.source() instanceof FollowableSource f ? f.follow()
                : new TimeCursor(stream.source(), clock), settings);
    }

    /**
     * @param name     what is followed, for the daemon log
     * @param upstream opens the follow when the first follower joins (again after the last left)
     */
    public StreamFollower(String name, Upstream upstream, FollowSettings settings) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.upstream = Objects.requireNonNull(upstream, "upstream is null");
        this.settings = Objects.requireNonNull(settings, "settings is null");
    }

    FollowSettings settings() {
        return settings;
    }

    synchronized void join(FollowFile follower, ScheduledExecutorService scheduler) throws AfsException {
        if (cursor == null) {
            this.scheduler = scheduler;
            cursor = upstream.open();
            long every = settings.poll().toMillis();
            task = scheduler.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
            cursor.onArrival(() -> {
                if (woken.compareAndSet(false, true)) { // one pending wake-up is enough
                    try {
                        scheduler.execute(this::poll);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        woken.set(false); // the mount is closing
                    }
                }
            });
        }
        followers.add(follower);
    }

    synchronized void leave(FollowFile follower) {
        followers.remove(follower);
        if (followers.isEmpty() && cursor != null) {
            task.cancel(false);
            cursor.close();
            cursor = null;
        }
    }

    private synchronized void flushDue() {
        followers.forEach(f -> f.flushIfDue(false));
    }

    private synchronized void poll() {
        woken.set(false);
        if (cursor == null) {
            return;
        }
        try {
            long batch = settings.maxLines();
            long got;
            do {
                got = cursor.poll(new LineSink() {
                    @Override
                    public boolean accept(LogLine line) {
                        return accept(line, null);
                    }

                    @Override
                    public boolean accept(LogLine line, String labels) {
                        followers.forEach(f -> f.offer(line, labels));
                        return true;
                    }

                    @Override
                    public void end() {
                    }
                }, batch);
            } while (got == batch);
            followers.forEach(f -> f.flushIfDue(false));
            // Lines held now are due after follow.flush: look again then, not at the next tick of a
            // slow poll (a pushed line would otherwise wait up to a whole poll interval).
            if (followers.stream().anyMatch(FollowFile::holdsLines) && flushScheduled.compareAndSet(false, true)) {
                try {
                    scheduler.schedule(() -> {
                        flushScheduled.set(false);
                        flushDue();
                    }, settings.flush().toMillis(), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    flushScheduled.set(false); // the mount is closing
                }
            }
        } catch (AfsException e) {
            followers.forEach(f -> f.fail(e));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "follow of " + name + " failed", e);
            followers.forEach(f -> f.fail(new AfsException(dev.aegis.afs.core.AfsError.INTERNAL,
                    "the follow of " + name + " failed: " + e, e)));
        }
    }
}
