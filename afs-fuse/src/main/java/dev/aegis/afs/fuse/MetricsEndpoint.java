package dev.aegis.afs.fuse;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The mount daemon's {@code /metrics} (Prometheus text format, client_java's HTTP server) on the
 * address of namespaces.yaml's {@code metrics.listen}. Started before the mount, so a port in
 * use fails the start with the fix instead of leaving a mount nobody can watch.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private final HTTPServer server;

    private MetricsEndpoint(HTTPServer server) {
        this.server = server;
    }

    public static MetricsEndpoint start(InetSocketAddress address, PrometheusRegistry registry) throws IOException {
        requireNonNull(address, "address is null");
        requireNonNull(registry, "registry is null");
        try {
            return new MetricsEndpoint(HTTPServer.builder().hostname(address.getHostString()).port(address.getPort())
                    .registry(registry).buildAndStart());
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + address.getHostString() + ":" + address.getPort() + " ("
                    + e.getMessage() + "); is another afs mount using it? change metrics.listen in namespaces.yaml", e);
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
