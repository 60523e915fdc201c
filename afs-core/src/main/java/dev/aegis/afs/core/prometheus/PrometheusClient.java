package dev.aegis.afs.core.prometheus;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.query.promql.PromDuration;
import dev.aegis.afs.query.promql.PrometheusQuery;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Runs {@link PrometheusQuery}s against the HTTP API v1 ({@code GET <url>/api/v1/query_range} or
 * {@code /query}). Connection failures, timeouts, 429 and 5xx are retried up to {@code retries}
 * times with exponential backoff (250ms, 500ms, 1s, ... at most 5s); other statuses fail at once.
 * Failures name the backend and host, the status and Prometheus' {@code errorType: error}.
 */
public final class PrometheusClient {

    /** Largest response body read; past it the read fails and says to narrow it. */
    public static final long MAX_BODY_BYTES = 256L * 1024 * 1024;

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final String name;
    private final HttpUrl url;
    private final OkHttpClient http;
    private final Credentials credentials;
    private final Duration timeout;
    private final int retries;
    private final Sleeper sleeper;

    PrometheusClient(String name, HttpUrl url, OkHttpClient http, Credentials credentials, Duration timeout, int retries,
                     Sleeper sleeper) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.url = Objects.requireNonNull(url, "url is null");
        this.http = Objects.requireNonNull(http, "http is null");
        this.credentials = Objects.requireNonNull(credentials, "credentials is null");
        this.timeout = Objects.requireNonNull(timeout, "timeout is null");
        this.retries = retries;
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper is null");
    }

    /** {@code host:port} of the server, for messages. */
    public String host() {
        return url.host() + ":" + url.port();
    }

    /** The URL the query is sent to, encoded. */
    public HttpUrl url(PrometheusQuery query) {
        HttpUrl.Builder b = url.newBuilder().addPathSegments("api/v1/" + query.endpoint().path());
        for (PrometheusQuery.Param p : query.params()) {
            b.addQueryParameter(p.name(), p.value());
        }
        return b.build();
    }

    /** @throws AfsException BACKEND_FAILURE for an error answer, UNAVAILABLE when the server cannot be reached */
    public QueryResult query(PrometheusQuery query) throws AfsException {
        Request.Builder request = new Request.Builder().url(url(query)).get().header("Accept", "application/json");
        Optional<Credentials.Authorization> authorization = credentials.authorization();
        authorization.ifPresent(a -> request.header("Authorization", a.header()));
        try {
            return send(request.build(), query);
        } catch (AfsException e) {
            if (authorization.isEmpty()) {
                throw e;
            }
            throw new AfsException(e.error(), authorization.get().redact(e.getMessage()));
        }
    }

    private QueryResult send(Request request, PrometheusQuery query) throws AfsException {
        long started = System.nanoTime();
        int attempts = retries + 1;
        for (int attempt = 1; ; attempt++) {
            String retryReason;
            try (Response response = http.newCall(request).execute()) {
                byte[] body = read(response.body());
                int code = response.code();
                if (response.isSuccessful()) {
                    try {
                        return ApiResponse.success(body, Duration.ofNanos(System.nanoTime() - started));
                    } catch (ApiResponse.MalformedException e) {
                        throw failure(AfsError.BACKEND_FAILURE, "HTTP " + code + " but the body is not a Prometheus"
                                + " API response: " + e.getMessage() + "; check that url points at Prometheus"
                                + " (/api/v1/... is appended to it)");
                    }
                }
                String detail = "HTTP " + code + ": " + describe(body);
                if (!retryable(code)) {
                    throw failure(AfsError.BACKEND_FAILURE, detail + hint(code));
                }
                retryReason = detail;
            } catch (AfsException e) {
                throw e; // an answer, not a transport failure: never retried
            } catch (InterruptedIOException e) {
                retryReason = "no response within " + PromDuration.format(timeout)
                        + "; raise the backend's timeout or read a shorter window";
            } catch (IOException e) {
                retryReason = "cannot connect: " + e.getMessage() + "; check that Prometheus is running at the backend's url";
            }
            if (attempt >= attempts) {
                AfsError error = retryReason.startsWith("HTTP ") ? AfsError.BACKEND_FAILURE : AfsError.UNAVAILABLE;
                throw failure(error, retryReason + (attempts > 1 ? " (after " + attempts + " attempts)" : ""));
            }
            backoff(attempt);
        }
    }

    private static boolean retryable(int code) {
        return code == 429 || code >= 500;
    }

    private static String hint(int code) {
        return switch (code) {
            case 401, 403 -> "; check the backend's bearer_token_* or username and password_*";
            case 404 -> "; check the backend's url (/api/v1/... is appended to it)";
            default -> "";
        };
    }

    private void backoff(int attempt) throws AfsException {
        long millis = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(attempt - 1, 10));
        try {
            sleeper.sleep(Duration.ofMillis(millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(AfsError.UNAVAILABLE, "interrupted while waiting to retry");
        }
    }

    private AfsException failure(AfsError error, String detail) {
        return new AfsException(error, "prometheus " + name + " (" + host() + "): " + detail);
    }

    private byte[] read(ResponseBody body) throws IOException, AfsException {
        if (body == null) {
            return new byte[0];
        }
        okio.BufferedSource source = body.source();
        if (source.request(MAX_BODY_BYTES + 1)) {
            throw failure(AfsError.TOO_LARGE, "the response is larger than " + MAX_BODY_BYTES
                    + " bytes; read a shorter window=, a larger step= or fewer series (match=, by=)");
        }
        return source.getBuffer().readByteArray();
    }

    /** Prometheus' {@code errorType: error}, else the body's first line (printable, at most 300 characters). */
    private static String describe(byte[] body) {
        Optional<String> error = ApiResponse.error(body);
        if (error.isPresent()) {
            return printable(error.get());
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return "empty body";
        }
        return printable(text.lines().findFirst().orElse(""));
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(300).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return text.codePointCount(0, text.length()) > 300 ? out + "..." : out.toString();
    }
}
