package dev.aegis.afs.core.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.prometheus.RecordingCaptures;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.EnvContext;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.TreeReads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The traces tree against a real Zipkin server holding {@link ShopTraces}: the graph, the
 * listings with their terms pushed down (the evidence names the exact request), the span trees
 * and JSON, and the errors a reader gets.
 */
class RealZipkinTest {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final long END = NOW.toEpochMilli();

    private static LocalZipkin zipkin;
    private static Path evidence;
    private static DirNode traces;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(LocalZipkin.jar().isPresent(), "the zipkin-server exec jar is not on the test classpath");
        zipkin = LocalZipkin.start();
        zipkin.post(ShopTraces.json(NOW));
        evidence = Files.createTempDirectory("afs-zipkin-evidence-");
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        Backend backend = new ZipkinBackendType().create("zipkin-prod", ConfigReader.parse("namespaces.yaml",
                "type: zipkin\nurl: " + zipkin.url() + "\ntimeout: 20s\n"), BackendContext.system(evidence));
        EnvContext env = new EnvContext("payments", "prod", "/teams/payments/prod", Map.of("zipkin-prod", backend),
                Map.of(), new RecordingCaptures(evidence, clock), clock, evidence);
        traces = new TracesSection().directory(env, ConfigReader.parse("namespaces.yaml", "backend: zipkin-prod\n"));
        awaitIndexed();
    }

    /** Zipkin stores posted spans asynchronously: wait until all three traces are searchable. */
    private static void awaitIndexed() throws Exception {
        for (int i = 0; i < 100; i++) {
            if (read("frontend/traces.log").lines().count() == 3) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("zipkin never listed the three frontend traces");
    }

    @AfterAll
    static void stop() throws Exception {
        if (zipkin != null) {
            zipkin.close();
        }
        if (evidence != null) {
            try (var walk = Files.walk(evidence)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    p.toFile().setWritable(true);
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static Node resolve(String path) throws AfsException {
        return TreeReads.resolve(traces, path);
    }

    private static EvidenceRecord capture(String path) throws AfsException {
        return TreeReads.capture(traces, path);
    }

    private static String read(String path) throws Exception {
        return TreeReads.read(traces, path);
    }

    @Test
    void theGraphShowsWhoCallsWhomWithCallsAndErrors() throws Exception {
        assertEquals("""
                checkout -> payment-api calls=2 errors=0 error_rate=0.000
                frontend -> checkout calls=2 errors=0 error_rate=0.000
                frontend -> payment-api calls=1 errors=1 error_rate=1.000
                payment-api -> ledger calls=1 errors=0 error_rate=0.000
                """, read("graph"));
        assertEquals("GET /api/v2/dependencies?endTs=" + END + "&lookback=3600000", capture("graph").query());
    }

    @Test
    void lsListsTheGraphAndEveryService() throws Exception {
        assertEquals(List.of("graph", "checkout", "frontend", "ledger", "payment-api"),
                traces.list(Caller.self()).stream().map(Node::name).toList());
    }

    @Test
    void errorTracesArePushedDownAndListedWithTheirRoot() throws Exception {
        String path = "payment-api/traces.log?status=error&since=1h";
        assertEquals(ts(-300_000_000L) + " " + ShopTraces.FAILED_PAY
                + " 150.000ms error spans=3 services=frontend,payment-api frontend get /pay\n", read(path));
        EvidenceRecord r = capture(path);
        assertEquals("GET /api/v2/traces?serviceName=payment-api&annotationQuery=error&endTs=" + END
                + "&lookback=3600000&limit=20", r.query());
        assertEquals("zipkin:zipkin-prod", r.backend());
    }

    @Test
    void durationAndTailArePushedAndTheNewestComeOldestFirst() throws Exception {
        assertEquals(ts(-120_000_000L) + " " + ShopTraces.SLOW_CHECKOUT
                + " 1200.000ms ok spans=5 services=checkout,frontend,payment-api frontend get /checkout\n",
                read("checkout/traces.log?min-duration=1s"));
        String two = read("frontend/traces.log?tail=2");
        assertEquals(List.of(ShopTraces.FAILED_PAY, ShopTraces.SLOW_CHECKOUT),
                two.lines().map(l -> l.split(" ")[1]).toList());
        assertTrue(capture("frontend/traces.log?tail=2").query().endsWith("&limit=2"));
    }

    @Test
    void aGrepRunsLocallyOnTheLineAndKeepsTheTailLocal() throws Exception {
        String path = "frontend/traces.log?grep=ledger&tail=1";
        assertEquals(List.of(ShopTraces.CHECKOUT), read(path).lines().map(l -> l.split(" ")[1]).toList());
        assertEquals("GET /api/v2/traces?serviceName=frontend&endTs=" + END + "&lookback=3600000&limit=1000"
                + " | local: grep -e 'ledger' | tail -n 1", capture(path).query());
    }

    @Test
    void aTraceReadsAsASpanTree() throws Exception {
        assertEquals("trace " + ShopTraces.CHECKOUT + " start " + ts(-600_000_000L) + " duration 300.000ms spans 7 ok\n"
                + "frontend get /checkout [SERVER] +0.000ms 300.000ms\n"
                + "  frontend post /checkout [CLIENT] +5.000ms 280.000ms -> checkout\n"
                + "    checkout post /checkout [SERVER] +6.000ms 270.000ms\n"
                + "      checkout charge [CLIENT] +10.000ms 200.000ms -> payment-api\n"
                + "        payment-api charge [SERVER] +12.000ms 190.000ms\n"
                + "          payment-api append [CLIENT] +20.000ms 50.000ms -> ledger\n"
                + "            ledger append [SERVER] +21.000ms 48.000ms\n",
                read("frontend/" + ShopTraces.CHECKOUT + ".txt"));
        String json = read("payment-api/" + ShopTraces.FAILED_PAY + ".json");
        assertTrue(json.contains("\"error\" : \"db pool exhausted\""), json);
        assertEquals("GET /api/v2/trace/" + ShopTraces.FAILED_PAY,
                capture("payment-api/" + ShopTraces.FAILED_PAY + ".json").query());
    }

    @Test
    void lsOfAServiceWithTermsListsTheTracesOfThatSearch() throws Exception {
        assertEquals(List.of("traces.log", ShopTraces.FAILED_PAY + ".txt", ShopTraces.FAILED_PAY + ".json"),
                ((DirNode) resolve("frontend?status=error")).list(Caller.self()).stream().map(Node::name).toList());
    }

    @Test
    void mistakesAreExplained() {
        AfsException unknown = assertThrows(AfsException.class, () -> resolve("billing"));
        assertEquals(AfsError.NOT_FOUND, unknown.error());
        assertTrue(unknown.getMessage().contains("no such service in zipkin:zipkin-prod"), unknown.getMessage());
        AfsException bad = assertThrows(AfsException.class, () -> resolve("frontend/traces.log?status=ok"));
        assertEquals(AfsError.INVALID_QUERY, bad.error());
        AfsException missing = assertThrows(AfsException.class, () -> capture("frontend/00000000000000ff.txt"));
        assertEquals(AfsError.NOT_FOUND, missing.error());
        assertTrue(missing.getMessage().contains("has no trace 00000000000000ff"), missing.getMessage());
    }

    private static String ts(long offsetMicros) {
        Instant t = NOW.plusNanos(offsetMicros * 1000);
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC).format(t);
    }
}
