package dev.aegis.afs.core.k8s;

import static dev.aegis.afs.core.k8s.K8sFixture.capture;
import static dev.aegis.afs.core.k8s.K8sFixture.names;
import static dev.aegis.afs.core.k8s.K8sFixture.walk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.tree.DirNode;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pod logs. The mock's CRUD mode does not serve logs, so each test expects the exact log call
 * (path and parameters) and answers it; a call with other parameters finds no expectation and
 * fails the read.
 */
class K8sPodLogsTest {

    private static final String LOG = "/api/v1/namespaces/payments/pods/payment-api-1/log";
    private static final List<String> STAMPED = List.of(
            "2026-11-21T20:10:00.000000001Z starting payment-api 1.4.2",
            "2026-11-21T20:20:00.500Z GET /health 200",
            "2026-11-21T20:30:00Z ERROR OOM while allocating buffer",
            "2026-11-21T20:40:00Z WARN retrying db connection",
            "2026-11-21T20:50:00Z error: oom-killer invoked",
            "2026-11-21T20:59:00Z GET /pay 500 Out Of Memory");
    private static final List<String> PLAIN = STAMPED.stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList();
    /** As served by default: the kubelet's time re-printed with milliseconds (or finer), as kubectl logs --timestamps. */
    private static final List<String> SERVED = List.of(
            "2026-11-21T20:10:00.000000001Z starting payment-api 1.4.2",
            "2026-11-21T20:20:00.500Z GET /health 200",
            "2026-11-21T20:30:00.000Z ERROR OOM while allocating buffer",
            "2026-11-21T20:40:00.000Z WARN retrying db connection",
            "2026-11-21T20:50:00.000Z error: oom-killer invoked",
            "2026-11-21T20:59:00.000Z GET /pay 500 Out Of Memory");

    @TempDir
    Path dir;
    K8sFixture k8s;
    DirNode root;

    @BeforeEach
    void start() throws Exception {
        k8s = new K8sFixture(dir);
        Cluster.create(k8s.client);
        root = k8s.section();
    }

    @AfterEach
    void stop() {
        k8s.close();
    }

    private void serveLog(String query, List<String> lines) {
        k8s.server.expect().get().withPath(LOG + "?" + query)
                .andReturn(200, lines.stream().map(l -> l + "\n").collect(Collectors.joining())).always();
    }

    private EvidenceRecord read(String file) throws AfsException {
        return capture(walk(root, "pods", "payment-api-1", "logs", file));
    }

    private static List<String> lines(EvidenceRecord record) throws Exception {
        return Files.readAllLines(record.file(), StandardCharsets.UTF_8);
    }

    @Test
    void tailIsPushedAsTailLines() throws Exception {
        serveLog("container=api&tailLines=2&timestamps=true", STAMPED.subList(4, 6));
        EvidenceRecord record = read("api.log?tail=2");
        assertEquals(SERVED.subList(4, 6), lines(record));
        assertEquals("GET " + LOG + "?container=api&tailLines=2&timestamps=true", record.query());
        assertEquals("kubernetes:cluster", record.backend());
        assertEquals("/teams/payments/prod/k8s/pods/payment-api-1/logs/api.log?tail=2", record.source());
        assertTrue(k8s.requests().contains(LOG + "?container=api&tailLines=2&timestamps=true"));
    }

    @Test
    void sinceIsSinceTimeOnTheInjectedClock() throws Exception {
        serveLog("container=api&sinceTime=2026-11-21T20:00:00Z&tailLines=50&timestamps=true", STAMPED);
        EvidenceRecord record = read("api.log?since=1h&tail=50");
        assertEquals(SERVED, lines(record));
        assertEquals("GET " + LOG + "?container=api&sinceTime=2026-11-21T20:00:00Z&tailLines=50&timestamps=true",
                record.query());
    }

    @Test
    void grepRunsLocallyAndMatchesGnuGrep() throws Exception {
        serveLog("container=api", PLAIN);
        EvidenceRecord grep = read("api.log?raw=1&grep=OOM");
        assertEquals(gnu(PLAIN, "grep", "-e", "OOM"), lines(grep));
        assertEquals("GET " + LOG + "?container=api | grep -e 'OOM'", grep.query());

        // The tail comes after a local grep, so it cannot be pushed: both run here.
        EvidenceRecord tail = read("api.log?raw=1&grep-i=oom&tail=2");
        assertEquals(gnu(gnu(PLAIN, "grep", "-i", "-e", "oom"), "tail", "-n", "2"), lines(tail));
        assertEquals(2, lines(tail).size());
        assertTrue(k8s.requests().stream().filter(p -> p.startsWith(LOG)).allMatch(p -> p.equals(LOG + "?container=api")));

        // Served with times, grep sees the time too, as on `kubectl logs --timestamps | grep`.
        serveLog("container=api&timestamps=true", STAMPED);
        EvidenceRecord stamped = read("api.log?grep=^2026-11-21T20:[34]");
        assertEquals(gnu(SERVED, "grep", "-e", "^2026-11-21T20:[34]"), lines(stamped));
        assertEquals(SERVED.subList(2, 4), lines(stamped));
    }

    @Test
    void previousLogWithTimestamps() throws Exception {
        serveLog("container=api&previous=true&tailLines=3&timestamps=true", STAMPED.subList(3, 6));
        EvidenceRecord record = read("api.previous.log?timestamps=true&tail=3");
        assertEquals(SERVED.subList(3, 6), lines(record));
        assertEquals("GET " + LOG + "?container=api&previous=true&tailLines=3&timestamps=true", record.query());
    }

    @Test
    void fractionalStartIsCheckedLocallyOnLineTimes() throws Exception {
        // The API takes whole seconds: the call asks from 20:20:00 with timestamps, the line at
        // 20:20:00.5 is dropped here, and the stamps are removed since the reader did not ask.
        serveLog("container=api&sinceTime=2026-11-21T20:20:00Z&timestamps=true", STAMPED.subList(1, 6));
        EvidenceRecord record = read("api.log?from=2026-11-21T20:20:00.700Z&raw=1");
        assertEquals(PLAIN.subList(2, 6), lines(record));
        assertEquals(SERVED.subList(2, 6), lines(read("api.log?from=2026-11-21T20:20:00.700Z")));
    }

    @Test
    void unknownContainerNamesTheContainers() throws Exception {
        AfsException e = assertThrows(AfsException.class, () -> read("db.log"));
        assertEquals(AfsError.NOT_FOUND, e.error());
        assertTrue(e.getMessage().endsWith("pod payment-api-1 has no container 'db' (containers: api, sidecar)"),
                e.getMessage());
        AfsException bad = assertThrows(AfsException.class, () -> read("api.log?tail=ten"));
        assertEquals(AfsError.INVALID_QUERY, bad.error());
        AfsException stamp = assertThrows(AfsException.class, () -> read("api.log?timestamps=yes"));
        assertTrue(stamp.getMessage().contains("write timestamps=true or timestamps=false"), stamp.getMessage());
    }

    @Test
    void apiRefusalOfAPreviousLogIsABackendFailure() throws Exception {
        k8s.server.expect().get().withPath(LOG + "?container=sidecar&previous=true&timestamps=true").andReturn(400,
                "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"BadRequest\",\"code\":400,\"message\":"
                        + "\"previous terminated container \\\"sidecar\\\" in pod \\\"payment-api-1\\\" not found\"}")
                .always();
        AfsException e = assertThrows(AfsException.class, () -> read("sidecar.previous.log"));
        assertEquals(AfsError.BACKEND_FAILURE, e.error(), e.getMessage());
        assertTrue(e.getMessage().contains("400 BadRequest: previous terminated container \"sidecar\" in pod"
                + " \"payment-api-1\" not found"), e.getMessage());
        assertEquals(List.of("api.log", "api.previous.log", "sidecar.log"),
                names((DirNode) walk(root, "pods", "payment-api-1", "logs")));
    }

    /** Runs a GNU tool over {@code input} and returns its output lines: the reference. */
    private static List<String> gnu(List<String> input, String... command) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/" + command[0])) || Files.isExecutable(Path.of("/bin/" + command[0])),
                command[0] + " is not installed");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
            try {
                return process.getInputStream().readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (OutputStream in = process.getOutputStream()) {
            for (String line : input) {
                in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        process.waitFor();
        List<String> out = new ArrayList<>(new String(output.get(), StandardCharsets.UTF_8).lines().toList());
        return out;
    }
}
