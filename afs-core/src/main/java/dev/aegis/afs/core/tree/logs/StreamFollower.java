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
final class StreamFollower {

    private static final Logger LOG = Logger.getLogger("afs.follow");

    private final LogStream stream;
    private final FollowSettings settings;
    private final Clock clock;
    private final Set<FollowFile> followers = new CopyOnWriteArraySet<>();
    private LineCursor cursor;
    private ScheduledFuture<?> task;
    private final AtomicBoolean woken = new AtomicBoolean();

    StreamFollower(LogStream stream, FollowSettings settings, Clock clock) {
        this.stream = Objects.requireNonNull(stream, "stream is null");
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    FollowSettings settings() {
        return settings;
    }

    synchronized void join(FollowFile follower, ScheduledExecutorService scheduler) throws AfsException {
        if (cursor == null) {
            cursor = stream.source() instanceof FollowableSource f ? f.follow() : new TimeCursor(stream.source(), clock);
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
        } catch (AfsException e) {
            followers.forEach(f -> f.fail(e));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "follow of " + stream.name() + " failed", e);
            followers.forEach(f -> f.fail(new AfsException(dev.aegis.afs.core.AfsError.INTERNAL,
                    "the follow of " + stream.name() + " failed: " + e, e)));
        }
    }
}
