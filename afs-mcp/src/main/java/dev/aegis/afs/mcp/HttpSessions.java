package dev.aegis.afs.mcp;

import static java.util.Objects.requireNonNull;

import io.modelcontextprotocol.server.McpStatelessServerHandler;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import jakarta.servlet.http.HttpServletResponse;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Session ids over the stateless HTTP transport. A session holds nothing but the token it was
 * given to: afs mcp keeps no state per client (each call carries its bearer token), but clients
 * that open several streams expect an {@code Mcp-Session-Id} from {@code initialize}, and a
 * server that gives one must refuse an unknown one (404) and end it on DELETE. An id is 128
 * random bits, valid only with the token it was given to; the newest {@code max} are kept.
 */
final class HttpSessions {

    static final String HEADER = "Mcp-Session-Id";
    static final int MAX_SESSIONS = 10_000;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, McpPrincipal> sessions;

    HttpSessions(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, not " + max);
        }
        this.sessions = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, McpPrincipal> eldest) {
                return size() > max; // the least recently used session ends; its client initializes again (404)
            }
        };
    }

    /** A new session for {@code token}. */
    synchronized String open(McpPrincipal token) {
        requireNonNull(token, "token is null");
        byte[] id = new byte[16];
        random.nextBytes(id);
        String session = HexFormat.of().formatHex(id);
        sessions.put(session, token);
        return session;
    }

    /** Whether {@code session} is open and was given to {@code token}. */
    synchronized boolean belongsTo(String session, McpPrincipal token) {
        McpPrincipal holder = sessions.get(session);
        return holder != null && holder.name().equals(token.name());
    }

    synchronized void end(String session) {
        sessions.remove(session);
    }

    /**
     * The SDK's servlet, with a handler in front of the server's: {@code initialize} opens a
     * session (its id in the response header, set before the servlet writes the body), and
     * {@code logging/setLevel} is accepted (afs mcp sends no log messages, so there is nothing to
     * filter; the stateless server would call it an unknown method).
     *
     * @param responseKey where the transport context holds the request's HttpServletResponse
     */
    Transport transport(HttpServletStatelessServerTransport servlet, String responseKey) {
        return new Transport(servlet, responseKey);
    }

    final class Transport implements McpStatelessServerTransport {
        private final HttpServletStatelessServerTransport servlet;
        private final String responseKey;

        private Transport(HttpServletStatelessServerTransport servlet, String responseKey) {
            this.servlet = requireNonNull(servlet, "servlet is null");
            this.responseKey = requireNonNull(responseKey, "responseKey is null");
        }

        @Override
        public void setMcpHandler(McpStatelessServerHandler server) {
            servlet.setMcpHandler(new McpStatelessServerHandler() {
                @Override
                public Mono<McpSchema.JSONRPCResponse> handleRequest(io.modelcontextprotocol.common.McpTransportContext context,
                                                                    McpSchema.JSONRPCRequest request) {
                    if (request.method().equals(McpSchema.METHOD_LOGGING_SET_LEVEL)) {
                        return Mono.just(McpSchema.JSONRPCResponse.result(request.id(), Map.of()));
                    }
                    if (request.method().equals(McpSchema.METHOD_INITIALIZE)
                            && context.get(responseKey) instanceof HttpServletResponse response) {
                        response.setHeader(HEADER, open(HttpEndpoint.principal(context)));
                    }
                    return server.handleRequest(context, request);
                }

                @Override
                public Mono<Void> handleNotification(io.modelcontextprotocol.common.McpTransportContext context,
                                                     McpSchema.JSONRPCNotification notification) {
                    return server.handleNotification(context, notification);
                }
            });
        }

        @Override
        public Mono<Void> closeGracefully() {
            return servlet.closeGracefully();
        }

        @Override
        public List<String> protocolVersions() {
            return servlet.protocolVersions();
        }
    }
}
