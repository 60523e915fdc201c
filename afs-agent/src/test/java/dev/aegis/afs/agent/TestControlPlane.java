package dev.aegis.afs.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.aegis.afs.intent.IntentKeyStore;
import dev.aegis.afs.intent.Jwks;
import dev.aegis.afs.intent.KeyCertificate;
import dev.aegis.afs.intent.PollToken;
import dev.aegis.afs.intent.SignatureRefused;
import dev.aegis.afs.intent.TaskResult;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A control plane that speaks docs/execution-plane.md over HTTP on 127.0.0.1: it leases the
 * intents a test queues (each handed out once), publishes the store's keys, and accepts only
 * polls and results signed by the pinned agent key.
 */
final class TestControlPlane implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String cluster;
    private final OctetKeyPair agentPublicKey;
    private final IntentKeyStore keys;
    private final Clock clock;
    final List<KeyCertificate> extraCertificates = new CopyOnWriteArrayList<>();
    final ConcurrentLinkedQueue<ControlPlaneClient.Task> queue = new ConcurrentLinkedQueue<>();
    final Map<String, TaskResult> results = new ConcurrentHashMap<>();
    final List<String> refusedAuth = new CopyOnWriteArrayList<>();
    volatile int polls;
    /** The lock the agent reported with its last poll (X-Afs-Agent-Lock), if any. */
    volatile Optional<String> lockReported = Optional.empty();
    /** While set, results are answered 503 (the agent must keep and resend them). */
    volatile boolean rejectResults;
    private HttpServer server;
    private int port;

    TestControlPlane(String cluster, OctetKeyPair agentPublicKey, IntentKeyStore keys, Clock clock) throws IOException {
        this.cluster = cluster;
        this.agentPublicKey = agentPublicKey;
        this.keys = keys;
        this.clock = clock;
        start(0);
    }

    void start(int wantedPort) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), wantedPort), 16);
        server.createContext("/v1/tasks", this::tasks);
        server.createContext("/v1/keys", this::keys);
        server.start();
        port = server.getAddress().getPort();
    }

    /** Stops answering (the agent then finds the control plane unreachable). */
    void stop() {
        server.stop(0);
    }

    void restart() throws IOException {
        start(port);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    void lease(String taskId, String intent) {
        queue.add(new ControlPlaneClient.Task(taskId, intent));
    }

    TaskResult awaitResult(String taskId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            TaskResult r = results.get(taskId);
            if (r != null) {
                return r;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no result for task " + taskId + " within 20 s; results: " + results.keySet());
    }

    private boolean authenticated(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        String path = ex.getRequestURI().getRawPath() + (ex.getRequestURI().getRawQuery() == null ? ""
                : "?" + ex.getRequestURI().getRawQuery());
        try {
            if (h == null || !h.startsWith(PollToken.SCHEME + " ")) {
                throw new SignatureRefused("no AfsAgent token");
            }
            PollToken.verify(h.substring(PollToken.SCHEME.length() + 1), agentPublicKey, cluster, ex.getRequestMethod(), path,
                    clock.instant(), Duration.ofSeconds(5));
            return true;
        } catch (SignatureRefused e) {
            refusedAuth.add(e.getMessage());
            return false;
        }
    }

    private void tasks(HttpExchange ex) throws IOException {
        if (!authenticated(ex)) {
            reply(ex, 401, "{\"error\":\"unauthenticated\"}");
            return;
        }
        String path = ex.getRequestURI().getPath();
        if (ex.getRequestMethod().equals("GET") && path.equals("/v1/tasks")) {
            if (!("cluster=" + cluster).equals(ex.getRequestURI().getRawQuery())) {
                reply(ex, 403, "{\"error\":\"wrong cluster\"}");
                return;
            }
            polls++;
            lockReported = Optional.ofNullable(ex.getRequestHeaders().getFirst(ControlPlaneClient.LOCK_HEADER));
            ObjectNode body = JSON.createObjectNode();
            ArrayNode tasks = body.putArray("tasks");
            List<ControlPlaneClient.Task> out = new ArrayList<>();
            for (ControlPlaneClient.Task t; (t = queue.poll()) != null; ) {
                out.add(t);
            }
            out.forEach(t -> tasks.addObject().put("id", t.id()).put("intent", t.intent()));
            reply(ex, 200, body.toString());
            return;
        }
        if (ex.getRequestMethod().equals("POST") && path.endsWith("/result")) {
            if (rejectResults) {
                reply(ex, 503, "{\"error\":\"busy\"}");
                return;
            }
            String task = path.substring("/v1/tasks/".length(), path.length() - "/result".length());
            String jws = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            try {
                TaskResult r = TaskResult.verify(jws, agentPublicKey, cluster);
                if (!r.task().equals(task)) {
                    reply(ex, 400, "{\"error\":\"result is for another task\"}");
                    return;
                }
                results.put(task, r);
                reply(ex, 200, "{\"accepted\":true}");
            } catch (SignatureRefused e) {
                reply(ex, 400, "{\"error\":\"" + e.getMessage().replace("\"", "'") + "\"}");
            }
            return;
        }
        reply(ex, 404, "{}");
    }

    private void keys(HttpExchange ex) throws IOException {
        List<KeyCertificate> certs = new ArrayList<>(keys.published(clock.instant()));
        certs.addAll(extraCertificates);
        reply(ex, 200, Jwks.json(certs));
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }


    @Override
    public void close() {
        server.stop(0);
    }
}
