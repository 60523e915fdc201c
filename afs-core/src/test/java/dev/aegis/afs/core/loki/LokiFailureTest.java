package dev.aegis.afs.core.loki;

import static dev.aegis.afs.core.loki.LokiFixture.T0;
import static dev.aegis.afs.core.loki.LokiFixture.nanos;
import static dev.aegis.afs.core.loki.LokiFixture.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.query.LogQuery;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LokiFailureTest {

    private static final String TOKEN = "s3cr3t-t0ken-value";

    @TempDir
    Path dir;
    private FakeLoki loki;
    private Backend backend;
    private final List<Duration> sleeps = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        loki = new FakeLoki();
        loki.add(Map.of("app", "payment-api"), nanos(T0), "ok line");
    }

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
        loki.close();
    }

    private LogSource<?> source(String url, String extra) {
        backend = LokiFixture.backend("url: " + url + "\nbearer_token_env: LOKI_TOKEN\n" + extra, dir,
                Map.of("LOKI_TOKEN", TOKEN), sleeps);
        return LokiFixture.stream(backend, "selector: '{app=\"payment-api\"}'");
    }

    private AfsException failure(LogSource<?> source) {
        AfsException e = assertThrows(AfsException.class, () -> read(source, LogQuery.ALL));
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        assertFalse(trace.toString().contains(TOKEN), "the token leaked: " + trace);
        return e;
    }

    private String host() {
        return "127.0.0.1:" + loki.url().substring(loki.url().lastIndexOf(':') + 1);
    }

    @Test
    void http500IsRetriedWithBackoffThenReportedWithTheFirstLineOfTheBody() {
        for (int i = 0; i < 3; i++) {
            loki.failNext(500, "too many outstanding requests\nstack trace line\n");
        }
        AfsException e = failure(source(loki.url(), "retries: 2\n"));
        assertEquals(AfsError.BACKEND_FAILURE, e.error());
        assertEquals("loki prod (" + host() + "): HTTP 500: too many outstanding requests", e.getMessage());
        assertEquals(3, loki.received().size());
        assertEquals(List.of(Duration.ofMillis(250), Duration.ofMillis(500)), sleeps);
    }

    @Test
    void aTransientFailureIsRetriedAndTheReadSucceeds() throws Exception {
        loki.failNext(503, "upstream connect error");
        assertEquals(List.of("ok line"), read(source(loki.url(), ""), LogQuery.ALL).lines());
        assertEquals(2, loki.received().size());
        assertEquals(List.of(Duration.ofMillis(250)), sleeps);
    }

    @Test
    void aRefusedQueryIsNotRetried() {
        loki.failNext(400, "parse error at line 1, col 20: syntax error: unexpected IDENTIFIER");
        AfsException e = failure(source(loki.url(), ""));
        assertEquals("loki prod (" + host() + "): HTTP 400: parse error at line 1, col 20: syntax error: unexpected IDENTIFIER"
                + " (Loki refused the query)", e.getMessage());
        assertEquals(1, loki.received().size());
    }

    @Test
    void aPerQueryCapAboveLokisOwnNamesTheOptionToLower() {
        loki.maxEntriesLimitPerQuery(1000);
        AfsException e = failure(source(loki.url(), "max_entries_per_query: 2000\n"));
        assertEquals("loki prod (" + host() + "): HTTP 400: max entries limit per query exceeded, limit >"
                + " max_entries_limit_per_query (2000 > 1000) (lower max_entries_per_query for backend 'prod' to Loki's"
                + " max_entries_limit_per_query)", e.getMessage());
    }

    @Test
    void aBodyEchoingTheTokenIsRedacted() {
        loki.failNext(401, "invalid token " + TOKEN);
        AfsException e = failure(source(loki.url(), ""));
        assertEquals("loki prod (" + host() + "): HTTP 401: invalid token *** (check the backend's credentials and tenant)",
                e.getMessage());
    }

    @Test
    void garbageJsonIsABackendFailure() {
        loki.failNext(200, "<html>login</html>");
        AfsException e = failure(source(loki.url(), "retries: 0\n"));
        assertEquals(AfsError.BACKEND_FAILURE, e.error());
        assertEquals("loki prod (" + host() + "): unreadable response (not JSON: Unexpected character ('<' (code 60)):"
                + " expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false'));"
                + " check that url points at Loki", e.getMessage());
    }

    @Test
    void anErrorStatusInsideJsonIsABackendFailure() {
        loki.failNext(200, "{\"status\":\"error\",\"error\":\"bad\"}");
        AfsException e = failure(source(loki.url(), "retries: 0\n"));
        assertEquals("loki prod (" + host() + "): response status is not success: {\"status\":\"error\",\"error\":\"bad\"}",
                e.getMessage());
    }

    @Test
    void aRefusedConnectionIsUnavailableAfterTheRetries() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        AfsException e = failure(source("http://127.0.0.1:" + port, "retries: 1\n"));
        assertEquals(AfsError.UNAVAILABLE, e.error());
        assertEquals("loki prod (127.0.0.1:" + port + "): cannot connect: Failed to connect to /127.0.0.1:" + port
                + "; check the backend's url and that Loki is running", e.getMessage());
        assertEquals(1, sleeps.size());
    }

    @Test
    void aResponseSlowerThanTheTimeoutIsUnavailable() {
        loki.delayNext(Duration.ofSeconds(5));
        AfsException e = failure(source(loki.url(), "timeout: 300ms\nretries: 0\n"));
        assertEquals(AfsError.UNAVAILABLE, e.error());
        assertEquals("loki prod (" + host() + "): no response within 300ms; raise timeout for this backend in"
                + " namespaces.yaml or narrow the query", e.getMessage());
    }
}
