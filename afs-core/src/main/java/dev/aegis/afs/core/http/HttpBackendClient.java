package dev.aegis.afs.core.http;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.prometheus.Credentials;
import dev.aegis.afs.core.prometheus.Sleeper;
import dev.aegis.afs.query.promql.PromDuration;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * One GET against an HTTP backend, as every HTTP backend does it: the Authorization header from
 * the configured credentials (blanked out of any message, in case a server echoes it), connection
 * failures, timeouts, 429 and 5xx retried up to {@code retries} times with exponential backoff
 * (250ms, 500ms, 1s, ... at most 5s), other statuses failing at once, and the body read up to a
 * bound past which the read fails and says how to narrow it. Every failure names the backend and
 * its host: {@code "zipkin prod (127.0.0.1:9411): HTTP 400: ..."}.
 */
public final class HttpBackendClient {

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /** A body with its status and what it cost (wall time, retries included). */
    public record Answer(int status, byte[] body, Duration took) {
        public Answer {
            Objects.requireNonNull(body, "body is null");
            Objects.requireNonNull(took, "took is null");
        }
    }

    /**
     * What a backend says about itself in messages.
     *
     * @param type       {@code prometheus}, {@code zipkin}, ... (first word of every message)
     * @param product    the server's name in hints, e.g. {@code Zipkin}
     * @param apiPath    what is appended to the url, e.g. {@code /api/v2/...}, for the 404 hint
     * @param narrowHint how to ask for less when the body is too large
     * @param describe   an error body in a few words (the API's own error field, else its first line)
     */
    public record Profile(String type, String product, String apiPath, long maxBodyBytes, String narrowHint,
                          Function<byte[], String> describe) {
        public Profile {
            Objects.requireNonNull(type, "type is null");
            Objects.requireNonNull(product, "product is null");
            Objects.requireNonNull(apiPath, "apiPath is null");
            Objects.requireNonNull(narrowHint, "narrowHint is null");
            Objects.requireNonNull(describe, "describe is null");
            if (maxBodyBytes < 1) {
                throw new IllegalArgumentException("maxBodyBytes must be positive, was " + maxBodyBytes);
            }
        }
    }

    private final Profile profile;
    private final String name;
    private final HttpBackendOptions options;
    private final Sleeper sleeper;

    public HttpBackendClient(Profile profile, String name, HttpBackendOptions options, Sleeper sleeper) {
        this.profile = Objects.requireNonNull(profile, "profile is null");
        this.name = Objects.requireNonNull(name, "name is null");
        this.options = Objects.requireNonNull(options, "options is null");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper is null");
    }

    /** {@code host:port} of the server, for messages. */
    public String host() {
        return options.url().host() + ":" + options.url().port();
    }

    /** The configured base URL. */
    public HttpUrl base() {
        return options.url();
    }

    /** The base URL with {@code pathAndQuery} (already encoded, starting with {@code /}) appended. */
    public HttpUrl resolve(String pathAndQuery) {
        HttpUrl url = HttpUrl.parse(options.url().toString().replaceAll("/+$", "") + pathAndQuery);
        if (url == null) {
            throw new IllegalArgumentException("not a path and query: " + pathAndQuery);
        }
        return url;
    }

    /**
     * GETs {@code url}: a 2xx answer, or one whose status is in {@code answered} (e.g. 404 for a
     * trace that is not there), is returned; anything else fails.
     *
     * @param what prefix of failure details naming the call (e.g. {@code "/api/search: "}), or ""
     * @throws AfsException BACKEND_FAILURE for an error answer, UNAVAILABLE when the server cannot be
     *                      reached, TOO_LARGE past the body bound
     */
    public Answer get(HttpUrl url, String what, Set<Integer> answered) throws AfsException {
        Request.Builder request = new Request.Builder().url(url).get().header("Accept", "application/json");
        Optional<Credentials.Authorization> authorization = options.credentials().authorization();
        authorization.ifPresent(a -> request.header("Authorization", a.header()));
        try {
            return send(request.build(), what, answered);
        } catch (AfsException e) {
            if (authorization.isEmpty()) {
                throw e;
            }
            throw new AfsException(e.error(), authorization.get().redact(e.getMessage()));
        }
    }

    private Answer send(Request request, String what, Set<Integer> answered) throws AfsException {
        long started = System.nanoTime();
        int attempts = options.retries() + 1;
        for (int attempt = 1; ; attempt++) {
            String retryReason;
            boolean answer;
            try (Response response = options.http().newCall(request).execute()) {
                byte[] body = read(response.body());
                int code = response.code();
                if (response.isSuccessful() || answered.contains(code)) {
                    return new Answer(code, body, Duration.ofNanos(System.nanoTime() - started));
                }
                String detail = what + "HTTP " + code + ": " + profile.describe().apply(body);
                if (code != 429 && code < 500) {
                    throw failure(AfsError.BACKEND_FAILURE, detail + hint(code));
                }
                retryReason = detail;
                answer = true;
            } catch (AfsException e) {
                throw e; // an answer, not a transport failure: never retried
            } catch (InterruptedIOException e) {
                retryReason = what + "no response within " + PromDuration.format(options.timeout())
                        + "; raise the backend's timeout or read a shorter window";
                answer = false;
            } catch (IOException e) {
                retryReason = "cannot connect: " + e.getMessage() + "; check that " + profile.product()
                        + " is running at the backend's url";
                answer = false;
            }
            if (attempt >= attempts) {
                throw failure(answer ? AfsError.BACKEND_FAILURE : AfsError.UNAVAILABLE,
                        retryReason + (attempts > 1 ? " (after " + attempts + " attempts)" : ""));
            }
            backoff(attempt);
        }
    }

    private String hint(int code) {
        return switch (code) {
            case 401, 403 -> "; check the backend's bearer_token_* or username and password_*";
            case 404 -> "; check the backend's url (" + profile.apiPath() + " is appended to it)";
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

    /** A failure naming this backend and its host: {@code "<type> <name> (<host>): <detail>"}. */
    public AfsException failure(AfsError error, String detail) {
        return new AfsException(error, profile.type() + " " + name + " (" + host() + "): " + detail);
    }

    private byte[] read(ResponseBody body) throws IOException, AfsException {
        if (body == null) {
            return new byte[0];
        }
        okio.BufferedSource source = body.source();
        if (source.request(profile.maxBodyBytes() + 1)) {
            throw failure(AfsError.TOO_LARGE, "the response is larger than " + profile.maxBodyBytes() + " bytes; "
                    + profile.narrowHint());
        }
        return source.getBuffer().readByteArray();
    }

    /** The body's first line, printable, at most 300 characters ("empty body" when there is none). */
    public static String firstLine(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return "empty body";
        }
        return printable(text.lines().findFirst().orElse(""));
    }

    /** Control characters as spaces, at most 300 code points (then "..."). */
    public static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(300).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return text.codePointCount(0, text.length()) > 300 ? out + "..." : out.toString();
    }
}
