package dev.aegis.afs.core.traces;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.http.HttpBackendClient;
import dev.aegis.afs.core.http.HttpBackendOptions;
import dev.aegis.afs.core.prometheus.Sleeper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Grafana Tempo's HTTP API: {@code GET /api/search} (TraceQL), {@code GET /api/traces/<id>}
 * (OTLP JSON: {@code batches} or {@code resourceSpans}, ids hex or base64 as Tempo versions
 * write them) and the service names ({@code GET /api/v2/search/tag/resource.service.name/values}),
 * through {@link HttpBackendClient} (retries, backoff, the bounded read).
 */
final class TempoClient {

    static final long MAX_BODY_BYTES = 64L * 1024 * 1024;

    private static final Pattern HEX_ID = Pattern.compile("[0-9a-fA-F]{16}|[0-9a-fA-F]{32}");
    static final String SERVICES_PATH = "/api/v2/search/tag/resource.service.name/values";

    private static final HttpBackendClient.Profile PROFILE = new HttpBackendClient.Profile("tempo", "Tempo",
            "/api/...", MAX_BODY_BYTES, "narrow the read (since=, tail=, status=error)", TempoClient::describe);

    private final HttpBackendClient http;

    TempoClient(String name, HttpBackendOptions options, Sleeper sleeper) {
        this.http = new HttpBackendClient(PROFILE, name, options, sleeper);
    }

    HttpBackendClient http() {
        return http;
    }

    /** The values of {@code resource.service.name}, sorted. */
    List<String> services() throws AfsException {
        JsonNode root = json(get(SERVICES_PATH).body(), SERVICES_PATH);
        TreeSet<String> out = new TreeSet<>();
        for (JsonNode v : root.path("tagValues")) {
            out.add(v.isTextual() ? v.asText() : v.path("value").asText());
        }
        out.remove("");
        return List.copyOf(out);
    }

    /** The trace ids a search found (32 hex digits: Tempo drops leading zeros), and the answer. */
    TraceBackend.Fetched<List<String>> search(String pathAndQuery) throws AfsException {
        HttpBackendClient.Answer a = get(pathAndQuery);
        JsonNode root = json(a.body(), "/api/search");
        if (!root.path("traces").isArray() && !root.path("traces").isMissingNode()) {
            throw http.failure(AfsError.BACKEND_FAILURE, "/api/search: traces is not a list; check that url points at Tempo");
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode t : root.path("traces")) {
            String id = t.path("traceID").asText("").toLowerCase(Locale.ROOT);
            if (!id.matches("[0-9a-f]{1,32}")) {
                throw http.failure(AfsError.BACKEND_FAILURE, "/api/search: a trace has no hex traceID ('" + id + "')");
            }
            ids.add("0".repeat(32 - id.length()) + id);
        }
        return new TraceBackend.Fetched<>(ids, "GET " + pathAndQuery, a.body().length, a.took());
    }

    /** One trace as spans, with Tempo's JSON; empty on 404. */
    Optional<TraceBackend.Fetched<TraceBackend.TraceDocument>> trace(String traceId) throws AfsException {
        String path = "/api/traces/" + traceId;
        HttpBackendClient.Answer a = http.get(http.resolve(path), path + ": ", Set.of(404));
        if (a.status() == 404) {
            return Optional.empty();
        }
        JsonNode root = json(a.body(), path);
        return Optional.of(new TraceBackend.Fetched<>(new TraceBackend.TraceDocument(spans(root), root), "GET " + path,
                a.body().length, a.took()));
    }

    /** The spans of an OTLP JSON trace, as Zipkin's model has them (times in microseconds). */
    static List<Span> spans(JsonNode root) {
        JsonNode resources = root.has("trace") ? root.path("trace").path("resourceSpans")
                : root.has("batches") ? root.path("batches") : root.path("resourceSpans");
        List<Span> out = new ArrayList<>();
        for (JsonNode rs : resources) {
            Map<String, String> resource = attributes(rs.path("resource").path("attributes"));
            String service = resource.getOrDefault("service.name", "");
            JsonNode scopes = rs.has("scopeSpans") ? rs.path("scopeSpans") : rs.path("instrumentationLibrarySpans");
            for (JsonNode scope : scopes) {
                for (JsonNode s : scope.path("spans")) {
                    Map<String, String> tags = new LinkedHashMap<>(attributes(s.path("attributes")));
                    JsonNode status = s.path("status");
                    String code = status.path("code").asText("");
                    if (code.equals("STATUS_CODE_ERROR") || code.equals("2")) {
                        String message = status.path("message").asText("");
                        tags.put("error", message.isEmpty() ? "true" : message);
                    }
                    long start = s.path("startTimeUnixNano").asLong();
                    long end = s.path("endTimeUnixNano").asLong();
                    String parent = id(s.path("parentSpanId").asText(""));
                    out.add(new Span(id(s.path("traceId").asText("")), id(s.path("spanId").asText("")),
                            parent.isEmpty() ? Optional.empty() : Optional.of(parent), s.path("name").asText(""),
                            kind(s.path("kind").asText("")), service, Optional.ofNullable(tags.get("peer.service")),
                            start / 1000, Math.max(0, end - start) / 1000, tags));
                }
            }
        }
        return out;
    }

    /** OTLP's {@code SPAN_KIND_SERVER} as Zipkin's {@code SERVER}; internal and unspecified as none. */
    private static String kind(String kind) {
        String k = kind.startsWith("SPAN_KIND_") ? kind.substring("SPAN_KIND_".length()) : kind;
        return switch (k) {
            case "SERVER", "CLIENT", "PRODUCER", "CONSUMER" -> k;
            case "2" -> "SERVER";
            case "3" -> "CLIENT";
            case "4" -> "PRODUCER";
            case "5" -> "CONSUMER";
            default -> "";
        };
    }

    /** An id as lowercase hex: Tempo writes hex, or base64 (protobuf JSON of bytes). */
    static String id(String text) {
        if (text.isEmpty() || HEX_ID.matcher(text).matches()) {
            return text.toLowerCase(Locale.ROOT);
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(text);
            return bytes.length == 0 ? "" : HexFormat.of().formatHex(bytes);
        } catch (IllegalArgumentException e) {
            return text; // neither: shown as sent
        }
    }

    private static Map<String, String> attributes(JsonNode list) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode a : list) {
            JsonNode v = a.path("value");
            String text = v.has("stringValue") ? v.get("stringValue").asText()
                    : v.has("intValue") ? v.get("intValue").asText()
                    : v.has("boolValue") ? v.get("boolValue").asText()
                    : v.has("doubleValue") ? v.get("doubleValue").asText()
                    : v.toString();
            out.put(a.path("key").asText(), text);
        }
        return out;
    }

    private JsonNode json(byte[] body, String what) throws AfsException {
        try {
            JsonNode node = ZipkinClient.JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw http.failure(AfsError.BACKEND_FAILURE, what + ": the answer is not a JSON object; check that url"
                        + " points at Tempo's query frontend (/api/... is appended to it)");
            }
            return node;
        } catch (IOException e) {
            throw http.failure(AfsError.BACKEND_FAILURE, what + ": the answer is not JSON (" + e.getMessage().lines()
                    .findFirst().orElse("") + "); check that url points at Tempo (/api/... is appended to it)");
        }
    }

    private HttpBackendClient.Answer get(String pathAndQuery) throws AfsException {
        return http.get(http.resolve(pathAndQuery), pathAndQuery.replaceAll("\\?.*", "") + ": ", Set.of());
    }

    /** Tempo answers errors as plain text (e.g. {@code invalid TraceQL query: parse error at line 1, col 3 ...}). */
    private static String describe(byte[] body) {
        return HttpBackendClient.firstLine(body);
    }
}
