package dev.aegis.afs.core.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.query.promql.PrometheusQuery;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures and the wire format against a scripted HTTP server. */
class PrometheusClientTest {

    private static final String SECRET = "s3cret-token-value";
    private static final PrometheusQuery QUERY = new PrometheusQuery(PrometheusQuery.Endpoint.QUERY_RANGE, List.of(
            new PrometheusQuery.Param("query", "rate(x{path=\"a&b c\\\"\"}[5m])"),
            new PrometheusQuery.Param("start", "2025-12-31T23:00:00Z"),
            new PrometheusQuery.Param("end", "2026-01-01T00:00:00Z"),
            new PrometheusQuery.Param("step", "30s")));

    @TempDir
    Path dir;

    private ScriptedServer server;
    private final List<Duration> sleeps = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new ScriptedServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private PrometheusBackend backend(String extra) {
        return backend(server.url(), extra, Map.of());
    }

    private PrometheusBackend backend(String url, String extra, Map<String, String> env) {
        return (PrometheusBackend) new PrometheusBackendType(sleeps::add).create("prom",
                ConfigReader.parse("namespaces.yaml", "type: prometheus\nurl: " + url + "\n" + extra),
                new BackendContext(dir, Clock.systemUTC(), env::get));
    }

    private String where() {
        return "prometheus prom (127.0.0.1:" + server.port() + "): ";
    }

    @Test
    void sendsTheQueryEncodedToTheApiPathAndReadsTheMatrix() throws Exception {
        server.reply(200, """
                {"status":"success","data":{"resultType":"matrix","result":[
                  {"metric":{"__name__":"x","path":"a&b c\\""},"values":[[1767222000,"1"],[1767222030.5,"NaN"]]}]},
                 "warnings":["careful"]}""");
        QueryResult result = backend("").client().query(QUERY);
        ScriptedServer.Received r = server.received().get(0);
        assertEquals("/api/v1/query_range", r.path());
        assertEquals(Map.of("query", "rate(x{path=\"a&b c\\\"\"}[5m])", "start", "2025-12-31T23:00:00Z",
                "end", "2026-01-01T00:00:00Z", "step", "30s"), r.params());
        assertEquals(null, r.authorization());
        assertEquals(List.of(new Series(Map.of("__name__", "x", "path", "a&b c\""),
                List.of(new Series.Sample(1767222000000L, "1"), new Series.Sample(1767222030500L, "NaN")))), result.series());
        assertEquals(List.of("careful"), result.warnings());
        assertEquals("x{path=\"a&b c\\\"\"}", result.series().get(0).text());
    }

    @Test
    void aUrlPathPrefixIsKept() throws Exception {
        server.reply(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1767222000,\"2\"]}}");
        QueryResult result = backend(server.url() + "/prom/", "", Map.of()).client().query(QUERY);
        assertEquals("/prom/api/v1/query_range", server.received().get(0).path());
        assertEquals("{}", result.series().get(0).text());
    }

    @Test
    void badRequestShowsPrometheusErrorAndIsNotRetried() {
        server.reply(400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter \\\"query\\\":"
                + " 1:6: parse error: unexpected end of input\"}");
        AfsException e = assertThrows(AfsException.class, () -> backend("").client().query(QUERY));
        assertEquals(AfsError.BACKEND_FAILURE, e.error());
        assertEquals(where() + "HTTP 400: bad_data: invalid parameter \"query\": 1:6: parse error: unexpected end of input",
                e.getMessage());
        assertEquals(1, server.received().size());
        assertEquals(List.of(), sleeps);
    }

    @Test
    void serverErrorsAreRetriedWithBackoffThenShown() {
        server.reply(500, "<html>\n<body>oops</body></html>").reply(502, "bad gateway").reply(503, "{\"status\":\"error\","
                + "\"errorType\":\"timeout\",\"error\":\"query timed out in expression evaluation\"}");
        AfsException e = assertThrows(AfsException.class, () -> backend("").client().query(QUERY));
        assertEquals(AfsError.BACKEND_FAILURE, e.error());
        assertEquals(where() + "HTTP 503: timeout: query timed out in expression evaluation (after 3 attempts)",
                e.getMessage());
        assertEquals(3, server.received().size());
        assertEquals(List.of(Duration.ofMillis(250), Duration.ofMillis(500)), sleeps);
    }

    @Test
    void garbageFromAFailingServerShowsItsFirstLine() {
        server.reply(500, "<html>\n<body>oops</body></html>");
        AfsException e = assertThrows(AfsException.class, () -> backend("retries: 0").client().query(QUERY));
        assertEquals(where() + "HTTP 500: <html>", e.getMessage());
    }

    @Test
    void aRetrySucceedsAfterATransientFailure() throws Exception {
        server.reply(503, "").reply(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
        QueryResult result = backend("").client().query(QUERY);
        assertEquals(List.of(), result.series());
        assertEquals(List.of(Duration.ofMillis(250)), sleeps);
    }

    @Test
    void garbageWithStatus200IsABackendFailure() {
        server.reply(200, "<html>not prometheus</html>");
        AfsException e = assertThrows(AfsException.class, () -> backend("").client().query(QUERY));
        assertEquals(AfsError.BACKEND_FAILURE, e.error());
        assertTrue(e.getMessage().startsWith(where() + "HTTP 200 but the body is not a Prometheus API response: not JSON"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; check that url points at Prometheus (/api/v1/... is appended to it)"));
        assertEquals(1, server.received().size());
    }

    @Test
    void wrongShapeIsABackendFailure() {
        server.reply(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
                + "\"values\":[[1,2]]}]}}");
        AfsException e = assertThrows(AfsException.class, () -> backend("").client().query(QUERY));
        assertEquals(where() + "HTTP 200 but the body is not a Prometheus API response: a sample is not [time, \"value\"];"
                + " check that url points at Prometheus (/api/v1/... is appended to it)", e.getMessage());
    }

    @Test
    void timeoutsAreRetriedThenReportedUnavailable() {
        server.hang().hang();
        AfsException e = assertThrows(AfsException.class,
                () -> backend("timeout: 300ms\nretries: 1").client().query(QUERY));
        assertEquals(AfsError.UNAVAILABLE, e.error());
        assertEquals(where() + "no response within 300ms; raise the backend's timeout or read a shorter window"
                + " (after 2 attempts)", e.getMessage());
        assertEquals(List.of(Duration.ofMillis(250)), sleeps);
    }

    @Test
    void refusedConnectionIsUnavailable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        AfsException e = assertThrows(AfsException.class,
                () -> backend("http://127.0.0.1:" + port, "retries: 0", Map.of()).client().query(QUERY));
        assertEquals(AfsError.UNAVAILABLE, e.error());
        assertTrue(e.getMessage().startsWith("prometheus prom (127.0.0.1:" + port + "): cannot connect: "), e.getMessage());
    }

    @Test
    void bearerTokenFromTheEnvironmentIsSentButNeverShown() {
        server.reply(401, "{\"status\":\"error\",\"errorType\":\"unauthorized\",\"error\":\"bad token\"}");
        AfsException e = assertThrows(AfsException.class, () -> backend(server.url(), "bearer_token_env: PROM_TOKEN",
                Map.of("PROM_TOKEN", SECRET + "\n")).client().query(QUERY));
        assertEquals("Bearer " + SECRET, server.received().get(0).authorization());
        assertEquals(where() + "HTTP 401: unauthorized: bad token; check the backend's bearer_token_* or username and"
                + " password_*", e.getMessage());
        assertFalse(e.getMessage().contains(SECRET));
    }

    @Test
    void echoedSecretsAreRedacted() {
        server.reply(403, "{\"status\":\"error\",\"errorType\":\"forbidden\",\"error\":\"token " + SECRET
                + " may not read; header was Bearer " + SECRET + "\"}");
        AfsException e = assertThrows(AfsException.class, () -> backend(server.url(), "bearer_token_env: PROM_TOKEN",
                Map.of("PROM_TOKEN", SECRET)).client().query(QUERY));
        assertEquals(where() + "HTTP 403: forbidden: token <redacted> may not read; header was <redacted>; check the"
                + " backend's bearer_token_* or username and password_*", e.getMessage());
    }

    @Test
    void basicAuthReadsThePasswordFileOnEveryRequest() throws Exception {
        Path password = dir.resolve("password");
        Files.writeString(password, "first\n");
        PrometheusBackend backend = backend(server.url(), "username: reader\npassword_file: password", Map.of());
        String ok = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
        server.reply(200, ok).reply(200, ok);
        backend.client().query(QUERY);
        Files.writeString(password, "second");
        backend.client().query(QUERY);
        assertEquals(List.of(okhttp3.Credentials.basic("reader", "first"), okhttp3.Credentials.basic("reader", "second")),
                server.received().stream().map(ScriptedServer.Received::authorization).toList());
    }
}
