package dev.aegis.afs.core.k8s;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.source.LineCursor;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.k8s.PodLogTarget;
import dev.aegis.afs.query.local.LineSink;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.logging.Logger;

/**
 * Follows one container's log as {@code kubectl logs -f --timestamps} does: a
 * {@code GET .../log?container=c&follow=true&sinceTime=T&timestamps=true} whose body the API
 * server keeps open and writes each new line to. A reader thread takes the lines into a queue
 * of at most {@value #QUEUE_CAP} (when it is full the thread waits, and TCP holds the API server
 * back: memory stays bounded and nothing is lost) and wakes the follower.
 *
 * <p>The API server ends a follow when the container stops or after its own timeout; the follow
 * then asks again from the newest time passed ({@code sinceTime} has whole seconds, so the lines
 * of that second that were already passed are skipped), after a pause that grows while nothing
 * comes. A pod that is gone (404) or access that is refused fails the follow with the API's reason.
 */
final class PodLogFollow implements LineCursor {

    static final int QUEUE_CAP = 10_000;
    private static final Logger LOG = Logger.getLogger("afs.k8s");
    private static final Duration FIRST_PAUSE = Duration.ofMillis(500);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(10);

    private final KubernetesBackend backend;
    private final PodLogTarget target;
    private final boolean stamp;
    private final BlockingQueue<LogLine> queue = new ArrayBlockingQueue<>(QUEUE_CAP);
    private final Thread reader;
    private volatile Runnable wake = () -> { };
    private volatile boolean closed;
    private volatile Closeable body;
    private volatile AfsException failure;
    /** Reader thread only: the newest time taken, and how many lines of exactly that time were taken. */
    private Instant cursor;
    private long seenAtCursor;

    /**
     * @param stamp whether lines are served with their time in front
     * @param from  where the follow starts (lines from this instant on)
     */
    PodLogFollow(KubernetesBackend backend, PodLogTarget target, boolean stamp, Instant from) {
        this.backend = Objects.requireNonNull(backend, "backend is null");
        this.target = Objects.requireNonNull(target, "target is null");
        if (target.previous()) {
            throw new IllegalArgumentException("a previous run's log does not grow: it cannot be followed");
        }
        this.stamp = stamp;
        this.cursor = Objects.requireNonNull(from, "from is null");
        this.reader = new Thread(this::run, "afs-follow-" + target.pod() + "-" + target.container());
        reader.setDaemon(true);
        reader.start();
    }

    /** The call for a follow from {@code from}: parameters in a fixed order, as evidence and tests expect. */
    static String call(PodLogTarget target, Instant from) {
        return "/api/v1/namespaces/" + target.namespace() + "/pods/" + target.pod() + "/log?container="
                + target.container() + "&follow=true&sinceTime="
                + DateTimeFormatter.ISO_INSTANT.format(from.truncatedTo(ChronoUnit.SECONDS)) + "&timestamps=true";
    }

    private void run() {
        Duration pause = FIRST_PAUSE;
        while (!closed) {
            Instant resumeFrom = cursor;
            long[] skip = {seenAtCursor};
            long[] taken = {0};
            try {
                backend.streamLines(call(target, resumeFrom), raw -> {
                    LogLine line = PodLogFile.line(raw, true, stamp);
                    if (line.time() != null) {
                        if (line.time().isBefore(resumeFrom)
                                || (line.time().equals(resumeFrom) && skip[0]-- > 0)) {
                            return !closed; // sinceTime has whole seconds: this was passed already
                        }
                        if (line.time().isAfter(cursor)) {
                            cursor = line.time();
                            seenAtCursor = 0;
                        }
                        if (line.time().equals(cursor)) {
                            seenAtCursor++;
                        }
                    }
                    try {
                        queue.put(line);
                    } catch (InterruptedException e) {
                        return false; // closed
                    }
                    taken[0]++;
                    wake.run();
                    return !closed;
                }, opened -> {
                    body = opened;
                    if (closed) {
                        closeQuietly(opened);
                    }
                });
            } catch (AfsException e) {
                if (closed) {
                    return;
                }
                if (e.error() == AfsError.NOT_FOUND || e.error() == AfsError.ACCESS_DENIED) {
                    failure = e;
                    wake.run();
                    return;
                }
                LOG.warning(() -> "follow of " + target.pod() + "/" + target.container() + ": " + e.getMessage()
                        + "; asking again");
            }
            pause = taken[0] > 0 ? FIRST_PAUSE : min(pause.multipliedBy(2), MAX_PAUSE);
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void onArrival(Runnable wake) {
        this.wake = Objects.requireNonNull(wake, "wake is null");
    }

    @Override
    public long poll(LineSink sink, long maxLines) throws AfsException {
        long passed = 0;
        for (LogLine line; passed < maxLines && (line = queue.poll()) != null; ) {
            passed++;
            sink.accept(line);
        }
        if (passed == 0 && failure != null) {
            throw failure;
        }
        return passed;
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
        Closeable open = body;
        if (open != null) {
            closeQuietly(open);
        }
        queue.clear();
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // ending anyway
        }
    }
}
