package dev.aegis.afs.mcp;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.Caller;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema.ServerCapabilities;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.function.Function;

/**
 * {@code afs mcp}: the tree over the Model Context Protocol, built on the official Java SDK.
 * Two transports, one set of tools and resources: stdio, acting as the invoking uid, and
 * streamable HTTP on a loopback address, acting as the holder of a bearer token.
 *
 * <pre>{@code
 * try (Afs afs = Afs.load(config); AfsMcpServer mcp = AfsMcpServer.http(afs, new InetSocketAddress("127.0.0.1", 7781), ResultCap.DEFAULT)) {
 *     mcp.awaitTermination();
 * }
 * }</pre>
 */
public final class AfsMcpServer implements AutoCloseable {

    static final String NAME = "aegis-afs";
    static final String INSTRUCTIONS = """
            Aegis AFS: the operations world as files. Start with list {"path": "/"} and the skills resource
            afs:///context/skills. Read logs with path terms (read {"path": "/teams/<team>/<env>/logs/api.log?since=30m&grep-i=oom&tail=50"})
            or a pipeline (sh {"pipeline": "grep -c ERROR /teams/<team>/<env>/logs/api.log"}). Every read is evidence:
            cite its path and sha256 in a change request (plan_submit), then follow it with plan_status.""";

    /** Closes the SDK server (a session server for stdio, a stateless one for HTTP). */
    private static final ServerCapabilities CAPABILITIES =
            ServerCapabilities.builder().tools(false).resources(false, false).logging().build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

    private final Runnable server;
    private final AutoCloseable transport;
    private final java.util.concurrent.CountDownLatch finished;

    private AfsMcpServer(Runnable server, AutoCloseable transport, java.util.concurrent.CountDownLatch finished) {
        this.server = server;
        this.transport = transport;
        this.finished = finished;
    }

    /** Blocks until the stdio client closes its end, or {@link #close()} (HTTP: until closed). */
    public void awaitTermination() throws InterruptedException {
        finished.await();
    }

    /** Serves one client on {@code in}/{@code out} as {@code caller} (the invoking uid). */
    public static AfsMcpServer stdio(Afs afs, Caller caller, ResultCap cap, InputStream in, OutputStream out) {
        requireNonNull(caller, "caller is null");
        java.util.concurrent.CountDownLatch eof = new java.util.concurrent.CountDownLatch(1);
        InputStream watched = new java.io.FilterInputStream(requireNonNull(in, "in is null")) {
            @Override
            public int read() throws java.io.IOException {
                return seen(super.read());
            }

            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                return seen(super.read(b, off, len));
            }

            private int seen(int n) {
                if (n < 0) {
                    eof.countDown(); // the client closed our stdin: the session is over
                }
                return n;
            }
        };
        StdioServerTransportProvider provider = new StdioServerTransportProvider(McpJsonDefaults.getMapper(), watched, out);
        McpPrincipal.Local local = new McpPrincipal.Local(caller);
        Parts parts = Parts.of(afs, caller, cap, context -> local);
        McpSyncServer server = McpServer.sync(provider).serverInfo(NAME, Version.get()).instructions(INSTRUCTIONS)
                .capabilities(CAPABILITIES).tools(parts.tools().forSessions())
                .resources(parts.resources().forSessions(local))
                .resourceTemplates(parts.resources().templatesForSessions())
                .requestTimeout(REQUEST_TIMEOUT).build();
        return new AfsMcpServer(server::closeGracefully, () -> { }, eof);
    }

    /**
     * Serves streamable HTTP at {@code http://<listen>/mcp} with the SDK's stateless server (one
     * JSON answer per POST, run on the container's thread); every request needs
     * {@code Authorization: Bearer} with a token from namespaces.yaml {@code tokens:}. Port 0
     * picks a free port ({@link #port()}).
     */
    public static AfsMcpServer http(Afs afs, InetSocketAddress listen, ResultCap cap) {
        BearerTokens tokens = BearerTokens.from(afs.config());
        HttpEndpoint endpoint = HttpEndpoint.start(listen, tokens);
        try {
            Caller self = Caller.self();
            Parts parts = Parts.of(afs, self, cap, HttpEndpoint::principal);
            McpStatelessSyncServer server = McpServer.sync(endpoint.transport()).serverInfo(NAME, Version.get())
                    .instructions(INSTRUCTIONS).capabilities(CAPABILITIES).tools(parts.tools().forStateless())
                    .resources(parts.resources().forStateless(new McpPrincipal.Local(self)))
                    .resourceTemplates(parts.resources().templatesForStateless())
                    .requestTimeout(REQUEST_TIMEOUT)
                    .immediateExecution(true) // on the servlet's thread, which waits for the answer anyway
                    .build();
            return new AfsMcpServer(server::closeGracefully, endpoint, new java.util.concurrent.CountDownLatch(1));
        } catch (RuntimeException e) {
            endpoint.close();
            throw e;
        }
    }

    /** The HTTP port, or -1 for stdio. */
    public int port() {
        return transport instanceof HttpEndpoint h ? h.port() : -1;
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            server.run();
        } finally {
            try {
                transport.close();
            } catch (Exception e) {
                // closing on the way out: nothing more to do
            }
        }
    }

    /** What both transports share: the gate, the tools and the resources. */
    private record Parts(TreeGate gate, AfsTools tools, AfsResources resources) {
        static Parts of(Afs afs, Caller server, ResultCap cap, Function<McpTransportContext, McpPrincipal> principals) {
            TreeGate gate = new TreeGate(afs, TokenAccess.from(afs.config()), server);
            ChangeDesk changes = new ChangeDesk(URI.create(afs.config().harnessUrl().orElse(Afs.DEFAULT_HARNESS_URL)),
                    afs.config().harnessTokenFile(), gate);
            return new Parts(gate, new AfsTools(gate, changes, cap, principals), new AfsResources(gate, principals));
        }
    }
}
