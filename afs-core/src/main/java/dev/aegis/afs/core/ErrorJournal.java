package dev.aegis.afs.core;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The newest failures per uid, shown at {@code /.afs/errors} (each caller sees its own) and
 * written to the daemon log. Reasons never hold credentials: they come from AfsExceptions.
 * Each entry is one line: caller-controlled text is escaped by {@link LogText}.
 */
public final class ErrorJournal {

    /** Failures kept per uid. */
    public static final int KEPT = 100;

    private static final Logger LOG = Logger.getLogger("afs");

    private final Clock clock;
    private final Map<Integer, Deque<Entry>> byUid = new ConcurrentHashMap<>();
    private final Map<Integer, Last> lastByUid = new ConcurrentHashMap<>();

    /** How close in time two identical failures of one caller thread must be to count as one. */
    static final java.time.Duration SAME_OPERATION = java.time.Duration.ofSeconds(2);

    private record Last(long pid, Entry entry) {
    }

    public ErrorJournal(Clock clock) {
        this.clock = clock;
    }

    /** One failure: when, which operation on which path, the errno and the reason. */
    public record Entry(Instant at, int uid, String operation, String path, AfsError error, String reason) {
        @Override
        public String toString() {
            // path and reason carry what the caller typed: escaped, so an entry is always one line
            return at + " " + operation + " " + LogText.escape(path) + ": " + error.errno() + ": "
                    + LogText.escape(reason);
        }
    }

    /**
     * Records one failure. The kernel may ask several times for one failed operation of one
     * process (a lookup, then the open; a retried lookup): the same reason for the same path
     * from the same caller thread within {@link #SAME_OPERATION} is the same failure, listed once.
     */
    public void record(Caller caller, String operation, String path, AfsException failure) {
        Entry entry = new Entry(clock.instant(), caller.uid(), operation, path, failure.error(), failure.getMessage());
        Deque<Entry> entries = byUid.computeIfAbsent(caller.uid(), uid -> new ArrayDeque<>());
        synchronized (entries) {
            Last last = lastByUid.get(caller.uid());
            if (last != null && last.pid() == caller.pid() && last.entry().path().equals(path)
                    && last.entry().error() == entry.error() && last.entry().reason().equals(entry.reason())
                    && !entry.at().isAfter(last.entry().at().plus(SAME_OPERATION))) {
                return;
            }
            lastByUid.put(caller.uid(), new Last(caller.pid(), entry));
            entries.addLast(entry);
            while (entries.size() > KEPT) {
                entries.removeFirst();
            }
        }
        LOG.warning("uid " + caller.uid() + " pid " + caller.pid() + ": " + entry);
    }

    /** The caller's newest failures, oldest first. */
    public List<Entry> recent(Caller caller) {
        Deque<Entry> entries = byUid.get(caller.uid());
        if (entries == null) {
            return List.of();
        }
        synchronized (entries) {
            return List.copyOf(entries);
        }
    }
}
