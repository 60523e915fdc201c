package dev.aegis.afs.core.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Talks to the harness daemon ({@code afs harness}) over its loopback JSON API. Holds no write
 * credentials: the FUSE daemon and the CLI forward documents and approvals with the caller's
 * uid, and the harness decides. Every failure is an {@link AfsException}: UNAVAILABLE when the
 * harness cannot be reached (callers fail closed), otherwise the harness's own error code.
 */
public final class HarnessClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;
    private final Optional<Path> tokenFile;
    private final Optional<String> bearer;

    public HarnessClient(URI base, Duration timeout) {
        this(base, timeout, Optional.empty());
    }

    /**
     * @param tokenFile the harness' {@code client.token}: without it the harness refuses to act
     *                  as any uid, and shows nothing. Read on every call, so a harness started
     *                  later is picked up.
     */
    public HarnessClient(URI base, Duration timeout, Optional<Path> tokenFile) {
        this(base, timeout, tokenFile, Optional.empty());
    }

    /**
     * A client that acts as the holder of a bearer token ({@code afs mcp} over HTTP): each call
     * carries {@code Authorization: Bearer}, and the harness maps the token to its principal
     * itself. No uid is claimed.
     */
    public static HarnessClient withBearer(URI base, Duration timeout, String bearerToken) {
        return new HarnessClient(base, timeout, Optional.empty(), Optional.of(requireNonNull(bearerToken, "bearerToken is null")));
    }

    private HarnessClient(URI base, Duration timeout, Optional<Path> tokenFile, Optional<String> bearer) {
        this.tokenFile = requireNonNull(tokenFile, "tokenFile is null");
        this.bearer = requireNonNull(bearer, "bearer is null");
        this.base = URI.create(requireNonNull(base, "base is null").toString().replaceAll("/+$", "") + "/");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The harness's reply: HTTP status and JSON body. */
    public record Reply(int status, JsonNode body) {
        /** The request's state, e.g. REJECTED or PENDING_APPROVAL. */
        public String state() {
            return body.path("state").asText("");
        }

        public String id() {
            return body.path("id").asText("");
        }
    }

    /**
     * Submits a change request document as {@code caller}. A request that fails a gate is still
     * a reply (state REJECTED, reasons listed); a malformed document is an INVALID_ARGUMENT
     * exception naming each problem.
     */
    public Reply submit(byte[] document, Caller caller) throws AfsException {
        return send(request("v1/requests", caller).POST(HttpRequest.BodyPublishers.ofByteArray(document)));
    }

    /** Submits under the id the writer chose, e.g. the file name of /change_requests/<id>.yaml. */
    public Reply submit(byte[] document, Caller caller, String requestName) throws AfsException {
        return send(request("v1/requests", caller).header("X-Afs-Request-Name", requestName)
                .POST(HttpRequest.BodyPublishers.ofByteArray(document)));
    }

    /** The request as JSON. */
    public JsonNode get(String id, Caller caller) throws AfsException {
        return send(request("v1/requests/" + segment(id), caller).GET()).body();
    }

    /** The request's status as text (what {@code afs plan status} prints). */
    public String statusText(String id, Caller caller) throws AfsException {
        return sendText(request("v1/requests/" + segment(id) + "/status", caller).GET());
    }

    /** Requests of envs {@code caller} may read, newest first. */
    /** The request's risk report (YAML), as {@code /change_requests/<id>.risk} shows it. */
    public String riskText(String id, Caller caller) throws AfsException {
        return sendText(request("v1/requests/" + segment(id) + "/risk", caller).GET());
    }

    public List<JsonNode> list(int limit, Caller caller) throws AfsException {
        List<JsonNode> out = new ArrayList<>();
        send(request("v1/requests?limit=" + limit, caller).GET()).body().path("requests").forEach(out::add);
        return out;
    }

    public JsonNode approve(String id, Caller caller) throws AfsException {
        return send(request("v1/requests/" + segment(id) + "/approve", caller).POST(HttpRequest.BodyPublishers.noBody())).body();
    }

    public JsonNode reject(String id, Caller caller, String reason) throws AfsException {
        String body = JSON.createObjectNode().put("reason", reason).toString();
        return send(request("v1/requests/" + segment(id) + "/reject", caller)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))).body();
    }

    public JsonNode cancel(String id, Caller caller) throws AfsException {
        return send(request("v1/requests/" + segment(id) + "/cancel", caller).POST(HttpRequest.BodyPublishers.noBody())).body();
    }

    /** Stores a drafted skill under the library's {@code proposed/<team>/}; the reply names its {@code path}. */
    public JsonNode proposeSkill(String team, String env, String incident, byte[] skill, Caller caller) throws AfsException {
        return send(request("v1/skills/proposed?team=" + segment(team) + "&env=" + segment(env) + "&incident="
                + segment(incident), caller).POST(HttpRequest.BodyPublishers.ofByteArray(skill))).body();
    }

    /** The cluster agents (execution: agents): cluster, key_id, last_poll_at, version, state, lock_reason, leased. */
    public List<JsonNode> agents(Caller caller) throws AfsException {
        List<JsonNode> out = new ArrayList<>();
        send(request("v1/agents", caller).GET()).body().path("agents").forEach(out::add);
        return out;
    }

    /** The incidents the harness's lifecycle keeps, of envs {@code caller} may read, newest first (afs incident ls). */
    public List<JsonNode> incidentList(Caller caller) throws AfsException {
        List<JsonNode> out = new ArrayList<>();
        send(request("v1/incidents", caller).GET()).body().path("incidents").forEach(out::add);
        return out;
    }

    /** One incident: state, severity, scope, context, budget (used and caps), notifications. */
    public JsonNode incident(String id, Caller caller) throws AfsException {
        return send(request("v1/incidents/" + segment(id), caller).GET()).body();
    }

    /** {@code context.yaml} or {@code budget} of an incident, as the mount shows them. */
    public String incidentText(String id, String file, Caller caller) throws AfsException {
        return sendText(request("v1/incidents/" + segment(id) + "/" + segment(file), caller).GET());
    }

    /** Opens an incident by hand: {@code id} may be null (the harness names it INC-&lt;n&gt;). */
    public JsonNode openIncident(String id, String team, String env, String severity, String title, Caller caller)
            throws AfsException {
        return openIncident(id, team, env, severity, title, Map.of(), caller);
    }

    /** The same, with budget caps for this incident below the configured ones, e.g. {@code {tokens=50000}}. */
    public JsonNode openIncident(String id, String team, String env, String severity, String title, Map<String, Long> caps,
                                 Caller caller) throws AfsException {
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode().put("team", team).put("env", env)
                .put("severity", severity).put("title", title);
        if (!caps.isEmpty()) {
            caps.forEach(body.putObject("caps")::put);
        }
        if (id != null) {
            body.put("id", id);
        }
        return send(request("v1/incidents", caller).POST(HttpRequest.BodyPublishers.ofString(body.toString(),
                StandardCharsets.UTF_8))).body();
    }

    /** {@code close} or {@code resume} (an escalated incident back to DIAGNOSING), by a person, with a reason. */
    public JsonNode moveIncident(String id, String operation, String reason, Caller caller) throws AfsException {
        String body = JSON.createObjectNode().put("reason", reason).toString();
        return send(request("v1/incidents/" + segment(id) + "/" + segment(operation), caller)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))).body();
    }

    /** Reports tokens an agent spent on the incident; answers the budget used and its caps. */
    public JsonNode reportTokens(String id, long tokens, Caller caller) throws AfsException {
        String body = JSON.createObjectNode().put("tokens", tokens).toString();
        return send(request("v1/incidents/" + segment(id) + "/tokens", caller)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))).body();
    }

    /** Ledger entries from {@code fromSeq} (1-based), at most {@code limit}. */
    public List<JsonNode> ledger(long fromSeq, int limit, Caller caller) throws AfsException {
        List<JsonNode> out = new ArrayList<>();
        send(request("v1/ledger?from=" + fromSeq + "&limit=" + limit, caller).GET()).body().path("entries").forEach(out::add);
        return out;
    }

    /** The incidents {@code caller} may see something of (a tagged read, a change request), sorted. */
    public List<String> incidents(Caller caller) throws AfsException {
        List<String> out = new ArrayList<>();
        send(request("v1/timelines", caller).GET()).body().path("incidents").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** {@code {"incident": id, "entries": [...]}}: the incident's timeline as {@code caller} may see it. */
    public JsonNode timeline(String incident, Caller caller) throws AfsException {
        return send(request("v1/incidents/" + segment(incident) + "/timeline", caller).GET()).body();
    }

    /** The ledger slice of the incident, as {@code caller} may see it. */
    public List<JsonNode> incidentLedger(String incident, Caller caller) throws AfsException {
        List<JsonNode> out = new ArrayList<>();
        send(request("v1/incidents/" + segment(incident) + "/ledger", caller).GET()).body().path("entries").forEach(out::add);
        return out;
    }

    /** Records {@code verdict} (useful, useless, dangerous) on a step of the incident's timeline, as {@code caller}. */
    public JsonNode feedback(String incident, String step, String verdict, Caller caller) throws AfsException {
        return send(request("v1/incidents/" + segment(incident) + "/feedback/" + segment(step), caller)
                .POST(HttpRequest.BodyPublishers.ofString(verdict, StandardCharsets.UTF_8))).body();
    }

    /**
     * Downloads the evidence bundle of {@code incident} as {@code caller} may see it into
     * {@code target} (written beside it first, then moved, so a failed download leaves no
     * partial bundle). Returns its size.
     */
    public long exportIncident(String incident, Caller caller, Path target) throws AfsException {
        HttpResponse<java.io.InputStream> response;
        try {
            response = http.send(request("v1/incidents/" + segment(incident) + "/bundle", caller).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new AfsException(AfsError.UNAVAILABLE, "the harness at " + base + " is unreachable (" + e.getMessage()
                    + "); start it with afs harness --config harness.yaml or pass --harness-url", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AfsException(AfsError.UNAVAILABLE, "interrupted while waiting for the harness at " + base, e);
        }
        if (response.statusCode() >= 400) {
            JsonNode error;
            try (java.io.InputStream body = response.body()) {
                error = JSON.readTree(body.readNBytes(64 * 1024));
            } catch (IOException e) {
                error = null;
            }
            throw failure(response.statusCode(), error == null ? JSON.createObjectNode() : error);
        }
        Path part = target.resolveSibling(target.getFileName() + ".part");
        try (java.io.InputStream body = response.body()) {
            Files.copy(body, part, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(part, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return Files.size(target);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // the message below names the target; a stray .part beside it is all that is left
            }
            throw new AfsException(AfsError.UNAVAILABLE, "the bundle from the harness at " + base + " could not be written to "
                    + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Registers a capture (its signed record) with the harness, authenticated by the client
     * token. A refusal (an unpinned key, a record that differs from one registered under the
     * same id) is an exception naming why.
     */
    public void register(dev.aegis.afs.evidence.SignedCapture capture) throws AfsException {
        send(authenticated("v1/evidence").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(capture.toJson().toString(), StandardCharsets.UTF_8)));
    }

    /** The evidence ids cited by open change requests: the retention sweep must keep them. */
    public java.util.Set<String> holds() throws AfsException {
        java.util.Set<String> out = new java.util.HashSet<>();
        JsonNode holds = send(authenticated("v1/evidence/holds").GET()).body().path("holds");
        if (!holds.isArray()) {
            throw new AfsException(AfsError.BACKEND_FAILURE, "the harness at " + base + " answered the holds request"
                    + " without a holds list; is it an older harness?");
        }
        holds.forEach(h -> out.add(h.asText()));
        return out;
    }

    private HttpRequest.Builder authenticated(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
        token().ifPresent(t -> b.header("X-Afs-Token", t));
        return b;
    }

    /** Whether the harness answers {@code /health}. */
    public boolean healthy() {
        try {
            return send(request("health", null).GET()).status() == 200;
        } catch (AfsException e) {
            return false;
        }
    }

    private HttpRequest.Builder request(String path, Caller caller) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
        if (bearer.isPresent()) {
            return b.header("Authorization", "Bearer " + bearer.get());
        }
        if (caller != null) {
            token().ifPresent(t -> b.header("X-Afs-Token", t));
            b.header("X-Afs-Uid", Integer.toString(caller.uid()))
                    .header("X-Afs-Gid", Integer.toString(caller.gid()))
                    .header("X-Afs-Pid", Long.toString(caller.pid()));
        }
        return b;
    }

    private Optional<String> token() {
        try {
            return tokenFile.isPresent() ? Optional.of(Files.readString(tokenFile.get(), StandardCharsets.UTF_8).strip())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // the harness then refuses, naming the token file
        }
    }

    private Reply send(HttpRequest.Builder b) throws AfsException {
        HttpResponse<byte[]> response = exchange(b);
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AfsException(AfsError.BACKEND_FAILURE, "the harness at " + base + " sent a reply that is not JSON; "
                    + "check that the harness URL points at afs harness");
        }
        if (response.statusCode() >= 400) {
            throw failure(response.statusCode(), body);
        }
        return new Reply(response.statusCode(), body == null ? JSON.createObjectNode() : body);
    }

    private String sendText(HttpRequest.Builder b) throws AfsException {
        HttpResponse<byte[]> response = exchange(b);
        if (response.statusCode() >= 400) {
            JsonNode body;
            try {
                body = JSON.readTree(response.body());
            } catch (IOException e) {
                body = JSON.createObjectNode();
            }
            throw failure(response.statusCode(), body);
        }
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private HttpResponse<byte[]> exchange(HttpRequest.Builder b) throws AfsException {
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AfsException(AfsError.UNAVAILABLE, "the harness at " + base + " is unreachable (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); nothing was changed. Start it with "
                    + "afs harness --config harness.yaml or set harness.url in namespaces.yaml", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AfsException(AfsError.UNAVAILABLE, "interrupted while waiting for the harness at " + base, e);
        }
    }

    private static AfsException failure(int status, JsonNode body) {
        AfsError error;
        try {
            error = AfsError.valueOf(body.path("error").asText("INTERNAL"));
        } catch (IllegalArgumentException e) {
            error = AfsError.INTERNAL;
        }
        StringBuilder message = new StringBuilder(body.path("message").asText("harness answered HTTP " + status));
        JsonNode problems = body.path("problems");
        if (problems.size() > 1) {
            for (JsonNode p : problems) {
                message.append("\n  ").append(p.asText());
            }
        }
        return new AfsException(error, message.toString());
    }

    private static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }
}
