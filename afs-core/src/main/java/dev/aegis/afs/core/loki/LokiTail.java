package dev.aegis.afs.core.loki;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.source.Entries;
import dev.aegis.afs.core.source.LineCursor;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.core.source.TimeCursor;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.logql.LokiQuery;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * Follows a Loki stream through Loki's own tail endpoint ({@code /loki/api/v1/tail}, a websocket
 * on which Loki pushes each matching entry as it is ingested), so new lines arrive without
 * polling and wake the follower at once.
 *
 * <p>When the endpoint is refused (an older Loki, a proxy that does not pass websockets, an HTTP
 * error on the upgrade), the follow polls {@code query_range} with a {@link TimeCursor} from where
 * it stands instead, and says so in the daemon log. When a tail that ran for a while breaks or
 * Loki closes it (Loki ends tails after {@code tail_max_duration}), it reconnects from the newest
 * time passed, skipping the lines at that exact time it already passed; if that is refused, or
 * the tail ended within seconds of opening, it polls.
 * Memory is bounded: at most {@value #QUEUE_CAP} entries wait for the poller; a burst beyond that
 * closes the tail and the follow goes on by polling from its cursor, which reads in bounded
 * batches and loses nothing that was in order.
 */
final class LokiTail implements LineCursor {

    static final int QUEUE_CAP = 50_000;
    /** A tail that lasted less than this is not reopened (a server that closes at once would spin). */
    static final Duration MIN_TAIL = Duration.ofSeconds(5);
    private static final Logger LOG = Logger.getLogger("afs.loki");
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Pushed(long nanos, String labels, String line) {
    }

    private final LokiClient client;
    private final String logql;
    private final LogSource<?> source;
    private final long minTailNanos;
    private final Object lock = new Object();
    private final ArrayDeque<Pushed> queue = new ArrayDeque<>(); // guarded by lock
    private volatile Runnable wake = () -> { };
    private String broken; // guarded by lock: why the current tail ended, if it did
    private boolean opened; // guarded by lock: the current tail was accepted
    private int generation; // guarded by lock: which socket's callbacks count
    private WebSocket socket;
    private long connectedAt;
    private TimeCursor polling;
    /** The newest time passed, and how many lines stamped exactly that were passed. */
    private Instant cursor;
    private long seenAtCursor;
    /** After a reconnect: lines up to here were passed before (skip; at it, skip {@link #skipAtResume}). */
    private Instant resumeFrom;
    private long skipAtResume;

    /**
     * @param source  what is polled when the tail is refused
     * @param from    where the follow starts
     * @param minTail how long a tail must have lasted to be reopened when it ends
     */
    LokiTail(LokiClient client, String logql, LogSource<?> source, Instant from, Duration minTail) {
        this.client = Objects.requireNonNull(client, "client is null");
        this.logql = Objects.requireNonNull(logql, "logql is null");
        this.source = Objects.requireNonNull(source, "source is null");
        this.minTailNanos = minTail.toNanos();
        this.cursor = Objects.requireNonNull(from, "from is null");
        connect(from);
    }

    private void connect(Instant from) {
        int mine;
        synchronized (lock) {
            mine = ++generation;
            opened = false;
            broken = null;
        }
        connectedAt = System.nanoTime();
        socket = client.tail(logql, LokiQuery.nanos(from), new Listener(mine));
    }

    @Override
    public void onArrival(Runnable wake) {
        this.wake = Objects.requireNonNull(wake, "wake is null");
    }

    @Override
    public long poll(LineSink sink, long maxLines) throws AfsException {
        if (polling != null) {
            return passAll(sink, maxLines);
        }
        long passed = drain(sink, maxLines);
        if (passed >= maxLines) {
            return passed;
        }
        String why;
        boolean wasOpen;
        synchronized (lock) {
            if (broken == null || !queue.isEmpty()) {
                return passed;
            }
            why = broken;
            wasOpen = opened;
        }
        if (wasOpen && System.nanoTime() - connectedAt >= minTailNanos) {
            LOG.info(() -> client.describe() + ": the tail of " + logql + " ended (" + why + "); reconnecting from "
                    + cursor);
            resumeFrom = cursor;
            skipAtResume = seenAtCursor;
            connect(cursor);
            return passed;
        }
        LOG.log(Level.WARNING, () -> client.describe() + ": cannot tail " + logql + " (" + why
                + "); following by polling query_range from " + cursor + " instead");
        socket.cancel();
        polling = new TimeCursor(source, cursor, seenAtCursor);
        return passed + passAll(sink, maxLines - passed);
    }

    /** Passes polled lines, keeping the cursor in step (for nothing else: polling is the last resort). */
    private long passAll(LineSink sink, long maxLines) throws AfsException {
        return maxLines <= 0 ? 0 : polling.poll(sink, maxLines);
    }

    /** Passes what Loki pushed, oldest received first, up to about {@code maxLines} lines. */
    private long drain(LineSink sink, long maxLines) {
        long[] passed = {0};
        LineSink counting = new LineSink() {
            @Override
            public boolean accept(LogLine line) {
                passed[0]++;
                return sink.accept(line);
            }

            @Override
            public boolean accept(LogLine line, String labels) {
                passed[0]++;
                return sink.accept(line, labels);
            }

            @Override
            public void end() {
            }
        };
        while (passed[0] < maxLines) {
            Pushed next;
            synchronized (lock) {
                next = queue.pollFirst();
            }
            if (next == null) {
                break;
            }
            Instant time = Instant.ofEpochSecond(Math.floorDiv(next.nanos(), 1_000_000_000L),
                    Math.floorMod(next.nanos(), 1_000_000_000L));
            if (resumeFrom != null) { // the reconnected tail's first entries repeat what was passed
                if (time.isBefore(resumeFrom) || (time.equals(resumeFrom) && skipAtResume-- > 0)) {
                    continue;
                }
                resumeFrom = null;
            }
            if (time.isAfter(cursor)) {
                cursor = time;
                seenAtCursor = 0;
            }
            if (time.equals(cursor)) {
                seenAtCursor++;
            }
            Entries.emit(time, next.labels(), next.line(), counting);
        }
        return passed[0];
    }

    @Override
    public void close() {
        synchronized (lock) {
            generation++; // late callbacks of the socket are ignored
            queue.clear();
        }
        if (socket != null) {
            socket.close(1000, "follow ended");
        }
    }

    /** One socket's callbacks (from OkHttp's thread); callbacks of a replaced socket are ignored. */
    private final class Listener extends WebSocketListener {
        private final int generation;

        Listener(int generation) {
            this.generation = generation;
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            synchronized (lock) {
                if (generation == LokiTail.this.generation) {
                    opened = true;
                }
            }
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            JsonNode root;
            try {
                root = JSON.readTree(text);
            } catch (IOException e) {
                end(webSocket, "an unreadable message (" + e.getMessage() + ")");
                return;
            }
            synchronized (lock) {
                if (generation != LokiTail.this.generation) {
                    return;
                }
                for (JsonNode stream : root.path("streams")) {
                    String labels = LokiClient.labels(stream.path("stream"));
                    for (JsonNode value : stream.path("values")) {
                        if (queue.size() >= QUEUE_CAP) {
                            broken = "more than " + QUEUE_CAP + " entries waiting";
                            opened = false; // so the follow polls from its cursor rather than reconnect
                            webSocket.cancel();
                            break;
                        }
                        try {
                            queue.addLast(new Pushed(Long.parseLong(value.path(0).asText()), labels,
                                    value.path(1).asText()));
                        } catch (NumberFormatException e) {
                            LOG.warning(() -> client.describe() + ": tail entry with a malformed time "
                                    + value.path(0) + " skipped");
                        }
                    }
                }
            }
            int dropped = root.path("dropped_entries").size();
            if (dropped > 0) {
                LOG.warning(() -> client.describe() + ": Loki dropped " + dropped + " entries of the tail of " + logql
                        + " (its tailer fell behind)");
            }
            wake.run();
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            webSocket.close(1000, null);
            end(webSocket, "Loki closed it: " + code + (reason.isEmpty() ? "" : " " + reason));
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            end(webSocket, response != null && response.code() != 101
                    ? "HTTP " + response.code() + " " + response.message() : String.valueOf(t));
        }

        private void end(WebSocket webSocket, String why) {
            synchronized (lock) {
                if (generation != LokiTail.this.generation || broken != null) {
                    return;
                }
                broken = why;
            }
            wake.run();
        }
    }
}
