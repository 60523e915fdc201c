package dev.aegis.afs.core.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.ReadStats;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A configured Kubernetes cluster. Sends GETs only, through the fabric8 client's HTTP stack (so
 * kubeconfig auth, TLS and token refresh are fabric8's), with paths built here: evidence then
 * records the exact call, and a log read does not first wait for the pod to become ready (as
 * fabric8's log DSL does), which matters most for the crash-looping pods one reads logs of.
 */
public final class KubernetesBackend implements Backend {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REASON = 300;

    private final String name;
    private final KubernetesClient client;
    private final Duration timeout;
    private final Clock clock;
    private final String host;

    KubernetesBackend(String name, KubernetesClient client, Duration timeout, Clock clock) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.client = Objects.requireNonNull(client, "client is null");
        this.timeout = Objects.requireNonNull(timeout, "timeout is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        URL master = client.getMasterUrl();
        this.host = master.getHost() + (master.getPort() > 0 ? ":" + master.getPort() : "");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "kubernetes";
    }

    /** {@code kubernetes:<name>}, as evidence records the backend. */
    String label() {
        return "kubernetes:" + name;
    }

    Clock clock() {
        return clock;
    }

    /** The namespace of the kubeconfig context (or service account), else {@code default}. */
    String defaultNamespace() {
        String ns = client.getNamespace();
        return ns == null || ns.isEmpty() ? "default" : ns;
    }

    /** A read's outcome: the JSON body and what it cost. */
    record JsonRead(JsonNode body, ReadStats stats) {
    }

    /** {@code GET pathAndQuery}, the body parsed as JSON. */
    JsonRead getJson(String pathAndQuery) throws AfsException {
        Instant start = clock.instant();
        HttpResponse<byte[]> response = await(send(pathAndQuery, byte[].class, false), pathAndQuery);
        byte[] body = response.body() == null ? new byte[0] : response.body();
        if (!response.isSuccessful()) {
            throw failure(response.code(), new String(body, StandardCharsets.UTF_8), pathAndQuery);
        }
        try {
            JsonNode json = JSON.readTree(body);
            return new JsonRead(json, ReadStats.complete(body.length, json.path("items").size(),
                    Duration.between(start, clock.instant())));
        } catch (IOException e) {
            throw new AfsException(AfsError.BACKEND_FAILURE, prefix() + "GET " + pathAndQuery
                    + " did not return JSON; check that master_url points at the Kubernetes API server", e);
        }
    }

    /** Receives one line of a streamed body; returns false to stop reading. */
    @FunctionalInterface
    interface LineHandler {
        boolean line(String text) throws AfsException;
    }

    /** {@code GET pathAndQuery}, the body streamed line by line (pod logs). */
    ReadStats streamLines(String pathAndQuery, LineHandler handler) throws AfsException {
        return streamLines(pathAndQuery, handler, body -> { });
    }

    /**
     * As {@link #streamLines(String, LineHandler)}; {@code opened} gets the body as soon as the
     * answer arrives, so that another thread can close it to end a follow ({@code follow=true})
     * that would otherwise block until the next line.
     */
    ReadStats streamLines(String pathAndQuery, LineHandler handler, java.util.function.Consumer<java.io.Closeable> opened)
            throws AfsException {
        Instant start = clock.instant();
        HttpResponse<InputStream> response = await(send(pathAndQuery, InputStream.class, true), pathAndQuery);
        long bytes = 0;
        long lines = 0;
        try (InputStream in = response.body()) {
            if (in != null) {
                opened.accept(in);
            }
            if (!response.isSuccessful()) {
                String body = in == null ? "" : new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                throw failure(response.code(), body, pathAndQuery);
            }
            if (in != null) {
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    bytes += line.getBytes(StandardCharsets.UTF_8).length + 1L;
                    lines++;
                    if (!handler.line(line)) {
                        break;
                    }
                }
            }
        } catch (AfsException e) {
            throw e; // an API error or the snapshot's own failure: already explained
        } catch (IOException e) {
            throw new AfsException(AfsError.UNAVAILABLE, prefix() + "the log stream broke after " + lines
                    + " lines (" + e.getMessage() + "); read again", e);
        }
        return ReadStats.complete(bytes, lines, Duration.between(start, clock.instant()));
    }

    private <T> CompletableFuture<HttpResponse<T>> send(String pathAndQuery, Class<T> type, boolean streaming) {
        String base = client.getMasterUrl().toString().replaceAll("/+$", "");
        HttpRequest.Builder request = client.getHttpClient().newHttpRequestBuilder()
                .uri(URI.create(base + pathAndQuery))
                .header("Accept", streaming ? "*/*" : "application/json");
        if (streaming) {
            request.forStreaming();
        } else {
            request.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return client.getHttpClient().sendAsync(request.build(), type);
    }

    private <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> future, String call) throws AfsException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AfsException(AfsError.UNAVAILABLE, prefix() + "no answer to GET " + call + " within "
                    + timeout.toSeconds() + "s; check the API server, or raise the backend's timeout");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AfsException(AfsError.UNAVAILABLE, prefix() + "interrupted while reading " + call);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new AfsException(AfsError.UNAVAILABLE, prefix() + "cannot reach the API server ("
                    + cause.getClass().getSimpleName() + ": " + firstLine(String.valueOf(cause.getMessage()))
                    + "); check the backend's context or master_url and the network", cause);
        }
    }

    /** Maps an API error status to an AfsException; the Status body's reason and message, never headers. */
    AfsException failure(int code, String body, String call) {
        String reason = statusText(code);
        String message = firstLine(body);
        try {
            JsonNode status = JSON.readTree(body);
            if (status != null && "Status".equals(status.path("kind").asText())) {
                reason = status.path("reason").asText(reason);
                message = firstLine(status.path("message").asText(message));
            }
        } catch (IOException e) {
            // not a Status object: keep the first line of the body
        }
        String text = prefix() + code + " " + reason + ": " + message;
        return switch (code) {
            case 404 -> new AfsException(AfsError.NOT_FOUND, text);
            case 401 -> new AfsException(AfsError.ACCESS_DENIED, text
                    + "; the backend's credentials were refused: renew the kubeconfig login or token");
            case 403 -> new AfsException(AfsError.ACCESS_DENIED, text
                    + "; grant this backend's identity read access (get/list/watch) to it via RBAC");
            default -> new AfsException(AfsError.BACKEND_FAILURE, text + " (GET " + call + ")");
        };
    }

    private String prefix() {
        return "kubernetes " + name + " (" + host + "): ";
    }

    private static String statusText(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 409 -> "Conflict";
            case 429 -> "TooManyRequests";
            case 500 -> "InternalError";
            case 503 -> "ServiceUnavailable";
            default -> "HTTP";
        };
    }

    private static String firstLine(String text) {
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > MAX_REASON ? line.substring(0, MAX_REASON) + "..." : line;
    }

    @Override
    public void close() {
        client.close();
    }
}
