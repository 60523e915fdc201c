package dev.aegis.afs.e2e;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * One container's log on fabric8's mock API server, growing as the test appends to it; every
 * other request goes to the mock's own dispatcher. A plain read gets the lines so far
 * ({@code tailLines} and {@code sinceTime} honoured). A {@code follow=true} call is answered as
 * the API server answers it, except that the mock cannot keep a response body open: the call
 * waits until a line from {@code sinceTime} on is appended, answers with every line from {@code sinceTime} on (the lines of
 * that second again, as the real API server sends them) and ends, as a real follow ends at the
 * API server's timeout; the follower then asks again from the newest time it passed.
 */
final class PodLogFeed extends Dispatcher {

    private static final long LONGEST_WAIT_MILLIS = 30_000;

    private final Dispatcher rest;
    private final String logPath;
    /** {@code <RFC 3339 time> <text>}, as {@code timestamps=true} serves them. */
    private final List<String> lines = new ArrayList<>();
    private final List<String> follows = new CopyOnWriteArrayList<>();
    private int delivered;
    private boolean closed;

    /** @param logPath e.g. /api/v1/namespaces/shop/pods/api-1/log */
    PodLogFeed(Dispatcher rest, String logPath) {
        this.rest = Objects.requireNonNull(rest, "rest is null");
        this.logPath = Objects.requireNonNull(logPath, "logPath is null");
    }

    /** A line written by the container now. */
    void append(String text) {
        append(Instant.now(), text);
    }

    /** A line written by the container at {@code time} (appended in time order). */
    synchronized void append(Instant time, String text) {
        lines.add(time + " " + text);
        notifyAll();
    }

    /** The paths (with query) of the follow=true calls received so far. */
    List<String> follows() {
        return List.copyOf(follows);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        String path = Objects.requireNonNullElse(request.getPath(), "");
        if (!path.startsWith(logPath + "?")) {
            return rest.dispatch(request);
        }
        Map<String, String> params = params(path.substring(logPath.length() + 1));
        if (!"true".equals(params.get("follow"))) {
            return new MockResponse().setResponseCode(200).setBody(body(params));
        }
        follows.add(path);
        Instant since = Instant.parse(params.get("sinceTime"));
        synchronized (this) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LONGEST_WAIT_MILLIS);
            for (long left; !closed && !news(since) && (left = until - System.nanoTime()) > 0; ) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            delivered = lines.size();
            return new MockResponse().setResponseCode(200).setBody(body(params));
        }
    }

    /** Whether a line from {@code since} on was appended after the last follow answer. */
    private boolean news(Instant since) {
        for (String line : lines.subList(delivered, lines.size())) {
            if (!time(line).isBefore(since)) {
                return true;
            }
        }
        return false;
    }

    private static Instant time(String line) {
        return Instant.parse(line.substring(0, line.indexOf(' ')));
    }

    private synchronized String body(Map<String, String> params) {
        Instant since = params.containsKey("sinceTime") ? Instant.parse(params.get("sinceTime")) : Instant.MIN;
        List<String> selected = lines.stream()
                .filter(l -> !time(l).isBefore(since)).toList();
        if (params.containsKey("tailLines")) {
            int n = Integer.parseInt(params.get("tailLines"));
            selected = selected.subList(Math.max(0, selected.size() - n), selected.size());
        }
        StringBuilder out = new StringBuilder();
        boolean stamped = "true".equals(params.get("timestamps"));
        for (String line : selected) {
            out.append(stamped ? line : line.substring(line.indexOf(' ') + 1)).append('\n');
        }
        return out.toString();
    }

    private static Map<String, String> params(String query) {
        Map<String, String> params = new HashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            params.put(pair.substring(0, Math.max(eq, 0)), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    @Override
    public void shutdown() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        rest.shutdown();
    }
}
