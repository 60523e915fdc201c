package dev.aegis.afs.core.loki;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Pattern;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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
import java.util.function.Predicate;

/**
 * A Loki on 127.0.0.1 that speaks {@code GET /loki/api/v1/query_range} and evaluates the query
 * it receives over fixture entries: it parses the stream selector and the line filters
 * ({@code |=}, {@code !=}, {@code |~}, {@code !~} with Go double-quoted or raw strings), applies
 * them with RE2J, and honours {@code start} (inclusive), {@code end} (exclusive), {@code limit}
 * (default 100), {@code direction} (default backward) and its own per-query cap, as Loki does.
 * Every request is recorded. Failures can be queued. Close it after use.
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

    private final HttpServer server;
    private final List<Entry> entries = new ArrayList<>(); // guarded by itself
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<Failure> failures = new ArrayDeque<>();
    private volatile long maxEntriesLimitPerQuery = 5000;
    private volatile String requiredAuthorization;

    public FakeLoki() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/loki/api/v1/query_range", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    /** The base URL to configure, e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Adds one entry to the stream with these labels. */
    public FakeLoki add(Map<String, String> labels, long nanos, String line) {
        synchronized (entries) {
            entries.add(new Entry(new TreeMap<>(labels), nanos, line));
        }
        return this;
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
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> params = params(exchange.getRequestURI().getRawQuery());
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            received.add(new Received(params, exchange.getRequestHeaders().getFirst("X-Scope-OrgID"), auth));
            Failure failure;
            synchronized (this) {
                failure = failures.poll();
            }
            if (failure != null && !failure.delay().isZero()) {
                try {
                    Thread.sleep(failure.delay().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } else if (failure != null) {
                send(exchange, failure.status(), failure.body());
                return;
            }
            if (requiredAuthorization != null && !requiredAuthorization.equals(auth)) {
                send(exchange, 401, "no org id or bad credentials\n");
                return;
            }
            try {
                send(exchange, 200, evaluate(params));
            } catch (IllegalArgumentException e) {
                send(exchange, 400, e.getMessage() + "\n");
            }
        }
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

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", status == 200 ? "application/json" : "text/plain");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
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
