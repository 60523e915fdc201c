package dev.aegis.afs.core.loki;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.query.logql.LokiQuery;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** Sends one {@code query_range} request, with bounded retries, and parses the streams it returns. */
final class LokiClient {

    /** The entries of one response, merged across streams in the request's direction, and the bytes read. */
    record Batch(List<LokiEntry> entries, long bytes) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final LokiSettings settings;
    private final OkHttpClient http;
    private final Consumer<Duration> sleeper;

    LokiClient(LokiSettings settings, OkHttpClient http, Consumer<Duration> sleeper) {
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.http = Objects.requireNonNull(http, "http is null");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper is null");
    }

    Batch queryRange(String logql, long startNanos, long endNanos, long limit, LokiQuery.Direction direction)
            throws AfsException {
        HttpUrl url = settings.url().newBuilder()
                .addPathSegments("loki/api/v1/query_range")
                .addQueryParameter("query", logql)
                .addQueryParameter("start", Long.toString(startNanos))
                .addQueryParameter("end", Long.toString(endNanos))
                .addQueryParameter("limit", Long.toString(limit))
                .addQueryParameter("direction", direction.param())
                .build();
        Request.Builder request = new Request.Builder().url(url).get();
        settings.tenant().ifPresent(t -> request.header("X-Scope-OrgID", t));
        settings.authorization().ifPresent(a -> request.header("Authorization", a.header()));
        AfsException last = null;
        for (int attempt = 0; attempt <= settings.retries(); attempt++) {
            if (attempt > 0) {
                sleeper.accept(backoff(attempt));
            }
            try (Response response = http.newCall(request.build()).execute()) {
                ResponseBody body = response.body();
                byte[] bytes = body == null ? new byte[0] : body.bytes();
                if (response.isSuccessful()) {
                    return parse(bytes, direction);
                }
                String first = firstLine(bytes);
                last = failure(AfsError.BACKEND_FAILURE, "HTTP " + response.code() + ": " + first
                        + hint(response.code(), first), null);
                if (response.code() != 429 && response.code() < 500) {
                    throw last; // the request itself is wrong: retrying will not help
                }
            } catch (InterruptedIOException e) {
                last = failure(AfsError.UNAVAILABLE, "no response within " + settings.timeout().toMillis() + "ms;"
                        + " raise timeout for this backend in namespaces.yaml or narrow the query", e);
            } catch (ConnectException e) {
                last = failure(AfsError.UNAVAILABLE, "cannot connect: " + e.getMessage()
                        + "; check the backend's url and that Loki is running", e);
            } catch (IOException e) {
                if (e instanceof AfsException afs) {
                    throw afs;
                }
                last = failure(AfsError.UNAVAILABLE, "request failed: " + e, e);
            }
        }
        throw last;
    }

    /**
     * Opens Loki's tail websocket for {@code logql} from {@code startNanos}: Loki first sends what
     * it holds from there on, then every new matching entry as it is ingested ({@code delay_for=0}:
     * no holding back to reorder). Same headers as a query; no read timeout (a quiet stream is not
     * a dead one), a ping every 30 s instead.
     */
    okhttp3.WebSocket tail(String logql, String startNanos, okhttp3.WebSocketListener listener) {
        HttpUrl url = settings.url().newBuilder()
                .addPathSegments("loki/api/v1/tail")
                .addQueryParameter("query", logql)
                .addQueryParameter("start", startNanos)
                .addQueryParameter("limit", Long.toString(settings.maxEntriesPerQuery()))
                .addQueryParameter("delay_for", "0")
                .build();
        Request.Builder request = new Request.Builder().url(url).get();
        settings.tenant().ifPresent(t -> request.header("X-Scope-OrgID", t));
        settings.authorization().ifPresent(a -> request.header("Authorization", a.header()));
        OkHttpClient streaming = http.newBuilder().readTimeout(Duration.ZERO).callTimeout(Duration.ZERO)
                .pingInterval(Duration.ofSeconds(30)).build();
        return streaming.newWebSocket(request.build(), listener);
    }

    /** {@code loki <name> (<host:port>)}, for log messages (never a credential). */
    String describe() {
        return "loki " + settings.name() + " (" + settings.hostPort() + ")";
    }

    private String hint(int code, String body) {
        if (body.contains("max entries limit")) {
            return " (lower max_entries_per_query for backend '" + settings.name()
                    + "' to Loki's max_entries_limit_per_query)";
        }
        return switch (code) {
            case 401, 403 -> " (check the backend's credentials and tenant)";
            case 400 -> " (Loki refused the query)";
            default -> "";
        };
    }

    private static Duration backoff(int attempt) {
        Duration d = FIRST_BACKOFF.multipliedBy(1L << Math.min(attempt - 1, 10));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    private Batch parse(byte[] bytes, LokiQuery.Direction direction) throws AfsException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw failure(AfsError.BACKEND_FAILURE, "unreadable response (not JSON: "
                    + e.getOriginalMessage().lines().findFirst().orElse("") + "); check that url points at Loki", e);
        } catch (IOException e) {
            throw failure(AfsError.BACKEND_FAILURE, "unreadable response: " + e.getMessage(), e);
        }
        if (root == null || !"success".equals(root.path("status").asText())) {
            throw failure(AfsError.BACKEND_FAILURE, "response status is not success: " + firstLine(bytes), null);
        }
        JsonNode data = root.path("data");
        if (!"streams".equals(data.path("resultType").asText())) {
            throw failure(AfsError.BACKEND_FAILURE, "expected resultType streams, got '"
                    + data.path("resultType").asText() + "'; the stream selector must select log streams", null);
        }
        List<LokiEntry> entries = new ArrayList<>();
        for (JsonNode stream : data.path("result")) {
            String labels = labels(stream.path("stream"));
            for (JsonNode value : stream.path("values")) {
                if (!value.isArray() || value.size() < 2 || !value.get(1).isTextual()) {
                    throw failure(AfsError.BACKEND_FAILURE, "malformed entry " + abbreviate(value.toString())
                            + "; expected [\"<nanoseconds>\", \"<line>\"]", null);
                }
                long nanos;
                try {
                    nanos = Long.parseLong(value.get(0).asText());
                } catch (NumberFormatException e) {
                    throw failure(AfsError.BACKEND_FAILURE, "malformed timestamp " + abbreviate(value.get(0).toString()), e);
                }
                entries.add(new LokiEntry(nanos, labels, value.get(1).asText()));
            }
        }
        Comparator<LokiEntry> order = Comparator.comparingLong(LokiEntry::nanos);
        if (direction == LokiQuery.Direction.BACKWARD) {
            order = order.reversed();
        }
        entries.sort(order.thenComparing(LokiEntry::stream)); // stable: a stream's own order is kept on ties
        return new Batch(entries, bytes.length);
    }

    AfsException failure(AfsError error, String what, Throwable cause) {
        String reason = "loki " + settings.name() + " (" + settings.hostPort() + "): " + what;
        return new AfsException(error, redact(reason), cause == null ? null : new IOException(redact(String.valueOf(cause))));
    }

    private String redact(String text) {
        String out = text;
        for (String secret : settings.authorization().map(Secrets.Auth::secrets).orElse(List.of())) {
            out = out.replace(secret, "***");
        }
        return out;
    }

    private static String firstLine(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, 4096), java.nio.charset.StandardCharsets.UTF_8);
        String line = text.lines().filter(l -> !l.isBlank()).findFirst().orElse("(empty body)").strip();
        return abbreviate(line);
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** A stream's labels as logcli prints them: {@code {app="api", pod="a-1"}}, keys sorted. */
    static String labels(JsonNode stream) {
        java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
        stream.fields().forEachRemaining(f -> sorted.put(f.getKey(), f.getValue().asText()));
        StringBuilder out = new StringBuilder("{");
        sorted.forEach((k, v) -> out.append(out.length() > 1 ? ", " : "").append(k).append("=\"")
                .append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"'));
        return out.append('}').toString();
    }
}
