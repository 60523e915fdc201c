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

    public void record(Caller caller, String operation, String path, AfsException failure) {
        Entry entry = new Entry(clock.instant(), caller.uid(), operation, path, failure.error(), failure.getMessage());
        Deque<Entry> entries = byUid.computeIfAbsent(caller.uid(), uid -> new ArrayDeque<>());
        synchronized (entries) {
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
