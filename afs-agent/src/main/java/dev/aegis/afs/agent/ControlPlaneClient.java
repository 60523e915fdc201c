package dev.aegis.afs.agent;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.aegis.afs.intent.Jwks;
import dev.aegis.afs.intent.PollToken;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The agent's side of the control-plane contract (docs/execution-plane.md). Every request is
 * outbound and carries a fresh {@link PollToken} signed with the agent key.
 */
public final class ControlPlaneClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final String LOCK_HEADER = "X-Afs-Agent-Lock";
    static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    /** One leased intent, as the control plane hands it out. */
    public record Task(String id, String intent) {
    }

    /** The control plane could not be reached or answered with an error. */
    public static class Unreachable extends IOException {
        Unreachable(String message) {
            super(message);
        }
    }

    private final URI base;
    private final String cluster;
    private final OctetKeyPair agentKey;
    private final String agentVersion;
    private final HttpClient http;
    private final Clock clock;
    private final SecureRandom random;
    private final java.util.function.Supplier<java.util.Optional<String>> lockReason;

    public ControlPlaneClient(URI base, String cluster, OctetKeyPair agentKey, String agentVersion, HttpClient http, Clock clock,
                              SecureRandom random) {
        this(base, cluster, agentKey, agentVersion, http, clock, random, java.util.Optional::empty);
    }

    /**
     * {@code lockReason}: the agent's lock, sent with each request as {@code X-Afs-Agent-Lock} so
     * that the control plane shows it ({@code afs agents ls}) and leases nothing to a locked agent.
     */
    public ControlPlaneClient(URI base, String cluster, OctetKeyPair agentKey, String agentVersion, HttpClient http, Clock clock,
                              SecureRandom random, java.util.function.Supplier<java.util.Optional<String>> lockReason) {
        this.lockReason = requireNonNull(lockReason, "lockReason is null");
        this.base = requireNonNull(base, "base is null");
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.agentKey = requireNonNull(agentKey, "agentKey is null");
        this.agentVersion = requireNonNull(agentVersion, "agentVersion is null");
        this.http = requireNonNull(http, "http is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.random = requireNonNull(random, "random is null");
    }

    /** {@code GET /v1/tasks?cluster=<id>}: the intents leased to this cluster now. */
    public List<Task> poll() throws Unreachable {
        String path = "/v1/tasks?cluster=" + URLEncoder.encode(cluster, StandardCharsets.UTF_8);
        JsonNode body = json(send("GET", path, HttpRequest.BodyPublishers.noBody(), "application/json"), path);
        List<Task> out = new ArrayList<>();
        for (JsonNode t : body.path("tasks")) {
            out.add(new Task(t.path("id").asText(""), t.path("intent").asText("")));
        }
        return out;
    }

    /** {@code GET /v1/keys}: the online keys and their certificates. */
    public Jwks keys() throws Unreachable {
        HttpResponse<String> r = send("GET", "/v1/keys", HttpRequest.BodyPublishers.noBody(), "application/json");
        try {
            return Jwks.parse(r.body());
        } catch (IllegalArgumentException e) {
            throw new Unreachable("GET /v1/keys answered something that is not a key set: " + e.getMessage());
        }
    }

    /**
     * {@code POST /v1/tasks/<id>/result} with the signed result. Returns true when the control
     * plane took it or can never take it (404, 409, 410: sending again would not help).
     */
    public boolean postResult(String taskId, String resultJws) throws Unreachable {
        String path = "/v1/tasks/" + taskId + "/result";
        try {
            send("POST", path, HttpRequest.BodyPublishers.ofString(resultJws), "application/jose");
            return true;
        } catch (Rejected e) {
            return e.status == 404 || e.status == 409 || e.status == 410;
        }
    }

    private static final class Rejected extends Unreachable {
        final int status;

        Rejected(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body, String contentType)
            throws Unreachable {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path));
        lockReason.get().ifPresent(r -> builder.header(LOCK_HEADER, r.replaceAll("[\\r\\n]", " ")));
        HttpRequest request = builder
                .timeout(TIMEOUT)
                .header("Authorization", PollToken.SCHEME + " " + PollToken.sign(agentKey, cluster, method, path, clock.instant(), random))
                .header("Content-Type", contentType)
                .header("User-Agent", "afs-agent/" + agentVersion)
                .method(method, body)
                .build();
        HttpResponse<String> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unreachable(method + " " + base.resolve(path) + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable(method + " " + path + " interrupted");
        }
        if (r.statusCode() / 100 != 2) {
            String text = r.body() == null ? "" : r.body().strip();
            throw new Rejected(r.statusCode(), method + " " + path + " answered " + r.statusCode()
                    + (text.isEmpty() ? "" : ": " + text.substring(0, Math.min(200, text.length()))));
        }
        return r;
    }

    private static JsonNode json(HttpResponse<String> r, String path) throws Unreachable {
        try {
            JsonNode n = JSON.readTree(r.body());
            if (n == null || !n.isObject()) {
                throw new Unreachable("GET " + path + " answered something that is not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new Unreachable("GET " + path + " answered something that is not JSON");
        }
    }
}
