package dev.aegis.afs.agent;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop. Each round delivers results the control plane does not have yet, polls for
 * tasks, runs them one by one and delivers their results. It waits {@code busy} (about 1 s)
 * after a round that had tasks, {@code idle} after an empty one, and backs off (doubling up to
 * {@code maxBackoff}) while the control plane cannot be reached: then nothing new runs.
 */
public final class Agent implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final ControlPlaneClient controlPlane;
    private final TaskRunner runner;
    private final ExecutionJournal journal;
    private final AgentStatus status;
    private final Clock clock;
    private final Duration idle;
    private final Duration busy;
    private final Duration maxBackoff;
    private final TaskRunner.Sleeper sleeper;
    private volatile boolean stopped;
    private int failures;

    public Agent(ControlPlaneClient controlPlane, TaskRunner runner, ExecutionJournal journal, AgentStatus status, Clock clock,
                 Duration idle, Duration busy, Duration maxBackoff, TaskRunner.Sleeper sleeper) {
        this.controlPlane = requireNonNull(controlPlane, "controlPlane is null");
        this.runner = requireNonNull(runner, "runner is null");
        this.journal = requireNonNull(journal, "journal is null");
        this.status = requireNonNull(status, "status is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.idle = requireNonNull(idle, "idle is null");
        this.busy = requireNonNull(busy, "busy is null");
        this.maxBackoff = requireNonNull(maxBackoff, "maxBackoff is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
    }

    @Override
    public void run() {
        try {
            int n = runner.recoverInterrupted();
            if (n > 0) {
                LOG.warn("{} execution(s) were interrupted by the last stop; reported as interrupted, not run again", n);
            }
            while (!stopped) {
                Duration wait;
                try {
                    wait = round();
                } catch (RuntimeException e) {
                    // a bug or an unexpected answer must not end the loop silently; the task it
                    // hit stays unanswered (a journaled start is reported as interrupted later)
                    LOG.error("poll round failed; retrying after {}", maxBackoff, e);
                    writeStatus();
                    wait = maxBackoff;
                }
                sleeper.sleep(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the journal or status file cannot be written: acting without a journal could run twice
            status.lock("cannot write to the data dir (" + e.getMessage() + "); fix it and restart the agent");
            LOG.error("agent stopped: {}", e.getMessage());
            writeStatus();
        }
    }

    public void stop() {
        stopped = true;
    }

    /** One round; returns how long to wait before the next. */
    public Duration round() throws IOException, InterruptedException {
        deliver();
        List<ControlPlaneClient.Task> tasks;
        try {
            tasks = controlPlane.poll();
            status.polled(clock.instant(), Optional.empty());
            failures = 0;
        } catch (ControlPlaneClient.Unreachable e) {
            status.polled(clock.instant(), Optional.of(e.getMessage()));
            failures = Math.min(failures + 1, 20);
            LOG.warn("control plane unreachable, nothing new runs: {}", e.getMessage());
            writeStatus();
            Duration wait = idle.multipliedBy(1L << Math.min(failures - 1, 10));
            return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
        }
        for (ControlPlaneClient.Task task : tasks) {
            if (stopped) {
                break;
            }
            if (!ControlPlaneClient.TASK_ID.matcher(task.id()).matches()) {
                LOG.warn("ignored a task whose id is not a jti (1-128 of A-Z a-z 0-9 _ -)");
                continue;
            }
            if (journal.answered(task.id())) {
                continue; // answered before; an undelivered answer goes out with deliver()
            }
            var r = runner.run(task);
            LOG.info("task {}: {}{} - {}", task.id(), r.outcome().wireName(), r.reason().isEmpty() ? "" : " (" + r.reason() + ")",
                    r.message());
        }
        deliver();
        writeStatus();
        return tasks.isEmpty() ? idle : busy;
    }

    private void deliver() throws IOException {
        for (ExecutionJournal.Result r : journal.undelivered()) {
            try {
                if (controlPlane.postResult(r.task(), r.jws())) {
                    journal.delivered(r.task());
                }
            } catch (ControlPlaneClient.Unreachable e) {
                break;
            }
        }
        status.undelivered(journal.undelivered().size());
    }

    private void writeStatus() {
        try {
            status.write();
        } catch (IOException e) {
            LOG.warn("cannot write status file: {}", e.getMessage());
        }
    }
}
