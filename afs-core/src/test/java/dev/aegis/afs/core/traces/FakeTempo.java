package dev.aegis.afs.core.traces;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A Grafana Tempo on 127.0.0.1 that evaluates what it receives over fixture spans, as the Loki
 * fake does, so a test asserts both the exact request and what a real Tempo would answer:
 * <ul>
 * <li>{@code GET /api/search?q=&start=&end=&limit=}: parses the TraceQL (one spanset of
 *     {@code &&}-joined conditions on {@code resource.service.name}, {@code name}, {@code status}
 *     and {@code duration}, Go string escapes; anything else is a 400 {@code invalid TraceQL
 *     query}), keeps traces with a span satisfying every condition that start within
 *     {@code [start, end]} (epoch seconds), newest first, at most {@code limit}; answers Tempo's
 *     JSON with the trace id's leading zeros dropped, as Tempo does.</li>
 * <li>{@code GET /api/traces/<id>}: the trace as OTLP JSON ({@code batches} per service, ids in
 *     base64 as Tempo's protobuf JSON writes them); 404 when unknown.</li>
 * <li>{@code GET /api/v2/search/tag/resource.service.name/values}.</li>
 * <li>{@code GET /api/v1/query} (the Prometheus the metrics-generator writes to): for
 *     {@code sum by (client, server) (increase(traces_service_graph_request_total[Ns]))} and
 *     {@code ..._failed_total}, one sample per edge (a span whose parent is in another service)
 *     in the N seconds before {@code time}.</li>
 * </ul>
 * Every request is recorded; the next answer can be replaced by a failure.
 */
final class FakeTempo implements AutoCloseable {

    /** One span; ids in hex (trace 32 digits, span 16), times in epoch nanoseconds. */
    record FakeSpan(String traceId, String spanId, String parent, String service, String name, String kind,
                    long startNanos, long durationNanos, String errorMessage) {
        boolean error() {
            return errorMessage != null;
        }
    }

    /** One request: its path and decoded query parameters. */
    record Received(String path, Map<String, String> params) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CONDITION = Pattern.compile(
            "(resource\\.service\\.name|name) = (\"(?:[^\"\\\\]|\\\\.)*\")|status = (error|ok|unset)|duration (>=|<=|>|<|=) (\\d+)(ns|us|ms|s)");
    private static final Pattern GRAPH = Pattern.compile(
            "sum by \\(client, server\\) \\(increase\\((traces_service_graph_request_total|traces_service_graph_request_failed_total)\\[(\\d+)s\\]\\)\\)");

    private final MockWebServer server = new MockWebServer();
    private final List<FakeSpan> spans = new CopyOnWriteArrayList<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<MockResponse> failures = new ArrayDeque<>();

    FakeTempo() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return handle(request);
            }
        });
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    FakeTempo add(List<FakeSpan> more) {
        spans.addAll(more);
        return this;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    /** The requests to {@code path}, in order. */
    List<Received> received(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    synchronized FakeTempo failNext(int status, String body) {
        failures.add(new MockResponse().setResponseCode(status).setBody(body));
        return this;
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
    }

    private MockResponse handle(RecordedRequest request) {
        String target = request.getPath() == null ? "/" : request.getPath();
        int mark = target.indexOf('?');
        String path = mark < 0 ? target : target.substring(0, mark);
        Map<String, String> params = new LinkedHashMap<>();
        if (mark >= 0) {
            for (String pair : target.substring(mark + 1).split("&")) {
                int eq = pair.indexOf('=');
                params.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        received.add(new Received(path, params));
        synchronized (this) {
            if (!failures.isEmpty()) {
                return failures.poll();
            }
        }
        try {
            if (path.equals("/api/search")) {
                return json(search(params));
            }
            if (path.startsWith("/api/traces/")) {
                return trace(path.substring("/api/traces/".length()));
            }
            if (path.equals("/api/v2/search/tag/resource.service.name/values")) {
                ObjectNode root = JSON.createObjectNode();
                ArrayNode values = root.putArray("tagValues");
                new TreeSet<>(spans.stream().map(FakeSpan::service).toList())
                        .forEach(s -> values.addObject().put("type", "string").put("value", s));
                root.putObject("metrics");
                return json(root);
            }
            if (path.equals("/api/v1/query")) {
                return graph(params);
            }
            return new MockResponse().setResponseCode(404).setBody("404 page not found\n");
        } catch (IllegalArgumentException e) {
            return new MockResponse().setResponseCode(400).setBody(e.getMessage() + "\n");
        }
    }

    private ObjectNode search(Map<String, String> params) {
        for (String p : List.of("q", "start", "end", "limit")) {
            if (!params.containsKey(p)) {
                throw new IllegalArgumentException("this fake wants every search to say " + p + "=; the request had " + params.keySet());
            }
        }
        Predicate<FakeSpan> spanset = traceQl(params.get("q"));
        long start = Long.parseLong(params.get("start")) * 1_000_000_000L;
        long end = Long.parseLong(params.get("end")) * 1_000_000_000L;
        int limit = Integer.parseInt(params.get("limit"));
        Map<String, List<FakeSpan>> traces = byTrace();
        ObjectNode root = JSON.createObjectNode();
        ArrayNode out = root.putArray("traces");
        traces.values().stream()
                .filter(t -> root(t).startNanos() >= start && root(t).startNanos() <= end)
                .filter(t -> t.stream().anyMatch(spanset))
                .sorted(Comparator.comparingLong((List<FakeSpan> t) -> root(t).startNanos()).reversed())
                .limit(limit)
                .forEach(t -> {
                    FakeSpan r = root(t);
                    long last = t.stream().mapToLong(s -> s.startNanos() + s.durationNanos()).max().orElseThrow();
                    ObjectNode n = out.addObject();
                    n.put("traceID", r.traceId().replaceFirst("^0+", ""));
                    n.put("rootServiceName", r.service());
                    n.put("rootTraceName", r.name());
                    n.put("startTimeUnixNano", Long.toString(r.startNanos()));
                    n.put("durationMs", (last - r.startNanos()) / 1_000_000);
                    ObjectNode set = n.putObject("spanSet");
                    ArrayNode matched = set.putArray("spans");
                    t.stream().filter(spanset).forEach(s -> {
                        ObjectNode m = matched.addObject();
                        m.put("spanID", s.spanId());
                        m.put("startTimeUnixNano", Long.toString(s.startNanos()));
                        m.put("durationNanos", Long.toString(s.durationNanos()));
                    });
                    set.put("matched", matched.size());
                    n.putArray("spanSets").add(set.deepCopy());
                });
        root.putObject("metrics").put("inspectedTraces", traces.size());
        return root;
    }

    /** The spanset filter of {@code { a && b && ... }}, or a 400 as Tempo's parser gives. */
    private static Predicate<FakeSpan> traceQl(String q) {
        if (!q.startsWith("{ ") || !q.endsWith(" }")) {
            throw new IllegalArgumentException("invalid TraceQL query: parse error at line 1, col 1: syntax error: "
                    + "this fake reads one spanset written as { a && b }");
        }
        String body = q.substring(2, q.length() - 2);
        Predicate<FakeSpan> all = s -> true;
        int at = 0;
        while (true) {
            Matcher m = CONDITION.matcher(body);
            m.region(at, body.length());
            if (!m.lookingAt()) {
                throw new IllegalArgumentException("invalid TraceQL query: parse error at line 1, col " + (at + 3)
                        + ": syntax error: unexpected " + body.substring(at));
            }
            all = all.and(condition(m));
            at = m.end();
            if (at == body.length()) {
                return all;
            }
            if (!body.startsWith(" && ", at)) {
                throw new IllegalArgumentException("invalid TraceQL query: parse error at line 1, col " + (at + 3)
                        + ": syntax error: unexpected " + body.substring(at));
            }
            at += 4;
        }
    }

    private static Predicate<FakeSpan> condition(Matcher m) {
        if (m.group(1) != null) {
            String value = goString(m.group(2));
            return m.group(1).equals("name") ? s -> s.name().equals(value) : s -> s.service().equals(value);
        }
        if (m.group(3) != null) {
            return m.group(3).equals("error") ? FakeSpan::error : s -> !s.error();
        }
        long n = Long.parseLong(m.group(5)) * switch (m.group(6)) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            default -> 1_000_000_000L;
        };
        return switch (m.group(4)) {
            case ">=" -> s -> s.durationNanos() >= n;
            case "<=" -> s -> s.durationNanos() <= n;
            case ">" -> s -> s.durationNanos() > n;
            case "<" -> s -> s.durationNanos() < n;
            default -> s -> s.durationNanos() == n;
        };
    }

    /** A Go double-quoted string's value (the escapes TraceQL takes: backslash and quote). */
    private static String goString(String quoted) {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < quoted.length() - 1; i++) {
            char c = quoted.charAt(i);
            if (c == '\\') {
                c = quoted.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }

    private MockResponse trace(String id) {
        String wanted = id.toLowerCase(java.util.Locale.ROOT).replaceFirst("^0+", "");
        List<FakeSpan> trace = byTrace().entrySet().stream().filter(e -> e.getKey().replaceFirst("^0+", "").equals(wanted))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        if (trace == null) {
            return new MockResponse().setResponseCode(404).setBody("trace not found\n");
        }
        ObjectNode root = JSON.createObjectNode();
        ArrayNode batches = root.putArray("batches");
        Map<String, List<FakeSpan>> byService = new LinkedHashMap<>();
        trace.forEach(s -> byService.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s));
        byService.forEach((service, list) -> {
            ObjectNode batch = batches.addObject();
            batch.putObject("resource").putArray("attributes").addObject().put("key", "service.name")
                    .putObject("value").put("stringValue", service);
            ObjectNode scope = batch.putArray("scopeSpans").addObject();
            scope.putObject("scope").put("name", "fake-otel");
            ArrayNode out = scope.putArray("spans");
            for (FakeSpan s : list) {
                ObjectNode n = out.addObject();
                n.put("traceId", base64(s.traceId()));
                n.put("spanId", base64(s.spanId()));
                if (!s.parent().isEmpty()) {
                    n.put("parentSpanId", base64(s.parent()));
                }
                n.put("name", s.name());
                n.put("kind", "SPAN_KIND_" + s.kind());
                n.put("startTimeUnixNano", Long.toString(s.startNanos()));
                n.put("endTimeUnixNano", Long.toString(s.startNanos() + s.durationNanos()));
                ArrayNode attributes = n.putArray("attributes");
                attributes.addObject().put("key", "http.method").putObject("value").put("stringValue", "GET");
                ObjectNode status = n.putObject("status");
                if (s.error()) {
                    status.put("code", "STATUS_CODE_ERROR").put("message", s.errorMessage());
                }
            }
        });
        return json(root);
    }

    private MockResponse graph(Map<String, String> params) {
        Matcher m = GRAPH.matcher(params.getOrDefault("query", ""));
        if (!m.matches() || !params.containsKey("time")) {
            return new MockResponse().setResponseCode(400).setBody("{\"status\":\"error\",\"errorType\":\"bad_data\","
                    + "\"error\":\"this fake answers the service graph queries only, with time=\"}");
        }
        boolean failed = m.group(1).endsWith("_failed_total");
        long end = Instant.parse(params.get("time")).toEpochMilli() * 1_000_000L;
        long start = end - Long.parseLong(m.group(2)) * 1_000_000_000L;
        Map<String, FakeSpan> byId = new LinkedHashMap<>();
        spans.forEach(s -> byId.put(s.traceId() + "/" + s.spanId(), s));
        Map<List<String>, Long> edges = new LinkedHashMap<>();
        for (FakeSpan s : spans) {
            FakeSpan parent = byId.get(s.traceId() + "/" + s.parent());
            if (parent == null || parent.service().equals(s.service()) || s.startNanos() <= start || s.startNanos() > end) {
                continue;
            }
            if (!failed || s.error()) {
                edges.merge(List.of(parent.service(), s.service()), 1L, Long::sum);
            } else {
                edges.putIfAbsent(List.of(parent.service(), s.service()), 0L);
            }
        }
        ObjectNode root = JSON.createObjectNode().put("status", "success");
        ObjectNode data = root.putObject("data").put("resultType", "vector");
        ArrayNode result = data.putArray("result");
        double time = end / 1e9;
        edges.forEach((k, v) -> {
            ObjectNode series = result.addObject();
            series.putObject("metric").put("client", k.get(0)).put("server", k.get(1));
            // increase() extrapolates: a count comes back as a float near the whole number
            series.putArray("value").add(time).add(String.valueOf(v == 0 ? 0.0 : v * 1.0004));
        });
        return json(root);
    }

    private Map<String, List<FakeSpan>> byTrace() {
        Map<String, List<FakeSpan>> out = new LinkedHashMap<>();
        spans.forEach(s -> out.computeIfAbsent(s.traceId(), k -> new ArrayList<>()).add(s));
        return out;
    }

    private static FakeSpan root(List<FakeSpan> trace) {
        Optional<FakeSpan> root = trace.stream().filter(s -> s.parent().isEmpty()).findFirst();
        return root.orElseGet(() -> trace.stream().min(Comparator.comparingLong(FakeSpan::startNanos)).orElseThrow());
    }

    private static String base64(String hex) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static MockResponse json(ObjectNode node) {
        return new MockResponse().setHeader("Content-Type", "application/json").setBody(node.toString());
    }
}
