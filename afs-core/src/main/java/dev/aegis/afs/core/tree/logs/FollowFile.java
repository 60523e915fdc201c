package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.CallerProcesses;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.Captures;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.redact.Redactor;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.core.tree.OpenFile;
import dev.aegis.afs.core.tree.evidence.EvidenceFile;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.local.LineMatcher;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An open follow ({@code tail -f}, {@code tail -F}, {@code ?follow=1}): the initial read, then every
 * new line that passes the follower's filters. New lines are recorded as evidence segments (each
 * a normal snapshot, flushed after {@code follow.flush} or {@code follow.max_lines}, and at close)
 * and served only once recorded, so the handle's size grows segment by segment.
 *
 * <p>{@code tail -f} polls fstat and reads to the end: reads are served up to the size last
 * reported, so tail never reads past what it was told (it would say "file truncated").
 * {@code ?follow=1} is read by plain {@code cat}: a read at the end blocks until a segment is
 * recorded, and gives up (EINTR) once the reader is gone or a fatal signal (Ctrl-C) is pending.
 * Memory is bounded: the handle keeps the newest {@value #KEPT_PIECES} segment positions (the
 * content is in the evidence files) and at most {@code max_lines} pending lines.
 */
public final class FollowFile implements OpenFile {

    static final int KEPT_PIECES = 256;
    private static final long WAIT_MILLIS = 100;

    private record Piece(long start, long size, Path file) {
    }

    private final StreamFollower follower;
    private final Captures captures;
    private final Caller caller;
    private final String label;
    private final List<LineMatcher> filters;
    private final FollowedLine served;
    private final Redactor redactor;
    private final boolean blocking;
    private final CallerProcesses processes;
    private final Clock clock;
    private final String backend;
    private final Optional<String> command;
    private final ArrayDeque<Piece> pieces = new ArrayDeque<>();
    private final Map<Path, FileChannel> channels = new HashMap<>();
    private final Object pendingLock = new Object();
    private List<String> pending = new ArrayList<>();
    /** When the oldest held line arrived ({@link System#nanoTime}: a wait is measured, not a time of day). */
    private long pendingSince;
    private int segment;
    private long total;
    private long published;
    private Instant modified;
    private AfsException failure;
    private boolean closed;

    /**
     * @param initial  the snapshot served first (the read the path or the tool asked for)
     * @param label    the tree path of the follow, with its terms, for evidence
     * @param filters  what a new line must pass (the read's filters), decided on the served, redacted line
     * @param served   how a new line is served (its time in front, labels)
     * @param blocking whether a read at the end waits for new lines (cat) or returns end of file (tail -f)
     * @param command  the tail command line, for user.afs.pushdown
     */
    FollowFile(StreamFollower follower, Captures captures, Caller caller, EvidenceRecord initial, String label,
               List<LineFilter> filters, FollowedLine served, boolean blocking, CallerProcesses processes, Clock clock, String backend,
               Optional<String> command) {
        this.follower = Objects.requireNonNull(follower, "follower is null");
        this.captures = Objects.requireNonNull(captures, "captures is null");
        this.caller = Objects.requireNonNull(caller, "caller is null");
        this.label = Objects.requireNonNull(label, "label is null");
        this.filters = filters.stream().map(LineMatcher::of).toList();
        this.served = Objects.requireNonNull(served, "served is null");
        // one redactor for the follow's life (it carries the state of a private-key block across lines)
        this.redactor = captures.redactor(label).forRead();
        this.blocking = blocking;
        this.processes = Objects.requireNonNull(processes, "processes is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.backend = Objects.requireNonNull(backend, "backend is null");
        this.command = Objects.requireNonNull(command, "command is null");
        append(initial);
    }

    /**
     * A follow of a stream whose lines arrive as served (Kubernetes pod logs): serves
     * {@code initial} and joins {@code follower}. Opened with {@code ?follow=1} ({@code tail}
     * empty), a read at the end blocks for new lines, as {@code cat} needs; opened by a plain
     * {@code tail -f}, reads stop at the size last reported, as tail polls it.
     *
     * @param filters what a new line must pass, decided on the served, redacted line
     * @param tail    the {@code tail -f} command line that opened the file, for user.afs.pushdown
     */
    public static OpenFile ofServedLines(StreamFollower follower, Captures captures, Caller caller, EvidenceRecord initial,
                                         String label, List<LineFilter> filters, PlainTools tools, Clock clock,
                                         String backend, Optional<String> tail) throws AfsException {
        FollowFile file = new FollowFile(follower, captures, caller, initial, label, filters, FollowedLine.AS_SERVED,
                tail.isEmpty(), tools.processes(), clock, backend, tail);
        follower.join(file, tools.scheduler());
        return file;
    }

    /**
     * A new line from the stream (called by the one poller): shaped as served and redacted, then
     * kept when it passes the filters, so a filter never sees what the reader may not (a filter on
     * raw text would be an oracle for redacted values); recorded at once when max_lines are held.
     */
    void offer(LogLine line, String streamLabels) {
        String text = redactor.redact(served.text(line, streamLabels));
        for (LineMatcher filter : filters) {
            if (!filter.keeps(text)) {
                return;
            }
        }
        boolean full;
        synchronized (pendingLock) {
            if (pending.isEmpty()) {
                pendingSince = System.nanoTime();
            }
            pending.add(text);
            full = pending.size() >= follower.settings().maxLines();
        }
        if (full) {
            flushIfDue(true);
        }
    }

    /** Whether new lines wait to be recorded. */
    boolean holdsLines() {
        synchronized (pendingLock) {
            return !pending.isEmpty();
        }
    }

    /** Records the held lines as a segment once they have waited {@code follow.flush} (or now, when forced). */
    void flushIfDue(boolean force) {
        List<String> lines;
        synchronized (pendingLock) {
            if (pending.isEmpty() || (!force && System.nanoTime() - pendingSince < follower.settings().flush().toNanos())) {
                return;
            }
            lines = pending;
            pending = new ArrayList<>();
        }
        int n = ++segment;
        try {
            EvidenceRecord record = captures.captureSegment(caller, label, n, out -> {
                long bytes = 0;
                for (String text : lines) {
                    out.servedLine(text); // redacted in offer
                    bytes += text.length() + 1;
                }
                Map<String, String> extra = new HashMap<>();
                extra.put("follow.segment", Integer.toString(n));
                command.ifPresent(c -> extra.put(EvidenceFile.PUSHDOWN_STAT, c));
                return new CaptureInfo(backend, "follow " + label + " segment " + n, Optional.empty(),
                        ReadStats.complete(bytes, lines.size(), Duration.ZERO), extra);
            });
            append(record);
        } catch (AfsException e) {
            fail(e);
        }
    }

    synchronized void fail(AfsException e) {
        if (failure == null) {
            failure = e;
        }
        notifyAll();
    }

    private synchronized void append(EvidenceRecord record) {
        if (record.size() > 0) {
            pieces.addLast(new Piece(total, record.size(), record.file()));
            total += record.size();
            while (pieces.size() > KEPT_PIECES) {
                Piece old = pieces.removeFirst();
                closeQuietly(channels.remove(old.file()));
            }
        }
        modified = record.capturedAt();
        notifyAll();
    }

    @Override
    public synchronized long size() {
        published = total;
        return total;
    }

    @Override
    public synchronized Optional<Instant> modified() {
        return Optional.ofNullable(modified);
    }

    @Override
    public boolean sizeKnownOnlyWhenOpen() {
        return true;
    }

    @Override
    public synchronized int read(long offset, ByteBuffer dst) throws AfsException {
        long end = blocking ? total : published;
        while (offset >= end) {
            if (failure != null) {
                throw failure;
            }
            if (!blocking || closed) {
                return -1;
            }
            if (processes.gone(caller.pid())) {
                throw new AfsException(AfsError.INTERRUPTED, label + ": the follow ended (its reader was interrupted)");
            }
            try {
                wait(WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AfsException(AfsError.INTERRUPTED, label + ": the follow was interrupted", e);
            }
            end = total;
        }
        Piece piece = null;
        for (Piece p : pieces) {
            if (offset >= p.start() && offset < p.start() + p.size()) {
                piece = p;
                break;
            }
        }
        if (piece == null) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, label + ": offset " + offset + " is older than the newest "
                    + KEPT_PIECES + " segments this follow keeps; its segments are under /evidence");
        }
        long within = offset - piece.start();
        int want = (int) Math.min(dst.remaining(), Math.min(piece.size() - within, end - offset));
        ByteBuffer slice = dst.slice();
        slice.limit(want);
        try {
            FileChannel channel = channels.get(piece.file());
            if (channel == null) {
                channel = FileChannel.open(piece.file(), StandardOpenOption.READ);
                channels.put(piece.file(), channel);
            }
            int total = 0;
            while (slice.hasRemaining()) {
                int n = channel.read(slice, within + total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            dst.position(dst.position() + total);
            return total;
        } catch (IOException e) {
            throw new AfsException(AfsError.INTERNAL, "read failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        follower.leave(this);
        flushIfDue(true); // what arrived since the last segment is recorded too
        synchronized (this) {
            closed = true;
            channels.values().forEach(FollowFile::closeQuietly);
            channels.clear();
            notifyAll();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }
}
