package dev.aegis.afs.core.loki;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Pattern;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A Loki on 127.0.0.1 that speaks {@code GET /loki/api/v1/query_range} and evaluates the query
 * it receives over fixture entries: it parses the stream selector and the line filters
 * ({@code |=}, {@code !=}, {@code |~}, {@code !~} with Go double-quoted or raw strings), applies
 * them with RE2J, and honours {@code start} (inclusive), {@code end} (exclusive), {@code limit}
 * (default 100), {@code direction} (default backward) and its own per-query cap, as Loki does.
 * It also speaks the tail websocket ({@code GET /loki/api/v1/tail}) as Loki does: on connect it
 * sends the entries from {@code start} on (oldest first, at most {@code limit}), then pushes each
 * added entry that the query selects, one message per entry, in Loki's
 * {@code {"streams": [...], "dropped_entries": null}} shape. Every request is recorded (queries in
 * {@link #received()}, tails in {@link #tails()}). Failures can be queued; tails can be refused or
 * closed. Close it after use.
 */
public final class FakeLoki implements AutoCloseable {

    /** One request as received: decoded query parameters and the headers that matter. */
    public record Received(Map<String, String> params, String tenant, String authorization) {
        public String query() {
            return params.get("query");
        }
    }

    private record Entry(Map<String, String> labels, long nanos, String line) {
    }

    private record Failure(int status, String body, Duration delay) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An open tail: the socket and what its query selects. */
    private record Tail(WebSocket socket, Predicate<Map<String, String>> selector, Predicate<String> filters) {
    }

    private final MockWebServer server;
    private final List<Received> tails = new CopyOnWriteArrayList<>();
    private final List<Tail> open = new CopyOnWriteArrayList<>();
    private volatile int refuseTails;
    private final List<Entry> entries = new ArrayList<>(); // guarded by itself
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<Failure> failures = new ArrayDeque<>();
    private volatile long maxEntriesLimitPerQuery = 5000;
    private volatile String requiredAuthorization;

    public FakeLoki() throws IOException {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return handle(request);
            }
        });
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    /** The base URL to configure, e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** Adds one entry to the stream with these labels, and pushes it to every open tail that selects it. */
    public FakeLoki add(Map<String, String> labels, long nanos, String line) {
        Entry entry = new Entry(new TreeMap<>(labels), nanos, line);
        synchronized (entries) {
            entries.add(entry);
            for (Tail tail : open) {
                if (tail.selector().test(entry.labels()) && tail.filters().test(entry.line())) {
                    tail.socket().send(tailMessage(List.of(entry)));
                }
            }
        }
        return this;
    }

    /** Tail requests are answered with this HTTP status (e.g. 404 from a proxy), not upgraded; 0 accepts them. */
    public FakeLoki refuseTails(int status) {
        this.refuseTails = status;
        return this;
    }

    /** Closes every open tail, as Loki does after {@code tail_max_duration}. */
    public void closeTails() {
        for (Tail tail : open) {
            tail.socket().close(1000, "tail max duration reached");
            open.remove(tail);
        }
    }

    /** The tail requests received, in order. */
    public List<Received> tails() {
        return List.copyOf(tails);
    }

    /** How many tails are open now. */
    public int openTails() {
        return open.size();
    }

    /** Adds {@code lines} to one stream, the first at {@code first} and each next {@code step} later. */
    public FakeLoki addLines(Map<String, String> labels, java.time.Instant first, Duration step, List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            java.time.Instant t = first.plus(step.multipliedBy(i));
            add(labels, t.getEpochSecond() * 1_000_000_000L + t.getNano(), lines.get(i));
        }
        return this;
    }

    /** Loki's {@code max_entries_limit_per_query}: larger limits are refused with HTTP 400. */
    public FakeLoki maxEntriesLimitPerQuery(long max) {
        this.maxEntriesLimitPerQuery = max;
        return this;
    }

    /** Refuses requests without exactly this {@code Authorization} header (HTTP 401). */
    public FakeLoki requireAuthorization(String header) {
        this.requiredAuthorization = header;
        return this;
    }

    /** The next request gets this status and body instead of an answer. */
    public synchronized FakeLoki failNext(int status, String body) {
        failures.add(new Failure(status, body, Duration.ZERO));
        return this;
    }

    /** The next request is answered normally, but only after {@code delay}. */
    public synchronized FakeLoki delayNext(Duration delay) {
        failures.add(new Failure(0, null, delay));
        return this;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        for (Tail tail : open) {
            tail.socket().close(1001, "shutting down"); // cancel() has no call to cancel on the server side
        }
        open.clear();
        try {
            server.shutdown();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private MockResponse handle(RecordedRequest request) {
        String target = request.getPath() == null ? "/" : request.getPath();
        int mark = target.indexOf('?');
        String path = mark < 0 ? target : target.substring(0, mark);
        Map<String, String> params = params(mark < 0 ? null : target.substring(mark + 1));
        String auth = request.getHeader("Authorization");
        Received received = new Received(params, request.getHeader("X-Scope-OrgID"), auth);
        if (path.equals("/loki/api/v1/tail")) {
            tails.add(received);
            return tail(params, auth);
        }
        if (!path.equals("/loki/api/v1/query_range")) {
            return send(404, "404 page not found\n");
        }
        this.received.add(received);
        Failure failure;
        synchronized (this) {
            failure = failures.poll();
        }
        if (failure != null && failure.delay().isZero()) {
            return send(failure.status(), failure.body());
        }
        MockResponse response;
        if (requiredAuthorization != null && !requiredAuthorization.equals(auth)) {
            response = send(401, "no org id or bad credentials\n");
        } else {
            try {
                response = send(200, evaluate(params));
            } catch (IllegalArgumentException e) {
                response = send(400, e.getMessage() + "\n");
            }
        }
        if (failure != null) {
            response.setHeadersDelay(failure.delay().toMillis(), TimeUnit.MILLISECONDS);
        }
        return response;
    }

    /** The tail websocket: what Loki holds from start on, then every selected entry as it is added. */
    private MockResponse tail(Map<String, String> params, String auth) {
        if (refuseTails != 0) {
            return send(refuseTails, refuseTails == 404 ? "404 page not found\n" : "tail refused\n");
        }
        if (requiredAuthorization != null && !requiredAuthorization.equals(auth)) {
            return send(401, "no org id or bad credentials\n");
        }
        String query = params.get("query");
        if (query == null) {
            return send(400, "parse error : query is empty\n");
        }
        int close;
        Predicate<Map<String, String>> selector;
        Predicate<String> filters;
        try {
            close = selectorEnd(query);
            selector = selector(query.substring(1, close));
            filters = filters(query.substring(close + 1));
        } catch (IllegalArgumentException e) {
            return send(400, e.getMessage() + "\n");
        }
        long start = Long.parseLong(params.getOrDefault("start", "0"));
        long limit = Long.parseLong(params.getOrDefault("limit", "100"));
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
            @Override
            public void onOpen(WebSocket socket, Response response) {
                synchronized (entries) { // nothing added between the history and the first push
                    List<Entry> history = entries.stream()
                            .filter(e -> e.nanos() >= start && selector.test(e.labels()) && filters.test(e.line()))
                            .sorted(Comparator.comparingLong(Entry::nanos)).limit(limit).toList();
                    if (!history.isEmpty()) {
                        socket.send(tailMessage(history));
                    }
                    open.add(new Tail(socket, selector, filters));
                }
            }

            @Override
            public void onClosing(WebSocket socket, int code, String reason) {
                open.removeIf(t -> t.socket() == socket);
                socket.close(1000, null);
            }

            @Override
            public void onFailure(WebSocket socket, Throwable t, Response response) {
                open.removeIf(tail -> tail.socket() == socket);
            }
        });
    }

    private static String tailMessage(List<Entry> batch) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode streams = root.putArray("streams");
        Map<Map<String, String>, ArrayNode> byLabels = new LinkedHashMap<>();
        for (Entry e : batch) {
            byLabels.computeIfAbsent(e.labels(), labels -> {
                ObjectNode stream = streams.addObject();
                ObjectNode l = stream.putObject("stream");
                labels.forEach(l::put);
                return stream.putArray("values");
            }).addArray().add(Long.toString(e.nanos())).add(e.line());
        }
        root.putNull("dropped_entries");
        return root.toString();
    }

    private String evaluate(Map<String, String> params) {
        String query = params.get("query");
        if (query == null) {
            throw new IllegalArgumentException("parse error : query is empty");
        }
        long start = Long.parseLong(params.getOrDefault("start", "0"));
        long end = Long.parseLong(params.getOrDefault("end", Long.toString(Long.MAX_VALUE)));
        long limit = Long.parseLong(params.getOrDefault("limit", "100"));
        boolean backward = !"forward".equals(params.getOrDefault("direction", "backward"));
        if (limit > maxEntriesLimitPerQuery) {
            throw new IllegalArgumentException("max entries limit per query exceeded, limit > max_entries_limit_per_query ("
                    + limit + " > " + maxEntriesLimitPerQuery + ")");
        }
        int close = selectorEnd(query);
        Predicate<Map<String, String>> selector = selector(query.substring(1, close));
        Predicate<String> filters = filters(query.substring(close + 1));
        Comparator<Entry> order = Comparator.comparingLong(Entry::nanos);
        List<Entry> hits = new ArrayList<>();
        List<Entry> snapshot;
        synchronized (entries) {
            snapshot = List.copyOf(entries);
        }
        for (Entry e : snapshot) {
            if (e.nanos() >= start && e.nanos() < end && selector.test(e.labels()) && filters.test(e.line())) {
                hits.add(e);
            }
        }
        hits.sort(order); // stable: entries of equal time keep the order they were pushed in
        if (backward) {
            java.util.Collections.reverse(hits);
        }
        hits = hits.subList(0, (int) Math.min(limit, hits.size()));
        Map<Map<String, String>, ArrayNode> streams = new LinkedHashMap<>();
        ObjectNode root = JSON.createObjectNode().put("status", "success");
        ObjectNode data = root.putObject("data").put("resultType", "streams");
        ArrayNode result = data.putArray("result");
        for (Entry e : hits) {
            ArrayNode values = streams.computeIfAbsent(e.labels(), labels -> {
                ObjectNode stream = result.addObject();
                ObjectNode l = stream.putObject("stream");
                labels.forEach(l::put);
                return stream.putArray("values");
            });
            values.addArray().add(Long.toString(e.nanos())).add(e.line());
        }
        data.putObject("stats").putObject("summary").put("totalEntriesReturned", hits.size());
        return root.toString();
    }

    private static int selectorEnd(String query) {
        if (!query.startsWith("{")) {
            throw new IllegalArgumentException("parse error at line 1, col 1: syntax error: unexpected input");
        }
        boolean quoted = false;
        char quote = 0;
        for (int i = 1; i < query.length(); i++) {
            char c = query.charAt(i);
            if (quoted) {
                if (c == '\\' && quote == '"') {
                    i++;
                } else if (c == quote) {
                    quoted = false;
                }
            } else if (c == '"' || c == '`') {
                quoted = true;
                quote = c;
            } else if (c == '}') {
                return i;
            }
        }
        throw new IllegalArgumentException("parse error: unclosed stream selector");
    }

    private static Predicate<Map<String, String>> selector(String body) {
        Predicate<Map<String, String>> all = labels -> true;
        Cursor in = new Cursor(body);
        while (true) {
            in.skipSpaces();
            if (in.done()) {
                return all;
            }
            String name = in.name();
            in.skipSpaces();
            String op = in.operator("=~", "!~", "!=", "=");
            in.skipSpaces();
            String value = in.string();
            Predicate<String> test = switch (op) {
                case "=" -> value::equals;
                case "!=" -> v -> !value.equals(v);
                case "=~" -> v -> Pattern.compile(value).matches(v);
                default -> v -> !Pattern.compile(value).matches(v);
            };
            all = all.and(labels -> test.test(labels.getOrDefault(name, "")));
            in.skipSpaces();
            if (!in.done()) {
                in.expect(',');
            }
        }
    }

    private static Predicate<String> filters(String pipeline) {
        Predicate<String> all = line -> true;
        Cursor in = new Cursor(pipeline);
        while (true) {
            in.skipSpaces();
            if (in.done()) {
                return all;
            }
            String op = in.operator("|=", "!=", "|~", "!~");
            in.skipSpaces();
            String value = in.string();
            Predicate<String> test = switch (op) {
                case "|=" -> line -> line.contains(value);
                case "!=" -> line -> !line.contains(value);
                case "|~" -> line -> Pattern.compile(value).matcher(line).find();
                default -> line -> !Pattern.compile(value).matcher(line).find();
            };
            all = all.and(test);
        }
    }

    /** Reads LogQL tokens: names, operators and Go strings. */
    private static final class Cursor {
        private final String text;
        private int at;

        Cursor(String text) {
            this.text = text;
        }

        boolean done() {
            return at >= text.length();
        }

        void skipSpaces() {
            while (!done() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        void expect(char c) {
            if (done() || text.charAt(at) != c) {
                throw error("expected '" + c + "'");
            }
            at++;
        }

        String name() {
            int from = at;
            while (!done() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
                at++;
            }
            if (from == at) {
                throw error("expected a label name");
            }
            return text.substring(from, at);
        }

        String operator(String... ops) {
            for (String op : ops) {
                if (text.startsWith(op, at)) {
                    at += op.length();
                    return op;
                }
            }
            throw error("unexpected input");
        }

        String string() {
            if (done()) {
                throw error("expected a string");
            }
            char open = text.charAt(at++);
            if (open == '`') {
                int close = text.indexOf('`', at);
                if (close < 0) {
                    throw error("unterminated raw string");
                }
                String raw = text.substring(at, close).replace("\r", "");
                at = close + 1;
                return raw;
            }
            if (open != '"') {
                throw error("expected a string");
            }
            StringBuilder out = new StringBuilder();
            while (true) {
                if (done()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c == '\n') {
                    throw error("newline in string");
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = text.charAt(at++);
                switch (e) {
                    case '\\' -> out.append('\\');
                    case '"' -> out.append('"');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'a' -> out.append('\u0007');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'v' -> out.append('\u000b');
                    case 'x' -> {
                        out.append((char) Integer.parseInt(text.substring(at, at + 2), 16));
                        at += 2;
                    }
                    case 'u' -> {
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> throw error("invalid escape \\" + e + " in string (Go strconv.Unquote would refuse it)");
                }
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("parse error at col " + (at + 1) + ": " + what + " in `" + text + "`");
        }
    }

    private static MockResponse send(int status, String body) {
        return new MockResponse().setResponseCode(status)
                .setHeader("Content-Type", status == 200 ? "application/json" : "text/plain")
                .setBody(body == null ? "" : body);
    }

    private static Map<String, String> params(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(key, value);
        }
        return out;
    }
}
