package dev.aegis.afs.core.prometheus;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.http.HttpBackendClient;
import dev.aegis.afs.core.http.HttpBackendOptions;
import dev.aegis.afs.query.promql.PrometheusQuery;
import java.util.Optional;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * Runs {@link PrometheusQuery}s against the HTTP API v1 ({@code GET <url>/api/v1/query_range} or
 * {@code /query}) through {@link HttpBackendClient} (retries, backoff, the bounded read).
 * Failures name the backend and host, the status and Prometheus' {@code errorType: error}.
 */
public final class PrometheusClient {

    /** Largest response body read; past it the read fails and says to narrow it. */
    public static final long MAX_BODY_BYTES = 256L * 1024 * 1024;

    static final HttpBackendClient.Profile PROFILE = new HttpBackendClient.Profile("prometheus", "Prometheus",
            "/api/v1/...", MAX_BODY_BYTES, "read a shorter window=, a larger step= or fewer series (match=, by=)",
            PrometheusClient::describe);

    private final HttpBackendClient http;

    PrometheusClient(String name, HttpBackendOptions options, Sleeper sleeper) {
        this.http = new HttpBackendClient(PROFILE, name, options, sleeper);
    }

    /** A client for a Prometheus that another backend reads (e.g. Tempo's service graph metrics). */
    public static PrometheusClient of(String name, HttpBackendOptions options, Sleeper sleeper) {
        return new PrometheusClient(name, options, sleeper);
    }

    /** {@code host:port} of the server, for messages. */
    public String host() {
        return http.host();
    }

    /** The URL the query is sent to, encoded. */
    public HttpUrl url(PrometheusQuery query) {
        HttpUrl.Builder b = http.base().newBuilder().addPathSegments("api/v1/" + query.endpoint().path());
        for (PrometheusQuery.Param p : query.params()) {
            b.addQueryParameter(p.name(), p.value());
        }
        return b.build();
    }

    /** @throws AfsException BACKEND_FAILURE for an error answer, UNAVAILABLE when the server cannot be reached */
    public QueryResult query(PrometheusQuery query) throws AfsException {
        HttpBackendClient.Answer answer = http.get(url(query), "", Set.of());
        try {
            return ApiResponse.success(answer.body(), answer.took());
        } catch (ApiResponse.MalformedException e) {
            throw http.failure(AfsError.BACKEND_FAILURE, "HTTP " + answer.status() + " but the body is not a Prometheus"
                    + " API response: " + e.getMessage() + "; check that url points at Prometheus"
                    + " (/api/v1/... is appended to it)");
        }
    }

    /** Prometheus' {@code errorType: error}, else the body's first line (printable, at most 300 characters). */
    private static String describe(byte[] body) {
        Optional<String> error = ApiResponse.error(body);
        return error.isPresent() ? HttpBackendClient.printable(error.get()) : HttpBackendClient.firstLine(body);
    }
}
