package dev.aegis.afs.core.evidence;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.harness.HarnessClient;
import dev.aegis.afs.evidence.SignedCapture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Registers every capture with the harness as it happens, off the read path: the reader does
 * not wait for the harness, and a snapshot is citable once the harness has seen it. While the
 * harness is unreachable captures wait (bounded) and are sent when it answers again; a capture
 * the harness refuses (e.g. its key is not pinned) is dropped and the reason shown in /.afs/status.
 */
public final class EvidenceRegistrar implements AutoCloseable {

    /** Captures kept while the harness is down; older ones are dropped (they stay on disk, uncitable). */
    static final int WAITING = 10_000;

    /** Where captures go: the harness client in production. */
    public interface Sink {
        void register(SignedCapture capture) throws AfsException;
    }

    private final Sink sink;
    private final Duration retry;
    private final Deque<SignedCapture> queue = new ArrayDeque<>();
    private final AtomicLong registered = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile String lastProblem = "";
    private final Thread worker;
    private volatile boolean closed;

    public EvidenceRegistrar(Sink sink, Duration retry) {
        this.sink = requireNonNull(sink, "sink is null");
        this.retry = requireNonNull(retry, "retry is null");
        this.worker = new Thread(this::run, "afs-evidence-registrar");
        worker.setDaemon(true);
        worker.start();
    }

    public static EvidenceRegistrar to(HarnessClient harness) {
        return new EvidenceRegistrar(harness::register, Duration.ofSeconds(5));
    }

    /** Queues a capture for registration; returns at once. */
    public void submit(EvidenceRecord record) {
        synchronized (queue) {
            if (queue.size() >= WAITING) {
                queue.removeFirst();
            }
            queue.addLast(record.signed());
            queue.notifyAll();
        }
    }

    private void run() {
        while (!closed) {
            SignedCapture next;
            synchronized (queue) {
                while (queue.isEmpty() && !closed) {
                    try {
                        queue.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                next = queue.peekFirst();
            }
            try {
                sink.register(next);
                registered.incrementAndGet();
                done(next);
            } catch (AfsException e) {
                if (e.error() == AfsError.UNAVAILABLE || e.error() == AfsError.BACKEND_FAILURE) {
                    lastProblem = "harness unreachable, " + pending() + " waiting: " + e.getMessage();
                    pause();
                } else {
                    refused.incrementAndGet();
                    lastProblem = next.record().id() + " refused: " + e.getMessage();
                    done(next);
                }
            } catch (RuntimeException e) {
                refused.incrementAndGet();
                lastProblem = next.record().id() + " not registered: " + e;
                done(next);
            }
        }
    }

    private void done(SignedCapture c) {
        synchronized (queue) {
            if (queue.peekFirst() == c) {
                queue.removeFirst();
            }
        }
    }

    private void pause() {
        synchronized (queue) {
            try {
                queue.wait(retry.toMillis());
            } catch (InterruptedException e) {
                closed = true;
            }
        }
    }

    public int pending() {
        synchronized (queue) {
            return queue.size();
        }
    }

    /** One line for /.afs/status. */
    public String status() {
        return registered.get() + " registered with the harness, " + pending() + " waiting, " + refused.get() + " refused"
                + (lastProblem.isEmpty() ? "" : " (last problem: " + lastProblem + ")");
    }

    /** Waits up to {@code timeout} for the queue to drain. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return pending() == 0;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (queue) {
            queue.notifyAll();
        }
        worker.interrupt();
    }
}
