package dev.aegis.afs.core.loki;

import static dev.aegis.afs.core.loki.LokiFixture.T0;
import static dev.aegis.afs.core.loki.LokiFixture.nanos;
import static dev.aegis.afs.core.loki.LokiFixture.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.query.LogQuery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LokiBackendTypeTest {

    @TempDir
    Path dir;
    private FakeLoki loki;
    private final List<Backend> backends = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        loki = new FakeLoki();
        loki.add(Map.of("app", "payment-api"), nanos(T0), "ok line");
    }

    @AfterEach
    void stop() {
        backends.forEach(Backend::close);
        loki.close();
    }

    private Backend backend(String yaml, Map<String, String> env) {
        Backend b = LokiFixture.backend(yaml, dir, env, new ArrayList<>());
        backends.add(b);
        return b;
    }

    private String configError(String yaml, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> backend(yaml, env)).getMessage();
    }

    @Test
    void bearerTokenFromAFileAndTheTenantAreSent() throws Exception {
        Files.writeString(dir.resolve("token"), "tok-from-file\n");
        loki.requireAuthorization("Bearer tok-from-file");
        Backend b = backend("type: loki\nurl: " + loki.url() + "\ntenant: team-a\nbearer_token_file: token\n", Map.of());
        assertEquals(List.of("ok line"), read(LokiFixture.stream(b, "selector: '{app=\"payment-api\"}'"), LogQuery.ALL).lines());
        assertEquals("team-a", loki.received().get(0).tenant());
    }

    @Test
    void basicAuthFromAnEnvironmentVariable() throws Exception {
        String expected = "Basic " + Base64.getEncoder().encodeToString("ops:pa ss".getBytes());
        loki.requireAuthorization(expected);
        Backend b = backend("url: " + loki.url() + "\nusername: ops\npassword_env: LOKI_PW\n", Map.of("LOKI_PW", "pa ss"));
        assertEquals(List.of("ok line"), read(LokiFixture.stream(b, "selector: '{app=\"payment-api\"}'"), LogQuery.ALL).lines());
        assertFalse(b.toString().contains("pa ss"));
    }

    @Test
    void badOptionsNameThePositionAndTheFix() {
        assertEquals("namespaces.yaml:2:9: unknown key 'tenent'; did you mean 'tenant'? (allowed here: bearer_token_env,"
                + " bearer_token_file, lookback, max_entries, max_entries_per_query, password_env, password_file, retries,"
                + " tenant, timeout, type, url, username)", configError("url: http://x\ntenent: a\n", Map.of()));
        assertEquals("namespaces.yaml:1:1: missing key 'url'; add 'url: ...'", configError("tenant: a\n", Map.of()));
        assertEquals("namespaces.yaml:1:6: 'ftp:/x' is not an http(s) URL; write e.g. url: http://loki:3100",
                configError("url: ftp:/x\n", Map.of()));
        assertEquals("namespaces.yaml:2:19: environment variable LOKI_TOKEN is not set; export it before mounting",
                configError("url: http://x\nbearer_token_env: LOKI_TOKEN\n", Map.of()));
        assertEquals("namespaces.yaml:1:1: both a bearer token and a username/password are set; keep one way to authenticate",
                configError("url: http://x\nbearer_token_env: T\nusername: u\npassword_env: P\n", Map.of("T", "t", "P", "p")));
        assertEquals("namespaces.yaml:1:1: set exactly one of password_file and password_env",
                configError("url: http://x\nusername: u\n", Map.of()));
    }

    @Test
    void aMissingTokenFileNamesThePathButNoContent() {
        String message = configError("url: http://x\nbearer_token_file: nope/token\n", Map.of());
        assertEquals("namespaces.yaml:2:20: cannot read bearer_token_file " + dir.resolve("nope/token")
                + " (NoSuchFileException); check the path (relative paths are resolved against the config file's directory)",
                message);
    }

    @Test
    void badStreamOptionsNameThePosition() {
        Backend b = backend("url: " + loki.url() + "\n", Map.of());
        assertEquals("namespaces.yaml:1:11: 'app=\"x\"' is not a LogQL stream selector; write label matchers in braces,"
                        + " e.g. {app=\"payment-api\",env=\"prod\"}",
                assertThrows(ConfigException.class, () -> LokiFixture.stream(b, "selector: 'app=\"x\"'")).getMessage());
        assertEquals("namespaces.yaml:1:1: missing key 'selector'; add 'selector: ...'",
                assertThrows(ConfigException.class, () -> LokiFixture.stream(b, "backend: prod\nwindow: 1h\n")).getMessage());
    }
}
