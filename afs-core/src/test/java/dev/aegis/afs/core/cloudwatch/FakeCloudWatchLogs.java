package dev.aegis.afs.core.cloudwatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * CloudWatch Logs on 127.0.0.1, speaking the AWS JSON 1.1 protocol ({@code POST /} with
 * {@code X-Amz-Target: Logs_20140328.StartQuery}, {@code GetQueryResults}, {@code StopQuery} and
 * {@code application/x-amz-json-1.1}). It evaluates the Insights query it receives over fixture
 * events: {@code fields}, {@code filter} with {@code and}/{@code or}/{@code not}/parentheses over
 * {@code @message like "text"} (substring), {@code @message like /regex/} and
 * {@code @logStream like /regex/} (java.util.regex, as Insights is not RE2),
 * {@code toMillis(@timestamp) >= N} / {@code < N}, {@code sort @timestamp asc|desc} and
 * {@code limit N} (at most 10,000; 1,000 when absent), within StartQuery's inclusive seconds.
 * A query reports Running for {@link #runningPolls} polls, then Complete. Requests are recorded;
 * failures can be queued. Close it after use.
 */
public final class FakeCloudWatchLogs implements AutoCloseable {

    /** A StartQuery as received. */
    public record StartQuery(List<String> logGroupNames, long startTime, long endTime, String queryString) {
    }

    private record Event(String group, String stream, long millis, String message, String ptr) {
    }

    private record Failure(int status, String contentType, String body, Duration delay) {
    }

    private record Query(List<ObjectNode> rows, AtomicInteger polls, String finalStatus) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Event> events = new ArrayList<>(); // guarded by itself
    private final List<StartQuery> started = new CopyOnWriteArrayList<>();
    private final List<String> targets = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final Map<String, Query> queries = new ConcurrentHashMap<>();
    private final Deque<Failure> failures = new ArrayDeque<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile int runningPolls = 1;
    private volatile String nextFinalStatus;
    private volatile boolean epochMillisTimestamps;

    public FakeCloudWatchLogs() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The endpoint to configure, e.g. {@code http://127.0.0.1:41234}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public FakeCloudWatchLogs add(String group, String stream, long millis, String message) {
        synchronized (events) {
            events.add(new Event(group, stream, millis, message, "ptr-" + events.size()));
        }
        return this;
    }

    /** Adds {@code messages} to one stream, the first at {@code first} and each next {@code step} later. */
    public FakeCloudWatchLogs addLines(String group, String stream, Instant first, Duration step, List<String> messages) {
        for (int i = 0; i < messages.size(); i++) {
            add(group, stream, first.plus(step.multipliedBy(i)).toEpochMilli(), messages.get(i));
        }
        return this;
    }

    /** How many GetQueryResults calls answer Running before Complete. */
    /** Answers {@code @timestamp} as epoch milliseconds ({@code 1764643200123}) rather than {@code yyyy-MM-dd HH:mm:ss.SSS}. */
    public FakeCloudWatchLogs epochMillisTimestamps(boolean on) {
        this.epochMillisTimestamps = on;
        return this;
    }

    public FakeCloudWatchLogs runningPolls(int polls) {
        this.runningPolls = polls;
        return this;
    }

    /** The next query ends with this status (e.g. Failed), or never completes with Running. */
    public FakeCloudWatchLogs nextQueryEndsWith(String status) {
        this.nextFinalStatus = status;
        return this;
    }

    /** The next request gets an AWS error of this type. */
    public synchronized FakeCloudWatchLogs failNext(int status, String type, String message) {
        ObjectNode body = JSON.createObjectNode().put("__type", type).put("message", message);
        failures.add(new Failure(status, "application/x-amz-json-1.1", body.toString(), Duration.ZERO));
        return this;
    }

    /** The next request gets exactly this status, content type and body. */
    public synchronized FakeCloudWatchLogs failNextRaw(int status, String contentType, String body) {
        failures.add(new Failure(status, contentType, body, Duration.ZERO));
        return this;
    }

    /** The next request is answered after {@code delay}. */
    public synchronized FakeCloudWatchLogs delayNext(Duration delay) {
        failures.add(new Failure(0, null, null, delay));
        return this;
    }

    public List<StartQuery> started() {
        return List.copyOf(started);
    }

    /** The X-Amz-Target of every request, in order. */
    public List<String> targets() {
        return List.copyOf(targets);
    }

    /** The Authorization header of every request (SigV4: names the access key id, never the secret). */
    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            targets.add(target);
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
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
                send(exchange, failure.status(), failure.contentType(), failure.body());
                return;
            }
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            if (!"application/x-amz-json-1.1".equals(contentType)) {
                error(exchange, "SerializationException", "unexpected content type " + contentType);
                return;
            }
            try {
                JsonNode response = switch (target) {
                    case "Logs_20140328.StartQuery" -> startQuery(request);
                    case "Logs_20140328.GetQueryResults" -> getQueryResults(request);
                    case "Logs_20140328.StopQuery" -> JSON.createObjectNode().put("success", queries.remove(
                            request.path("queryId").asText()) != null);
                    default -> throw new IllegalArgumentException("UnknownOperationException:" + target);
                };
                send(exchange, 200, "application/x-amz-json-1.1", response.toString());
            } catch (IllegalArgumentException e) {
                String[] parts = e.getMessage().split(":", 2);
                error(exchange, parts[0], parts.length > 1 ? parts[1] : "");
            }
        }
    }

    private JsonNode startQuery(JsonNode request) {
        List<String> groups = new ArrayList<>();
        request.path("logGroupNames").forEach(g -> groups.add(g.asText()));
        long start = request.path("startTime").asLong();
        long end = request.path("endTime").asLong();
        String queryString = request.path("queryString").asText();
        started.add(new StartQuery(groups, start, end, queryString));
        List<Event> events;
        synchronized (this.events) {
            events = List.copyOf(this.events);
        }
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("InvalidParameterException:logGroupNames is required");
        }
        for (String g : groups) {
            if (events.stream().noneMatch(e -> e.group().equals(g))) {
                throw new IllegalArgumentException("ResourceNotFoundException:Log group '" + g + "' does not exist");
            }
        }
        InsightsProgram program = new InsightsProgram(queryString);
        List<Event> hits = new ArrayList<>();
        for (Event e : events) {
            if (groups.contains(e.group()) && e.millis() >= start * 1000 && e.millis() < (end + 1) * 1000
                    && program.filter.test(e)) {
                hits.add(e);
            }
        }
        Comparator<Event> order = Comparator.comparingLong(Event::millis);
        hits.sort(order); // stable: events of one millisecond keep the order they were put in
        if (program.descending) {
            java.util.Collections.reverse(hits);
        }
        List<ObjectNode> rows = new ArrayList<>();
        for (Event e : hits.subList(0, (int) Math.min(program.limit, hits.size()))) {
            ObjectNode row = JSON.createObjectNode();
            // Insights prints @timestamp as text; some servers and proxies give epoch milliseconds
            row.put("@timestamp", epochMillisTimestamps ? Long.toString(e.millis())
                    : TIMESTAMP.format(Instant.ofEpochMilli(e.millis())));
            row.put("@message", e.message());
            row.put("@ptr", e.ptr());
            rows.add(row);
        }
        String id = "q-" + ids.incrementAndGet();
        String status = nextFinalStatus == null ? "Complete" : nextFinalStatus;
        nextFinalStatus = null;
        queries.put(id, new Query(rows, new AtomicInteger(), status));
        return JSON.createObjectNode().put("queryId", id);
    }

    private JsonNode getQueryResults(JsonNode request) {
        Query query = queries.get(request.path("queryId").asText());
        if (query == null) {
            throw new IllegalArgumentException("ResourceNotFoundException:unknown query id");
        }
        ObjectNode response = JSON.createObjectNode();
        boolean running = query.polls().getAndIncrement() < runningPolls || query.finalStatus().equals("Running");
        response.put("status", running ? "Running" : query.finalStatus());
        ArrayNode results = response.putArray("results");
        if (!running && query.finalStatus().equals("Complete")) {
            for (ObjectNode row : query.rows()) {
                ArrayNode fields = results.addArray();
                row.fields().forEachRemaining(f -> fields.addObject().put("field", f.getKey()).put("value", f.getValue().asText()));
            }
        }
        response.putObject("statistics").put("recordsMatched", query.rows().size()).put("recordsScanned", query.rows().size())
                .put("bytesScanned", 0);
        return response;
    }

    private static void error(HttpExchange exchange, String type, String message) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("__type", type).put("message", message);
        send(exchange, 400, "application/x-amz-json-1.1", body.toString());
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("x-amzn-RequestId", "fake-request");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The parts of an Insights query string this fake understands, parsed; anything else is a MalformedQueryException. */
    private static final class InsightsProgram {
        Predicate<Event> filter = e -> true;
        boolean descending;
        long limit = 1000;

        InsightsProgram(String text) {
            Tokens in = new Tokens(text);
            while (!in.done()) {
                String command = in.word();
                switch (command) {
                    case "fields" -> {
                        while (!in.done() && !in.peek("|")) {
                            in.next();
                        }
                    }
                    case "filter" -> filter = filter.and(or(in));
                    case "sort" -> {
                        in.expect("@timestamp");
                        descending = switch (in.word()) {
                            case "desc" -> true;
                            case "asc" -> false;
                            default -> throw malformed("sort order must be asc or desc");
                        };
                    }
                    case "limit" -> {
                        limit = Long.parseLong(in.word());
                        if (limit < 1 || limit > 10_000) {
                            throw new IllegalArgumentException("InvalidParameterException:limit must be between 1 and 10000");
                        }
                    }
                    default -> throw malformed("unknown command " + command);
                }
                if (!in.done()) {
                    in.expect("|");
                }
            }
        }

        private static Predicate<Event> or(Tokens in) {
            Predicate<Event> p = and(in);
            while (in.peek("or")) {
                in.next();
                p = p.or(and(in));
            }
            return p;
        }

        private static Predicate<Event> and(Tokens in) {
            Predicate<Event> p = unary(in);
            while (in.peek("and")) {
                in.next();
                p = p.and(unary(in));
            }
            return p;
        }

        private static Predicate<Event> unary(Tokens in) {
            if (in.peek("not")) {
                in.next();
                return unary(in).negate();
            }
            if (in.peek("(")) {
                in.next();
                Predicate<Event> p = or(in);
                in.expect(")");
                return p;
            }
            if (in.peek("toMillis")) {
                in.next();
                in.expect("(");
                in.expect("@timestamp");
                in.expect(")");
                String op = in.next();
                long bound = Long.parseLong(in.word());
                return switch (op) {
                    case ">=" -> e -> e.millis() >= bound;
                    case "<" -> e -> e.millis() < bound;
                    default -> throw malformed("unsupported comparison " + op);
                };
            }
            String field = in.word();
            boolean negated = false;
            if (in.peek("not")) {
                in.next();
                negated = true;
            }
            in.expect("like");
            String token = in.next();
            Predicate<String> test;
            if (token.startsWith("\"")) {
                String literal = token.substring(1);
                test = s -> s.contains(literal);
            } else if (token.startsWith("/")) {
                Pattern re = Pattern.compile(token.substring(1));
                test = s -> re.matcher(s).find();
            } else {
                throw malformed("like needs a string or a /regex/");
            }
            Predicate<Event> p = switch (field) {
                case "@message" -> e -> test.test(e.message());
                case "@logStream" -> e -> test.test(e.stream());
                default -> throw malformed("unknown field " + field);
            };
            return negated ? p.negate() : p;
        }

        private static IllegalArgumentException malformed(String what) {
            return new IllegalArgumentException("MalformedQueryException:" + what);
        }
    }

    /**
     * Tokens of a query: {@code "string"} (returned as {@code "} + value), {@code /regex/} after
     * {@code like} (returned as {@code /} + pattern), words, and the symbols {@code | ( ) , >= <}.
     */
    private static final class Tokens {
        private final List<String> tokens = new ArrayList<>();
        private int at;

        Tokens(String text) {
            int i = 0;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '"') {
                    StringBuilder s = new StringBuilder("\"");
                    i++;
                    while (i < text.length() && text.charAt(i) != '"') {
                        if (text.charAt(i) == '\\') {
                            i++;
                        }
                        s.append(text.charAt(i++));
                    }
                    if (i >= text.length()) {
                        throw InsightsProgram.malformed("unterminated string");
                    }
                    i++;
                    tokens.add(s.toString());
                } else if (c == '/' && !tokens.isEmpty() && tokens.get(tokens.size() - 1).equals("like")) {
                    StringBuilder s = new StringBuilder("/");
                    i++;
                    while (i < text.length() && text.charAt(i) != '/') {
                        if (text.charAt(i) == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '/') {
                            i++;
                        } else if (text.charAt(i) == '\\') {
                            s.append(text.charAt(i++));
                        }
                        s.append(text.charAt(i++));
                    }
                    if (i >= text.length()) {
                        throw InsightsProgram.malformed("unterminated regex");
                    }
                    i++;
                    tokens.add(s.toString());
                } else if (text.startsWith(">=", i)) {
                    tokens.add(">=");
                    i += 2;
                } else if ("|(),<".indexOf(c) >= 0) {
                    tokens.add(String.valueOf(c));
                    i++;
                } else {
                    int from = i;
                    while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || "@_.".indexOf(text.charAt(i)) >= 0)) {
                        i++;
                    }
                    if (from == i) {
                        throw InsightsProgram.malformed("unexpected '" + c + "'");
                    }
                    tokens.add(text.substring(from, i));
                }
            }
        }

        boolean done() {
            return at >= tokens.size();
        }

        boolean peek(String token) {
            return !done() && tokens.get(at).equals(token);
        }

        String next() {
            if (done()) {
                throw InsightsProgram.malformed("unexpected end of query");
            }
            return tokens.get(at++);
        }

        String word() {
            return next();
        }

        void expect(String token) {
            String got = next();
            if (!got.equals(token)) {
                throw InsightsProgram.malformed("expected " + token + " but found " + got);
            }
        }
    }
}
