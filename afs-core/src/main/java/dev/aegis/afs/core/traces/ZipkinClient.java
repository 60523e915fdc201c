package dev.aegis.afs.core.traces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.http.HttpBackendClient;
import dev.aegis.afs.core.http.HttpBackendOptions;
import dev.aegis.afs.core.prometheus.Sleeper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Zipkin's HTTP API v2: services, trace search, one trace, dependency links. Every call is a GET
 * of a path and query built elsewhere (so evidence records exactly what was sent), through
 * {@link HttpBackendClient} (retries, backoff, the bounded read).
 */
public final class ZipkinClient {

    /** Largest response read; past it the read fails and says to narrow it. */
    public static final long MAX_BODY_BYTES = 64L * 1024 * 1024;

    static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpBackendClient.Profile PROFILE = new HttpBackendClient.Profile("zipkin", "Zipkin",
            "/api/v2/...", MAX_BODY_BYTES, "narrow the read (since=, tail=, status=error)", HttpBackendClient::firstLine);

    private final HttpBackendClient http;

    ZipkinClient(String name, HttpBackendOptions options, Sleeper sleeper) {
        this.http = new HttpBackendClient(PROFILE, name, options, sleeper);
    }

    public String host() {
        return http.host();
    }

    /** The server's service names, sorted as Zipkin returns them. */
    public List<String> services() throws AfsException {
        JsonNode node = parse(get("/api/v2/services").body(), "/api/v2/services");
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** {@code GET <pathAndQuery>} (e.g. {@code /api/v2/traces?serviceName=api&...}), the traces it returns. */
    TraceBackend.Fetched<List<List<Span>>> traces(String pathAndQuery) throws AfsException {
        HttpBackendClient.Answer a = get(pathAndQuery);
        List<List<Span>> out = new ArrayList<>();
        for (JsonNode trace : parse(a.body(), pathAndQuery)) {
            out.add(spans(trace));
        }
        return new TraceBackend.Fetched<>(out, "GET " + pathAndQuery, a.body().length, a.took());
    }

    /** One trace's spans; empty when Zipkin has no such trace. */
    Optional<TraceBackend.Fetched<TraceBackend.TraceDocument>> trace(String traceId) throws AfsException {
        String path = "/api/v2/trace/" + traceId;
        HttpBackendClient.Answer a = http.get(http.resolve(path), path + ": ", Set.of(404));
        if (a.status() == 404) {
            return Optional.empty();
        }
        JsonNode spans = parse(a.body(), path);
        return Optional.of(new TraceBackend.Fetched<>(new TraceBackend.TraceDocument(spans(spans), spans), "GET " + path,
                a.body().length, a.took()));
    }

    /** The dependency links of the {@code lookback} before {@code end}, as {@code traces/graph} reads them. */
    public TraceBackend.Fetched<ServiceGraph> dependencies(Instant end, Duration lookback) throws AfsException {
        String path = dependenciesPath(end, lookback);
        HttpBackendClient.Answer a = get(path);
        List<ServiceGraph.Link> links = new ArrayList<>();
        for (JsonNode l : parse(a.body(), path)) {
            links.add(new ServiceGraph.Link(l.path("parent").asText(), l.path("child").asText(),
                    l.path("callCount").asLong(), l.path("errorCount").asLong()));
        }
        return new TraceBackend.Fetched<>(new ServiceGraph(links), "GET " + path, a.body().length, a.took());
    }

    /** {@code /api/v2/dependencies?endTs=<ms>&lookback=<ms>}. */
    public static String dependenciesPath(Instant end, Duration lookback) {
        return "/api/v2/dependencies?endTs=" + end.toEpochMilli() + "&lookback=" + Math.max(0, lookback.toMillis());
    }

    static List<Span> spans(JsonNode trace) {
        List<Span> out = new ArrayList<>();
        for (JsonNode s : trace) {
            Map<String, String> tags = new LinkedHashMap<>();
            s.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
            out.add(new Span(s.path("traceId").asText(), s.path("id").asText(),
                    Optional.ofNullable(s.get("parentId")).map(JsonNode::asText), s.path("name").asText(""),
                    s.path("kind").asText(""), s.path("localEndpoint").path("serviceName").asText(""),
                    Optional.ofNullable(s.path("remoteEndpoint").get("serviceName")).map(JsonNode::asText),
                    s.path("timestamp").asLong(), s.path("duration").asLong(), tags));
        }
        return out;
    }

    private JsonNode parse(byte[] body, String what) throws AfsException {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isArray()) {
                throw http.failure(AfsError.BACKEND_FAILURE, what + ": the answer is not a JSON array; check that url points"
                        + " at Zipkin (/api/v2/... is appended to it)");
            }
            return node;
        } catch (IOException e) {
            throw http.failure(AfsError.BACKEND_FAILURE, what + ": the answer is not JSON (" + e.getMessage().lines()
                    .findFirst().orElse("") + "); check that url points at Zipkin (/api/v2/... is appended to it)");
        }
    }

    private HttpBackendClient.Answer get(String pathAndQuery) throws AfsException {
        return http.get(http.resolve(pathAndQuery), pathAndQuery + ": ", Set.of());
    }
}
