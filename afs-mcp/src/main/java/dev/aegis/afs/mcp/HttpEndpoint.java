package dev.aegis.afs.mcp;

import static java.util.Objects.requireNonNull;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.transport.DefaultServerTransportSecurityValidator;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * Streamable HTTP at {@code /mcp} on an embedded Tomcat bound to one loopback address, served by
 * the SDK's stateless transport: each POST is answered on the container's thread with one
 * {@code application/json} body, without an SSE stream or a session object per client (afs mcp
 * never calls the client back, so it needs neither; they cost the call about as much as the read).
 * A filter in front of the SDK's servlet admits only requests with a known bearer token and puts
 * the token's principal into the request; the SDK hands it to each tool call through the
 * transport context. Session ids are kept as {@link HttpSessions} (ids bound to their token).
 * The SDK's own validator refuses foreign Host and Origin headers (DNS rebinding).
 */
final class HttpEndpoint implements AutoCloseable {

    static final String ENDPOINT = "/mcp";
    private static final String PRINCIPAL = "afs.principal";
    private static final String RESPONSE = "afs.response";

    private final Tomcat tomcat;
    private final HttpSessions.Transport transport;
    private final Path baseDir;

    private HttpEndpoint(Tomcat tomcat, HttpSessions.Transport transport, Path baseDir) {
        this.tomcat = tomcat;
        this.transport = transport;
        this.baseDir = baseDir;
    }

    static HttpEndpoint start(InetSocketAddress listen, BearerTokens tokens) {
        requireNonNull(listen, "listen is null");
        if (!listen.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException(listen + " is not a loopback address; afs mcp listens on 127.0.0.1"
                    + " (put an authenticating proxy in front of it to serve other hosts)");
        }
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("namespaces.yaml has no tokens:, so no one could use afs mcp over HTTP;"
                    + " add tokens: {<name>: {sha256: <sha256 of the token>, groups: [...]}} and name token:<name>"
                    + " in the access lists");
        }
        HttpServletStatelessServerTransport servlet = HttpServletStatelessServerTransport.builder()
                .messageEndpoint(ENDPOINT)
                .securityValidator(DefaultServerTransportSecurityValidator.builder()
                        .allowedOrigins(List.of("http://localhost:*", "http://127.0.0.1:*"))
                        .allowedHosts(List.of("localhost:*", "127.0.0.1:*"))
                        .build())
                .contextExtractor(HttpEndpoint::context)
                .build();
        HttpSessions sessions = new HttpSessions(HttpSessions.MAX_SESSIONS);
        HttpSessions.Transport transport = sessions.transport(servlet, RESPONSE);
        Path base;
        try {
            base = Files.createTempDirectory("afs-mcp-tomcat");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temporary directory for the HTTP server: " + e.getMessage(), e);
        }
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(listen.getPort());
        connector.setProperty("address", listen.getAddress().getHostAddress());
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        Wrapper wrapper = context.createWrapper();
        wrapper.setName("mcp");
        wrapper.setServlet(servlet);
        wrapper.setLoadOnStartup(1);
        context.addChild(wrapper);
        context.addServletMappingDecoded("/*", "mcp");
        FilterDef auth = new FilterDef();
        auth.setFilterName("bearer");
        auth.setFilter(new BearerFilter(tokens, sessions));
        context.addFilterDef(auth);
        FilterMap map = new FilterMap();
        map.setFilterName("bearer");
        map.addURLPattern("/*");
        context.addFilterMap(map);
        HttpEndpoint endpoint = new HttpEndpoint(tomcat, transport, base);
        try {
            tomcat.start();
            if (connector.getLocalPort() < 0) {
                throw new IllegalStateException("cannot listen on " + listen + "; is another afs mcp running? choose another --port");
            }
        } catch (LifecycleException | RuntimeException e) {
            endpoint.close();
            throw new IllegalStateException("cannot start the HTTP server on " + listen + ": " + e.getMessage(), e);
        }
        return endpoint;
    }

    /** The transport to build the stateless server on. */
    HttpSessions.Transport transport() {
        return transport;
    }

    int port() {
        return tomcat.getConnector().getLocalPort();
    }

    /** The request's principal (put there by the filter) and its response (for a new session's id). */
    private static McpTransportContext context(HttpServletRequest request) {
        Map<String, Object> values = new HashMap<>(2);
        if (request.getAttribute(PRINCIPAL) instanceof McpPrincipal p) {
            values.put(PRINCIPAL, p);
        }
        if (request.getAttribute(RESPONSE) instanceof HttpServletResponse r) {
            values.put(RESPONSE, r);
        }
        return values.isEmpty() ? McpTransportContext.EMPTY : McpTransportContext.create(values);
    }

    /** The token principal the filter admitted for this request. */
    static McpPrincipal principal(McpTransportContext context) {
        Object p = context.get(PRINCIPAL);
        if (p instanceof McpPrincipal principal) {
            return principal;
        }
        throw new IllegalStateException("no principal on an HTTP request; the bearer filter did not run");
    }

    @Override
    public void close() {
        try {
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            // stopping on the way out
        }
        try (var walk = Files.walk(baseDir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory: the OS cleans it
        }
    }

    /**
     * 401 with the reason unless the request carries a known bearer token; 404 for a session id
     * that this token was not given (or that ended); DELETE ends a session.
     */
    private static final class BearerFilter implements Filter {
        private final BearerTokens tokens;
        private final HttpSessions sessions;

        BearerFilter(BearerTokens tokens, HttpSessions sessions) {
            this.tokens = tokens;
            this.sessions = sessions;
        }

        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            String header = request.getHeader("Authorization");
            Optional<McpPrincipal.Token> token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? tokens.authenticate(header.substring(7).strip()) : Optional.empty();
            HttpServletResponse response = (HttpServletResponse) res;
            if (token.isEmpty()) {
                response.setHeader("WWW-Authenticate", "Bearer realm=\"afs\"");
                refuse(response, 401, header == null ? "no Authorization header; send Authorization: Bearer <token>"
                        : !header.regionMatches(true, 0, "Bearer ", 0, 7) ? "only Authorization: Bearer <token> is accepted"
                        : "the token of Authorization: Bearer is not one of tokens: in namespaces.yaml (which keeps only its sha256)");
                return;
            }
            String session = request.getHeader(HttpSessions.HEADER);
            if (session != null && !sessions.belongsTo(session, token.get())) {
                refuse(response, 404, "this Mcp-Session-Id is not a session of this token (it ended, or was never given to it);"
                        + " send initialize again without Mcp-Session-Id");
                return;
            }
            if (request.getMethod().equals("DELETE")) {
                if (session == null) {
                    refuse(response, 400, "DELETE ends a session: send its Mcp-Session-Id");
                } else {
                    sessions.end(session);
                    response.setStatus(204);
                }
                return;
            }
            request.setAttribute(PRINCIPAL, token.get());
            request.setAttribute(RESPONSE, response);
            chain.doFilter(req, res);
        }

        private static void refuse(HttpServletResponse response, int status, String why) throws IOException {
            response.setStatus(status);
            response.setContentType("application/json");
            response.getOutputStream().write(("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32001,\"message\":\""
                    + why + "\"}}\n").getBytes(StandardCharsets.UTF_8));
        }
    }
}
