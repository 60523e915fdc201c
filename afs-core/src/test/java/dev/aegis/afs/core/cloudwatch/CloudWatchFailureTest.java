package dev.aegis.afs.core.cloudwatch;

import static dev.aegis.afs.core.cloudwatch.CloudWatchFixture.ACCESS_KEY;
import static dev.aegis.afs.core.cloudwatch.CloudWatchFixture.SECRET_KEY;
import static dev.aegis.afs.core.cloudwatch.CloudWatchFixture.T0;
import static dev.aegis.afs.core.cloudwatch.CloudWatchFixture.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.query.LogQuery;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudWatchFailureTest {

    private static final String GROUP = "/aws/lambda/payment-api";

    @TempDir
    Path dir;
    private FakeCloudWatchLogs aws;
    private final List<Backend> backends = new ArrayList<>();
    private final CloudWatchFixture fixture = new CloudWatchFixture();

    @BeforeEach
    void start() throws IOException {
        aws = new FakeCloudWatchLogs();
        aws.add(GROUP, "s", T0.toEpochMilli(), "ok line");
    }

    @AfterEach
    void stop() {
        backends.forEach(Backend::close);
        aws.close();
    }

    private Backend backend(String yaml) {
        Backend b = fixture.backend(yaml, dir);
        backends.add(b);
        return b;
    }

    private LogSource<?> source(String endpoint, String extra, String groups) {
        Backend b = backend("region: eu-west-1\nendpoint: " + endpoint + "\nretries: 0\n" + extra);
        return CloudWatchFixture.stream(b, "log_groups: " + groups);
    }

    private LogSource<?> source(String extra) {
        return source(aws.endpoint(), extra, GROUP);
    }

    private AfsException failure(LogSource<?> source) {
        AfsException e = assertThrows(AfsException.class, () -> read(source, LogQuery.ALL));
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        assertFalse(trace.toString().contains(SECRET_KEY), "the secret key leaked: " + trace);
        return e;
    }

    private String host() {
        return "127.0.0.1:" + aws.endpoint().substring(aws.endpoint().lastIndexOf(':') + 1);
    }

    @Test
    void requestsAreSignedWithTheAccessKeyAndNeverCarryTheSecret() throws Exception {
        assertEquals(List.of("ok line"), read(source(""), LogQuery.ALL).lines());
        assertTrue(aws.authorizations().get(0).startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/"),
                aws.authorizations().get(0));
        assertTrue(aws.authorizations().stream().noneMatch(a -> a.contains(SECRET_KEY)));
    }

    @Test
    void anUnknownLogGroupIsABackendFailureNamingTheFix() {
        AfsException e = failure(source(aws.endpoint(), "", "/aws/lambda/nope"));
        assertEquals(AfsError.BACKEND_FAILURE, e.error());
        assertEquals("cloudwatch aws-prod (" + host() + "): HTTP 400: ResourceNotFoundException: Log group"
                + " '/aws/lambda/nope' does not exist (check log_groups)", e.getMessage());
    }

    @Test
    void http500WithABodyIsABackendFailure() {
        aws.failNext(500, "ServiceUnavailableException", "The service is unavailable\nmore detail");
        AfsException e = failure(source(""));
        assertEquals(AfsError.BACKEND_FAILURE, e.error());
        assertEquals("cloudwatch aws-prod (" + host() + "): HTTP 500: ServiceUnavailableException: The service is unavailable",
                e.getMessage());
    }

    @Test
    void theSdkRetriesAServerErrorWhenAllowed() throws Exception {
        aws.failNext(500, "ServiceUnavailableException", "try again");
        Backend b = backend("region: eu-west-1\nendpoint: " + aws.endpoint() + "\nretries: 1\n");
        assertEquals(List.of("ok line"), read(CloudWatchFixture.stream(b, "log_groups: " + GROUP), LogQuery.ALL).lines());
    }

    @Test
    void garbageJsonIsABackendFailure() {
        aws.failNextRaw(200, "application/x-amz-json-1.1", "<html>captive portal</html>");
        AfsException e = failure(source(""));
        assertEquals(AfsError.BACKEND_FAILURE, e.error());
        assertTrue(e.getMessage().startsWith("cloudwatch aws-prod (" + host() + "): unreadable response: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; check that endpoint points at CloudWatch Logs"), e.getMessage());
    }

    @Test
    void aFailedQueryIsABackendFailure() {
        aws.nextQueryEndsWith("Failed");
        AfsException e = failure(source(""));
        assertEquals("cloudwatch aws-prod (" + host() + "): Insights query q-1 ended with status Failed;"
                + " narrow the time range or the log groups and retry", e.getMessage());
    }

    @Test
    void aQueryThatNeverCompletesIsStoppedAtTheQueryTimeout() {
        aws.nextQueryEndsWith("Running");
        AfsException e = failure(source("query_timeout: 10s\npoll_interval: 2s\n"));
        assertEquals(AfsError.UNAVAILABLE, e.error());
        assertEquals("cloudwatch aws-prod (" + host() + "): Insights query q-1 did not complete within 10s;"
                + " narrow the time range or raise query_timeout for backend 'aws-prod' in namespaces.yaml", e.getMessage());
        assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofSeconds(2)), fixture.sleeps);
        assertEquals("Logs_20140328.StopQuery", aws.targets().get(aws.targets().size() - 1));
    }

    @Test
    void aRefusedConnectionIsUnavailable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        AfsException e = failure(source("http://127.0.0.1:" + port, "", GROUP));
        assertEquals(AfsError.UNAVAILABLE, e.error());
        assertEquals("cloudwatch aws-prod (127.0.0.1:" + port + "): cannot connect: Connection refused;"
                + " check the backend's region and endpoint", e.getMessage());
    }

    @Test
    void aResponseSlowerThanTheTimeoutIsUnavailable() {
        aws.delayNext(Duration.ofSeconds(5));
        AfsException e = failure(source("timeout: 300ms\n"));
        assertEquals(AfsError.UNAVAILABLE, e.error());
        assertEquals("cloudwatch aws-prod (" + host() + "): no response within 300ms; raise timeout for this backend"
                + " in namespaces.yaml", e.getMessage());
    }

    @Test
    void badOptionsNameThePositionAndTheFix() {
        assertEquals("namespaces.yaml:1:9: 'Europe' is not an AWS region; write e.g. region: eu-west-1",
                assertThrows(ConfigException.class, () -> backend("region: Europe\n")).getMessage());
        assertEquals("namespaces.yaml:2:11: 'logs.local' is not an http(s) URL; write e.g. endpoint:"
                        + " https://logs.eu-west-1.amazonaws.com",
                assertThrows(ConfigException.class, () -> backend("region: eu-west-1\nendpoint: logs.local\n")).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> backend("region: eu-west-1\nprofile: x\n")).getMessage()
                .startsWith("namespaces.yaml:2:10: unknown key 'profile'"));
        Backend b = backend("region: eu-west-1\nendpoint: " + aws.endpoint() + "\n");
        assertEquals("namespaces.yaml:1:1: missing key 'log_groups'; add 'log_groups: ...'",
                assertThrows(ConfigException.class, () -> CloudWatchFixture.stream(b, "backend: aws-prod\nwindow: 1h\n")).getMessage());
        assertEquals("namespaces.yaml:2:16: stream prefix 'prod canary' may only hold letters, digits and _-./:#",
                assertThrows(ConfigException.class,
                        () -> CloudWatchFixture.stream(b, "log_groups: [/a]\nstream_prefix: prod canary\n")).getMessage());
        assertEquals("namespaces.yaml:1:13: 'bad group!' is not a log group name; names use letters, digits and _-./#",
                assertThrows(ConfigException.class, () -> CloudWatchFixture.stream(b, "log_groups: [bad group!]\n")).getMessage());
    }
}
