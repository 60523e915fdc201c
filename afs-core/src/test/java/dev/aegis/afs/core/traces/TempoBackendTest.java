package dev.aegis.afs.core.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.TreeReads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The traces tree on a {@code type: tempo} backend against {@link FakeTempo}: terms pushed down
 * as one TraceQL spanset with the window in whole seconds (the fake asserts the request by
 * evaluating it), span trees and Tempo's JSON, the graph from the service graph metrics, and
 * Tempo's own errors named.
 */
class TempoBackendTest {

    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00.250Z");
    private static final long NOW_NANOS = NOW.getEpochSecond() * 1_000_000_000L + NOW.getNano();
    /** Trace ids with leading zeros: Tempo's search drops them, the tree shows all 32 digits. */
    static final String CHECKOUT = "00000000000000000000000000000a01";
    static final String FAILED_PAY = "00000000000000000000000000000b02";
    static final String SLOW_CHECKOUT = "00000000000000000000000000000c03";

    private FakeTempo tempo;
    private Path evidence;
    private DirNode traces;

    /** frontend -> checkout -> payment-api -> ledger, and frontend -> payment-api, failing. */
    static List<FakeTempo.FakeSpan> shop(long nowNanos) {
        List<FakeTempo.FakeSpan> out = new ArrayList<>();
        long a = nowNanos - 600_000_000_000L;
        out.add(span(CHECKOUT, "a1", "", "frontend", "get /checkout", "SERVER", a, 300, null));
        out.add(span(CHECKOUT, "a2", "a1", "checkout", "post /checkout", "SERVER", a + 6, 270, null));
        out.add(span(CHECKOUT, "a3", "a2", "payment-api", "charge", "SERVER", a + 12, 190, null));
        out.add(span(CHECKOUT, "a4", "a3", "ledger", "append", "SERVER", a + 21, 48, null));
        long f = nowNanos - 300_000_000_000L;
        out.add(span(FAILED_PAY, "b1", "", "frontend", "get /pay", "SERVER", f, 150, "upstream 500"));
        out.add(span(FAILED_PAY, "b2", "b1", "payment-api", "charge", "SERVER", f + 2, 90, "db pool exhausted"));
        long s = nowNanos - 120_000_000_000L;
        out.add(span(SLOW_CHECKOUT, "c1", "", "frontend", "get /checkout", "SERVER", s, 1200, null));
        out.add(span(SLOW_CHECKOUT, "c2", "c1", "checkout", "post /checkout", "SERVER", s + 6, 1090, null));
        out.add(span(SLOW_CHECKOUT, "c3", "c2", "payment-api", "charge", "SERVER", s + 12, 990, null));
        return out;
    }

    /** Offsets and durations in milliseconds. */
    private static FakeTempo.FakeSpan span(String trace, String id, String parent, String service, String name, String kind,
                                           long startPlusMillis, long millis, String error) {
        long base = startPlusMillis; // the trace start plus small millisecond offsets
        return new FakeTempo.FakeSpan(trace, "00000000000000" + id, parent.isEmpty() ? "" : "00000000000000" + parent,
                service, name, kind, startNanos(base), millis * 1_000_000L, error);
    }

    /** A trace start in nanoseconds with small offsets added as milliseconds (the offsets are under 10^6). */
    private static long startNanos(long startPlusMillis) {
        long offset = Math.floorMod(startPlusMillis, 1_000_000L);
        return startPlusMillis - offset + offset * 1_000_000L;
    }

    @BeforeEach
    void start() throws Exception {
        tempo = new FakeTempo().add(shop(NOW_NANOS));
        evidence = Files.createTempDirectory("afs-tempo-evidence-");
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        Backend backend = new TempoBackendType(d -> { }).create("tempo-prod", ConfigReader.parse("namespaces.yaml",
                "type: tempo\nurl: " + tempo.url() + "\nretries: 0\nservice_graph: {url: " + tempo.url() + "}\n"),
                BackendContext.system(evidence));
        EnvContext env = new EnvContext("payments", "prod", "/teams/payments/prod", Map.of("tempo-prod", backend),
                Map.of(), new RecordingCaptures(evidence, clock), clock, evidence);
        traces = new TracesSection().directory(env, ConfigReader.parse("namespaces.yaml", "backend: tempo-prod\n"));
    }

    @AfterEach
    void stop() throws Exception {
        tempo.close();
        try (var walk = Files.walk(evidence)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                p.toFile().setWritable(true);
                Files.deleteIfExists(p);
            }
        }
    }

    private Node resolve(String path) throws AfsException {
        return TreeReads.resolve(traces, path);
    }

    private EvidenceRecord capture(String path) throws AfsException {
        return TreeReads.capture(traces, path);
    }

    private String read(String path) throws Exception {
        return TreeReads.read(traces, path);
    }

    private static String ts(long secondsBefore) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC)
                .format(NOW.minusSeconds(secondsBefore));
    }

    private static final long START_1H = NOW.minusSeconds(3600).getEpochSecond();
    private static final long END_UP = NOW.getEpochSecond() + 1;

    @Test
    void errorTracesArePushedDownAsTraceQlAndTempoIsAskedExactlyThat() throws Exception {
        String path = "payment-api/traces.log?status=error&since=1h";
        assertEquals(ts(300) + " " + FAILED_PAY + " 150.000ms error spans=2 services=frontend,payment-api frontend get /pay\n",
                read(path));
        FakeTempo.Received search = tempo.received("/api/search").get(0);
        assertEquals(Map.of("q", "{ resource.service.name = \"payment-api\" && status = error }",
                "start", Long.toString(START_1H), "end", Long.toString(END_UP), "limit", "20"), search.params());
        EvidenceRecord r = capture(path);
        assertEquals("tempo:tempo-prod", r.backend());
        assertEquals("GET /api/search?q=%7B%20resource.service.name%20%3D%20%22payment-api%22%20%26%26%20status%20%3D%20error"
                + "%20%7D&start=" + START_1H + "&end=" + END_UP + "&limit=20 then GET /api/traces/<id> for each of 1 traces",
                r.query());
    }

    @Test
    void durationAndTailArePushedAndTheNewestComeOldestFirst() throws Exception {
        assertEquals(ts(120) + " " + SLOW_CHECKOUT + " 1200.000ms ok spans=3 services=checkout,frontend,payment-api"
                + " frontend get /checkout\n", read("checkout/traces.log?min-duration=1s"));
        assertEquals("{ resource.service.name = \"checkout\" && duration >= 1000ms }",
                tempo.received("/api/search").get(0).params().get("q"));
        assertEquals(List.of(FAILED_PAY, SLOW_CHECKOUT),
                read("frontend/traces.log?tail=2").lines().map(l -> l.split(" ")[1]).toList());
        assertEquals("2", tempo.received("/api/search").get(1).params().get("limit"));
    }

    @Test
    void aGrepRunsLocallyOnTheLineAndAsksForTheCap() throws Exception {
        String path = "frontend/traces.log?grep=ledger&tail=1";
        assertEquals(List.of(CHECKOUT), read(path).lines().map(l -> l.split(" ")[1]).toList());
        assertEquals("200", tempo.received("/api/search").get(0).params().get("limit"));
        assertTrue(capture(path).query().endsWith(" | local: grep -e 'ledger' | tail -n 1"), capture(path).query());
    }

    @Test
    void aTraceReadsAsASpanTreeAndAsTempoJson() throws Exception {
        assertEquals("trace " + CHECKOUT + " start " + ts(600) + " duration 300.000ms spans 4 ok\n"
                        + "frontend get /checkout [SERVER] +0.000ms 300.000ms http.method=GET\n"
                        + "  checkout post /checkout [SERVER] +6.000ms 270.000ms http.method=GET\n"
                        + "    payment-api charge [SERVER] +12.000ms 190.000ms http.method=GET\n"
                        + "      ledger append [SERVER] +21.000ms 48.000ms http.method=GET\n",
                read("frontend/" + CHECKOUT + ".txt"));
        String json = read("payment-api/" + FAILED_PAY + ".json");
        assertTrue(json.contains("\"message\" : \"db pool exhausted\""), json);
        String base64 = java.util.Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(FAILED_PAY));
        assertTrue(json.contains("\"traceId\" : \"" + base64 + "\""), json); // Tempo's own bytes, as sent
        assertEquals("GET /api/traces/" + FAILED_PAY, capture("payment-api/" + FAILED_PAY + ".json").query());
        assertTrue(read("payment-api/" + FAILED_PAY + ".txt").contains("payment-api charge [SERVER] +2.000ms 90.000ms"
                + " error=db pool exhausted"));
    }

    @Test
    void theGraphComesFromTheServiceGraphMetrics() throws Exception {
        assertEquals("""
                checkout -> payment-api calls=2 errors=0 error_rate=0.000
                frontend -> checkout calls=2 errors=0 error_rate=0.000
                frontend -> payment-api calls=1 errors=1 error_rate=1.000
                payment-api -> ledger calls=1 errors=0 error_rate=0.000
                """, read("graph"));
        List<FakeTempo.Received> queries = tempo.received("/api/v1/query");
        assertEquals(List.of("sum by (client, server) (increase(traces_service_graph_request_total[3600s]))",
                        "sum by (client, server) (increase(traces_service_graph_request_failed_total[3600s]))"),
                queries.stream().map(q -> q.params().get("query")).toList());
        assertEquals("2026-11-21T10:00:00.250Z", queries.get(0).params().get("time"));
        assertTrue(capture("graph?since=30m").query().contains("increase(traces_service_graph_request_total[1800s])"));
    }

    @Test
    void lsListsTheGraphAndEveryServiceTempoKnows() throws Exception {
        assertEquals(List.of("graph", "checkout", "frontend", "ledger", "payment-api"),
                traces.list(Caller.self()).stream().map(Node::name).toList());
        assertEquals(List.of("traces.log", FAILED_PAY + ".txt", FAILED_PAY + ".json"),
                ((DirNode) resolve("frontend?status=error")).list(Caller.self()).stream().map(Node::name).toList());
    }

    @Test
    void tempoErrorsAreNamedWithTheBackendAndTheAnswer() throws Exception {
        LiveFile listing = (LiveFile) resolve("frontend/traces.log");
        tempo.failNext(400, "invalid TraceQL query: parse error at line 1, col 3: syntax error\n");
        AfsException e = assertThrows(AfsException.class, () -> listing.capture(Caller.self()));
        assertEquals(AfsError.BACKEND_FAILURE, e.error());
        assertEquals("tempo tempo-prod (127.0.0.1:" + tempo.url().substring(tempo.url().lastIndexOf(':') + 1)
                + "): /api/search: HTTP 400: invalid TraceQL query: parse error at line 1, col 3: syntax error", e.getMessage());
        AfsException missing = assertThrows(AfsException.class, () -> capture("frontend/000000000000000000000000000000ff.txt"));
        assertEquals(AfsError.NOT_FOUND, missing.error());
        assertTrue(missing.getMessage().contains("tempo tempo-prod has no trace 000000000000000000000000000000ff"),
                missing.getMessage());
    }

    @Test
    void withoutServiceGraphTheGraphSaysWhatToConfigure() throws Exception {
        Backend bare = new TempoBackendType(d -> { }).create("tempo-prod", ConfigReader.parse("namespaces.yaml",
                "type: tempo\nurl: " + tempo.url() + "\n"), BackendContext.system(evidence));
        AfsException e = assertThrows(AfsException.class,
                () -> ((TraceBackend) bare).graph(NOW, java.time.Duration.ofHours(1)));
        assertTrue(e.getMessage().contains("add service_graph: {url: <that Prometheus>}"), e.getMessage());
    }
}
