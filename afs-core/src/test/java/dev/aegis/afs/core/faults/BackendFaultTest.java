package dev.aegis.afs.core.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.access.UnixAccounts;
import dev.aegis.afs.core.faults.FaultyServer.Fault;
import dev.aegis.afs.core.source.BackendTypes;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.OpenFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every HTTP backend, through one {@link Afs} with a healthy file stream beside it, against a
 * server that misbehaves (timeout, 5xx, reset mid-body, garbage JSON, slow drip). The read fails
 * with BACKEND_FAILURE or UNAVAILABLE and a reason naming the backend and the host (and the
 * status for 5xx); it returns (the JUnit timeout is generous, not a speed assertion); a read of
 * the healthy stream made while the faulty one is stuck succeeds. A backend type not yet in
 * {@link BackendTypes} is skipped.
 */
class BackendFaultTest {

    private static final Caller ALICE = new Caller(1000, 1000, 42);
    private static final String HEALTHY_LINE = "2026-11-21T11:59:00Z INFO healthy stream line";

    /** One backend type: its backends: section, its env section and the file to read. */
    record Target(String type, String backendYaml, String envYaml, String path) {
        @Override
        public String toString() {
            return type;
        }
    }

    private static final List<Target> TARGETS = List.of(
            new Target("prometheus",
                    "{type: prometheus, url: '%s', timeout: 1s, retries: 0, cache_ttl: 0s}",
                    "metrics: {backend: faulty, series: {requests: up}}",
                    "/teams/payments/prod/metrics/requests.prom"),
            new Target("loki",
                    "{type: loki, url: '%s', timeout: 1s, retries: 0, cache_ttl: 0s}",
                    "logs: {api: {backend: local, path: api.log}, remote: {backend: faulty, selector: '{app=\"api\"}'}}",
                    "/teams/payments/prod/logs/remote.log"),
            new Target("cloudwatch",
                    "{type: cloudwatch, region: us-east-1, endpoint: '%s', timeout: 1s, query_timeout: 3s,"
                            + " poll_interval: 100ms, retries: 0, cache_ttl: 0s}",
                    "logs: {api: {backend: local, path: api.log}, remote: {backend: faulty, log_groups: [/aws/api]}}",
                    "/teams/payments/prod/logs/remote.log"));

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Target t : TARGETS) {
            for (Fault f : Fault.values()) {
                out.add(Arguments.of(t, f));
            }
        }
        return out.stream();
    }

    @TempDir
    Path dir;
    private FaultyServer server;
    private Afs afs;

    @AfterEach
    void stop() {
        if (afs != null) {
            afs.close();
        }
        if (server != null) {
            server.close();
        }
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    private Afs load(Target target) throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("logs/api.log"), HEALTHY_LINE + "\n");
        String env = target.envYaml().startsWith("logs:") ? target.envYaml()
                : "logs: {api: {backend: local, path: api.log}}\n      " + target.envYaml();
        Path config = dir.resolve("namespaces.yaml");
        Files.writeString(config, """
                evidence: {dir: evidence}
                backends:
                  local: {type: file, root: logs, cache_ttl: 0s}
                  faulty: %s
                teams:
                  payments:
                    prod:
                      access: {read: ["uid:1000"]}
                      %s
                """.formatted(target.backendYaml().formatted(server.url()), env));
        // CloudWatch takes credentials from the SDK's default chain; give it dummy ones.
        System.setProperty("aws.accessKeyId", "AKIAFAULTTESTKEY0000");
        System.setProperty("aws.secretAccessKey", "fault-test-secret");
        return Afs.load(config, Clock.systemUTC(), Map.<String, String>of()::get, UnixAccounts.system(), List.of());
    }

    static String read(Node node) throws Exception {
        try (OpenFile file = ((FileNode) node).open(ALICE)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.max(file.size(), 1));
            int n = file.read(0, buffer);
            return new String(buffer.array(), 0, Math.max(n, 0), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFaultyBackendFailsTheReadWithAReasonAndLeavesOtherStreamsReadable(Target target, Fault fault)
            throws Exception {
        assumeTrue(BackendTypes.find(target.type()).isPresent(), target.type() + " is not registered in BackendTypes yet");
        server = new FaultyServer(fault);
        afs = load(target);
        CompletableFuture<Throwable> faulty = CompletableFuture.supplyAsync(() -> {
            try {
                read(afs.resolve(target.path(), ALICE));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        assertTrue(server.awaitRequest(30), target.type() + " never sent a request to the server");

        // While the faulty read is in flight (or just done), the healthy stream reads normally.
        assertEquals(HEALTHY_LINE + "\n", read(afs.resolve("/teams/payments/prod/logs/api.log", ALICE)));

        Throwable thrown;
        try {
            thrown = faulty.get(50, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            thrown = e.getCause();
        }
        if (!(thrown instanceof AfsException e)) {
            throw new AssertionError("the read of a " + fault + " response did not fail with an AfsException but "
                    + thrown, thrown);
        }
        assertTrue(e.error() == AfsError.BACKEND_FAILURE || e.error() == AfsError.UNAVAILABLE,
                () -> fault + " gave " + e.error() + ": " + e.getMessage());
        String reason = e.getMessage();
        assertTrue(reason.contains("faulty"), () -> "the reason does not name the backend: " + reason);
        assertTrue(reason.contains(server.host()) || reason.contains("127.0.0.1"),
                () -> "the reason does not name the host: " + reason);
        if (fault == Fault.HTTP_500) {
            assertTrue(reason.contains("500"), () -> "the reason does not name the status: " + reason);
        }
        assertFalse(reason.contains("fault-test-secret"), reason);
        assertFalse(reason.contains("second line of the trace"), () -> "the reason holds the whole body: " + reason);

        // The failure is journalled for /.afs/errors? The healthy stream still reads after it.
        assertEquals(HEALTHY_LINE + "\n", read(afs.resolve("/teams/payments/prod/logs/api.log", ALICE)));
    }
}
