package dev.aegis.afs.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * The network between the agent and the control plane, as an attacker who owns it: every
 * request is relayed unchanged unless a test sets {@link #rewrite} (applied to each leased
 * intent) or {@link #inject} (extra tasks), and it notes, per task, how many requests the API
 * server had received when the intent reached the agent and when the agent's result came back:
 * for an intent refused on arrival the two must be equal.
 */
final class AgentProxy implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One task as the agent saw it, and the API server's request count around it. */
    record Seen(String id, String intent, long apiRequestsAtLease) {
    }

    /** One result the agent posted: its payload (unverified: the harness checks it) and the count then. */
    record Result(String task, JsonNode payload, long apiRequestsAtResult, int status) {
    }

    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI target;
    private final LongSupplier apiRequests;
    final Map<String, Seen> seen = new ConcurrentHashMap<>();
    final List<Result> results = new CopyOnWriteArrayList<>();
    volatile UnaryOperator<String> rewrite = UnaryOperator.identity();
    volatile Duration delayTasks = Duration.ZERO;
    final List<ObjectNode> inject = new CopyOnWriteArrayList<>();
    volatile Runnable onLease = () -> { };

    AgentProxy(URI target, LongSupplier apiRequests) throws IOException {
        this.target = target;
        this.apiRequests = apiRequests;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::relay);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void reset() {
        rewrite = UnaryOperator.identity();
        delayTasks = Duration.ZERO;
        inject.clear();
        onLease = () -> { };
    }

    Result awaitResult(String task) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            for (Result r : results) {
                if (r.task().equals(task) && r.status() != 502) {
                    return r;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no result for task " + task + " came through; results: " + results);
    }

    /** The task carrying request {@code requestId}'s intent, as delivered to the agent. */
    Seen awaitLease(String requestId) throws Exception {
        for (int i = 0; i < 600; i++) {
            for (Seen s : seen.values()) {
                if (requestId.equals(claims(s.intent()).path("request_id").asText())) {
                    return s;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("request " + requestId + " was never leased; seen: " + seen.keySet());
    }

    static JsonNode claims(String compact) {
        try {
            return JSON.readTree(JWSObject.parse(compact).getPayload().toString());
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    /** The payload of {@code compact} with {@code field} set to {@code value}, the original signature kept. */
    static String tamper(String compact, String field, long value) {
        String[] parts = compact.split("\\.");
        ObjectNode payload = (ObjectNode) claims(compact);
        ((ObjectNode) payload.path("parameters")).put(field, value);
        return parts[0] + "." + Base64URL.encode(payload.toString().getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    /** The payload of {@code compact} signed again by {@code key} under {@code kid}. */
    static String resign(String compact, OctetKeyPair key, String kid) {
        try {
            JWSObject original = JWSObject.parse(compact);
            JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.EdDSA).type(new JOSEObjectType("afs-intent+jwt"))
                    .keyID(kid).build(), new Payload(original.getPayload().toString()));
            jws.sign(new Ed25519Signer(key));
            return jws.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void relay(HttpExchange ex) throws IOException {
        try {
            String pathAndQuery = ex.getRequestURI().toString();
            byte[] body = ex.getRequestBody().readAllBytes();
            boolean tasks = ex.getRequestMethod().equals("GET") && pathAndQuery.startsWith("/v1/tasks");
            boolean result = ex.getRequestMethod().equals("POST") && pathAndQuery.endsWith("/result");
            long atResult = apiRequests.getAsLong();
            HttpRequest.Builder b = HttpRequest.newBuilder(target.resolve(pathAndQuery)).timeout(Duration.ofSeconds(30))
                    .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            for (String h : List.of("Authorization", "Content-Type", "User-Agent", "X-Afs-Agent-Lock")) {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null && !h.equals("User-Agent")) {
                    b.header(h, v);
                } else if (v != null) {
                    b.setHeader(h, v);
                }
            }
            HttpResponse<byte[]> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                if (result) {
                    results.add(new Result(pathAndQuery.split("/")[3], claims(new String(body, StandardCharsets.UTF_8)), atResult, 502));
                }
                answer(ex, 502, "{\"error\":\"the control plane is unreachable\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            byte[] out = r.body();
            if (tasks && r.statusCode() == 200) {
                ObjectNode doc = (ObjectNode) JSON.readTree(out);
                ArrayNode list = (ArrayNode) doc.path("tasks");
                for (JsonNode t : list) {
                    ((ObjectNode) t).put("intent", rewrite.apply(t.path("intent").asText()));
                }
                inject.forEach(list::add);
                inject.clear();
                if (!list.isEmpty()) {
                    onLease.run();
                    if (!delayTasks.isZero()) {
                        Thread.sleep(delayTasks.toMillis());
                    }
                    long at = apiRequests.getAsLong();
                    for (JsonNode t : list) {
                        seen.put(t.path("id").asText(), new Seen(t.path("id").asText(), t.path("intent").asText(), at));
                    }
                }
                out = doc.toString().getBytes(StandardCharsets.UTF_8);
            }
            if (result) {
                results.add(new Result(pathAndQuery.split("/")[3], claims(new String(body, StandardCharsets.UTF_8)), atResult,
                        r.statusCode()));
            }
            answer(ex, r.statusCode(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer(ex, 502, new byte[0]);
        } finally {
            ex.close();
        }
    }

    private static void answer(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
