package dev.aegis.afs.core.traces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.prometheus.Credentials;
import dev.aegis.afs.core.prometheus.Sleeper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Zipkin's HTTP API v2: services, trace search, one trace, dependency links. Every call is a GET
 * of a path and query built elsewhere (so evidence records exactly what was sent). Connection
 * failures, timeouts, 429 and 5xx are retried with backoff (250ms, 500ms, ... at most 5s);
 * other statuses fail at once, naming the backend, host, status and the answer's first line.
 */
public final class ZipkinClient {

    /** Largest response read; past it the read fails and says to narrow it. */
    public static final long MAX_BODY_BYTES = 64L * 1024 * 1024;

    static final ObjectMapper JSON = new ObjectMapper();

    /** A body and what it cost. */
    public record Answer(byte[] body, Duration took) {
    }

    private final String name;
    private final HttpUrl base;
    private final OkHttpClient http;
    private final Credentials credentials;
    private final int retries;
    private final Sleeper sleeper;

    ZipkinClient(String name, HttpUrl base, OkHttpClient http, Credentials credentials, int retries, Sleeper sleeper) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.base = Objects.requireNonNull(base, "base is null");
        this.http = Objects.requireNonNull(http, "http is null");
        this.credentials = Objects.requireNonNull(credentials, "credentials is null");
        this.retries = retries;
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper is null");
    }

    public String host() {
        return base.host() + ":" + base.port();
    }

    /** The server's service names, sorted as Zipkin returns them. */
    public List<String> services() throws AfsException {
        JsonNode node = parse(get("/api/v2/services").body(), "/api/v2/services");
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** {@code GET <pathAndQuery>} (e.g. {@code /api/v2/traces?serviceName=api&...}), the traces it returns. */
    public List<List<Span>> traces(String pathAndQuery, Answer[] answer) throws AfsException {
        Answer a = get(pathAndQuery);
        answer[0] = a;
        List<List<Span>> out = new ArrayList<>();
        for (JsonNode trace : parse(a.body(), pathAndQuery)) {
            out.add(spans(trace));
        }
        return out;
    }

    /** One trace's spans; empty when Zipkin has no such trace. */
    public Optional<Answer> trace(String traceId) throws AfsException {
        try {
            return Optional.of(get("/api/v2/trace/" + traceId));
        } catch (NotFound e) {
            return Optional.empty();
        }
    }

    /** The dependency links of the window ending at {@code endTsMillis}. */
    public ServiceGraph dependencies(String pathAndQuery, Answer[] answer) throws AfsException {
        Answer a = get(pathAndQuery);
        answer[0] = a;
        List<ServiceGraph.Link> links = new ArrayList<>();
        for (JsonNode l : parse(a.body(), pathAndQuery)) {
            links.add(new ServiceGraph.Link(l.path("parent").asText(), l.path("child").asText(),
                    l.path("callCount").asLong(), l.path("errorCount").asLong()));
        }
        return new ServiceGraph(links);
    }

    /** The dependency links of the {@code lookback} before {@code end}, as {@code traces/graph} reads them. */
    public ServiceGraph dependencies(java.time.Instant end, Duration lookback) throws AfsException {
        return dependencies(dependenciesPath(end, lookback), new Answer[1]);
    }

    /** {@code /api/v2/dependencies?endTs=<ms>&lookback=<ms>}. */
    public static String dependenciesPath(java.time.Instant end, Duration lookback) {
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
                throw failure(AfsError.BACKEND_FAILURE, what + ": the answer is not a JSON array; check that url points"
                        + " at Zipkin (/api/v2/... is appended to it)");
            }
            return node;
        } catch (IOException e) {
            throw failure(AfsError.BACKEND_FAILURE, what + ": the answer is not JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + "); check that url points at Zipkin (/api/v2/... is appended to it)");
        }
    }

    /** A 404 for one trace: not an error of the backend. */
    private static final class NotFound extends AfsException {
        NotFound(String message) {
            super(AfsError.NOT_FOUND, message);
        }
    }

    private Answer get(String pathAndQuery) throws AfsException {
        HttpUrl url = HttpUrl.parse(base.toString().replaceAll("/+$", "") + pathAndQuery);
        if (url == null) {
            throw new IllegalArgumentException("not a path and query: " + pathAndQuery);
        }
        Request.Builder request = new Request.Builder().url(url).get().header("Accept", "application/json");
        Optional<Credentials.Authorization> authorization = credentials.authorization();
        authorization.ifPresent(a -> request.header("Authorization", a.header()));
        try {
            return send(request.build(), pathAndQuery);
        } catch (NotFound e) {
            throw e;
        } catch (AfsException e) {
            if (authorization.isEmpty()) {
                throw e;
            }
            throw new AfsException(e.error(), authorization.get().redact(e.getMessage()));
        }
    }

    private Answer send(Request request, String what) throws AfsException {
        long started = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            String retryReason;
            try (Response response = http.newCall(request).execute()) {
                byte[] body = read(response.body());
                int code = response.code();
                if (response.isSuccessful()) {
                    return new Answer(body, Duration.ofNanos(System.nanoTime() - started));
                }
                if (code == 404 && what.startsWith("/api/v2/trace/")) {
                    throw new NotFound(what + ": no such trace");
                }
                String detail = what + ": HTTP " + code + ": " + firstLine(body);
                if (code != 429 && code < 500) {
                    throw failure(AfsError.BACKEND_FAILURE, detail + (code == 401 || code == 403
                            ? "; check the backend's bearer_token_* or username and password_*"
                            : code == 404 ? "; check the backend's url (/api/v2/... is appended to it)" : ""));
                }
                retryReason = detail;
            } catch (AfsException e) {
                throw e;
            } catch (InterruptedIOException e) {
                retryReason = what + ": no response in time; raise the backend's timeout or read a shorter window";
            } catch (IOException e) {
                retryReason = "cannot connect: " + e.getMessage() + "; check that Zipkin is running at the backend's url";
            }
            if (attempt > retries) {
                throw failure(retryReason.contains("HTTP ") ? AfsError.BACKEND_FAILURE : AfsError.UNAVAILABLE,
                        retryReason + (retries > 0 ? " (after " + (retries + 1) + " attempts)" : ""));
            }
            try {
                sleeper.sleep(Duration.ofMillis(Math.min(5000, 250L << Math.min(attempt - 1, 10))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure(AfsError.UNAVAILABLE, "interrupted while waiting to retry");
            }
        }
    }

    private AfsException failure(AfsError error, String detail) {
        return new AfsException(error, "zipkin " + name + " (" + host() + "): " + detail);
    }

    private byte[] read(ResponseBody body) throws IOException, AfsException {
        if (body == null) {
            return new byte[0];
        }
        okio.BufferedSource source = body.source();
        if (source.request(MAX_BODY_BYTES + 1)) {
            throw failure(AfsError.TOO_LARGE, "the answer is larger than " + MAX_BODY_BYTES
                    + " bytes; narrow the read (since=, tail=, status=error)");
        }
        return source.getBuffer().readByteArray();
    }

    private static String firstLine(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return "empty body";
        }
        StringBuilder out = new StringBuilder();
        text.lines().findFirst().orElse("").codePoints().limit(300)
                .forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return out.toString();
    }
}
