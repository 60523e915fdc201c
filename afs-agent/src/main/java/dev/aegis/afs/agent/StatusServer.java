package dev.aegis.afs.agent;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /status} (the status JSON) and {@code GET /metrics} on a loopback address only:
 * for a sidecar or {@code kubectl port-forward}, never reachable from outside the pod.
 */
final class StatusServer implements AutoCloseable {

    private final HttpServer server;

    StatusServer(InetSocketAddress address, AgentStatus status) throws IOException {
        requireNonNull(status, "status is null");
        if (!address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the status endpoint listens on loopback only, not " + address);
        }
        server = HttpServer.create(address, 8);
        server.createContext("/status", ex -> reply(ex, "application/json",
                (status.toJson().toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8)));
        server.createContext("/metrics", ex -> reply(ex, "text/plain; version=0.0.4", status.scrape()));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, String type, byte[] body) throws IOException {
        if (!"GET".equals(ex.getRequestMethod())) {
            ex.sendResponseHeaders(405, -1);
            ex.close();
            return;
        }
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
