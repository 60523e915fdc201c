package dev.aegis.afs.core.loki;

import static dev.aegis.afs.core.loki.LokiFixture.T0;
import static dev.aegis.afs.core.loki.LokiFixture.nanos;
import static dev.aegis.afs.core.loki.LokiFixture.read;
import static dev.aegis.afs.core.loki.LokiFixture.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.TimeRange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LokiLogSourceTest {

    private static final Map<String, String> PAYMENT = Map.of("app", "payment-api", "env", "prod");
    private static final Map<String, String> PAYMENT_CANARY = Map.of("app", "payment-api", "env", "prod", "pod", "canary");
    private static final Map<String, String> OTHER = Map.of("app", "checkout", "env", "prod");

    @TempDir
    Path dir;
    private FakeLoki loki;
    private Backend backend;
    private final List<Duration> sleeps = new ArrayList<>();
    /** The fixture lines of the payment-api streams, oldest first. */
    private final List<LogLine> lines = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        loki = new FakeLoki();
    }

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
        loki.close();
    }

    private LogSource<?> source(String extraOptions) {
        backend = LokiFixture.backend("url: " + loki.url() + "\n" + extraOptions, dir, Map.of(), sleeps);
        return LokiFixture.stream(backend, "backend: prod\nselector: '{app=\"payment-api\"}'\n");
    }

    private void add(Map<String, String> labels, Instant time, String line) {
        loki.add(labels, nanos(time), line);
        if (labels.get("app").equals("payment-api")) {
            lines.add(new LogLine(time, line));
        }
    }

    /** 40 lines over two payment-api streams (interleaved) plus noise from another app. */
    private void standardFixture() {
        String[] kinds = {"GET /healthz 200", "POST /pay 200 12ms", "ERROR timeout calling bank", "WARN slow \"bank\" 900ms",
                "error: C:\\temp\\x not found", "Timeout after `retry`", "POST /pay 500 oom-killed", "debug (?i) literal"};
        for (int i = 0; i < 40; i++) {
            Instant t = T0.plusSeconds(i);
            add(i % 3 == 0 ? PAYMENT_CANARY : PAYMENT, t, kinds[i % kinds.length] + " #" + i);
            add(OTHER, t.plusMillis(500), "ERROR timeout in checkout #" + i);
        }
    }

    @Test
    void tailOfAFilterIsOneRequestWithTheExactQueryAndComesBackOldestFirst() throws Exception {
        standardFixture();
        LogQuery query = LogQuery.of(LineFilter.keep(Match.literal("timeout")), LineLimit.newest(3));
        LokiFixture.Read read = read(source(""), query);

        assertEquals(List.of("ERROR timeout calling bank #18", "ERROR timeout calling bank #26", "ERROR timeout calling bank #34"),
                read.lines());
        assertEquals(reference(lines, query), read.lines());
        FakeLoki.Received request = loki.received().get(0);
        assertEquals(1, loki.received().size());
        assertEquals(Map.of("query", "{app=\"payment-api\"} |= \"timeout\"",
                "start", Long.toString(nanos(T0.minus(Duration.ofHours(23)))),
                "end", Long.toString(nanos(T0.plus(Duration.ofHours(1)))),
                "limit", "3", "direction", "backward"), request.params());
        assertTrue(read.stats().truncation().isEmpty());
        assertEquals(3, read.stats().entries());
    }

    @Test
    void everyPlanAgreesWithTheLocalEvaluator() throws Exception {
        standardFixture();
        LogSource<?> source = source("max_entries_per_query: 7\n");
        TimeRange window = new TimeRange(T0.plusSeconds(5), T0.plusSeconds(33).plusNanos(1));
        List<LogQuery> plans = List.of(
                LogQuery.ALL,
                LogQuery.of(LineFilter.keep(Match.literal("timeout"))),
                LogQuery.of(LineFilter.keep(new Match("timeout", true, true))),
                LogQuery.of(LineFilter.keep(Match.regex("POST /pay (2|5)00"), Match.literal("WARN")), LineLimit.newest(4)),
                LogQuery.of(LineFilter.drop(Match.literal("/healthz")), LineFilter.drop(Match.regex("^debug")), LineLimit.oldest(9)),
                LogQuery.of(LineFilter.keep(Match.literal("C:\\temp\\x")), new CountLines()),
                LogQuery.of(LineFilter.keep(Match.literal("`retry`"))),
                LogQuery.of(LineFilter.keep(Match.literal("\"bank\""))),
                LogQuery.of(LineFilter.keep(new Match("(?i)", true, true))),
                LogQuery.of(LineLimit.newest(25), LineFilter.keep(Match.literal("pay")), LineLimit.oldest(2)),
                LogQuery.of(LineLimit.oldest(0)),
                LogQuery.of(LineFilter.keep(Match.regex("#[0-9]+$")), LineLimit.newest(100)),
                LogQuery.of(LineFilter.keep(Match.literal("ERROR")), LineLimit.newest(5)).withRange(window),
                LogQuery.of(LineLimit.oldest(3)).withRange(window));
        for (LogQuery plan : plans) {
            assertEquals(reference(lines, plan), read(source, plan).lines(), plan.toString());
        }
    }

    @Test
    void agreesWithGnuGrepAndTailOnTheSameBytes() throws Exception {
        standardFixture();
        Path file = dir.resolve("payment.log");
        Files.write(file, lines.stream().map(LogLine::text).toList(), StandardCharsets.UTF_8);
        LogSource<?> source = source("max_entries_per_query: 4\n");

        assertEquals(shell("grep -F -e timeout " + file + " | tail -n 4"),
                read(source, LogQuery.of(LineFilter.keep(Match.literal("timeout")), LineLimit.newest(4))).lines());
        assertEquals(shell("grep -i -e 'timeout' " + file + " | head -n 3"),
                read(source, LogQuery.of(LineFilter.keep(new Match("timeout", false, true)), LineLimit.oldest(3))).lines());
        assertEquals(shell("grep -v -F -e healthz " + file + " | grep -c -E 'pay (2|5)00'"),
                read(source, LogQuery.of(LineFilter.drop(Match.literal("healthz")),
                        LineFilter.keep(Match.regex("pay (2|5)00")), new CountLines())).lines());
    }

    private static List<String> shell(String command) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        p.waitFor();
        return out;
    }

    @Test
    void forwardReadsBeyondThePerQueryCapInTimeSplitBatchesWithoutDuplicatesAtTheBoundary() throws Exception {
        // 3 entries share each second: batches of 4 end inside a run of equal timestamps
        for (int i = 0; i < 30; i++) {
            add(PAYMENT, T0.plusSeconds(i / 3), "line " + i);
        }
        LokiFixture.Read read = read(source("max_entries_per_query: 4\n"), LogQuery.ALL);

        assertEquals(lines.stream().map(LogLine::text).toList(), read.lines());
        assertTrue(loki.received().size() >= 10, "several batches: " + loki.received().size());
        FakeLoki.Received second = loki.received().get(1);
        // the first batch held lines 0-3 (seconds 0, 0, 0, 1): the next starts at second 1, inclusive
        assertEquals(Long.toString(nanos(T0.plusSeconds(1))), second.params().get("start"));
        assertTrue(loki.received().stream().allMatch(r -> Long.parseLong(r.params().get("limit")) <= 4));
        assertTrue(read.stats().truncation().isEmpty());
        assertEquals(30, read.stats().entries());
    }

    @Test
    void tailBeyondThePerQueryCapWalksBackwardAndStillComesOutOldestFirst() throws Exception {
        for (int i = 0; i < 30; i++) {
            add(PAYMENT, T0.plusSeconds(i / 3), "line " + i);
        }
        LogQuery query = LogQuery.of(LineLimit.newest(11));
        LokiFixture.Read read = read(source("max_entries_per_query: 4\n"), query);

        assertEquals(reference(lines, query), read.lines());
        assertEquals("backward", loki.received().get(1).params().get("direction"));
        // the first batch held lines 29-26 (seconds 9, 9, 9, 8): the next ends just after second 8
        assertEquals(Long.toString(nanos(T0.plusSeconds(8)) + 1), loki.received().get(1).params().get("end"));
    }

    @Test
    void entriesOfOneTimestampInSeveralStreamsAreAllReadOnce() throws Exception {
        for (int i = 0; i < 24; i++) {
            add(i % 2 == 0 ? PAYMENT : PAYMENT_CANARY, T0.plusSeconds(i / 3), "line " + i);
        }
        LokiFixture.Read read = read(source("max_entries_per_query: 4\n"), LogQuery.ALL);
        assertEquals(lines.stream().map(LogLine::text).sorted().toList(), read.lines().stream().sorted().toList());
        LokiFixture.Read tail = read(LokiFixture.stream(backend, "selector: '{app=\"payment-api\"}'"), LogQuery.of(LineLimit.newest(10)));
        assertEquals(List.of("line 14", "line 15", "line 16", "line 17", "line 18", "line 19", "line 20", "line 21", "line 22", "line 23"),
                tail.lines().stream().sorted().toList());
    }

    @Test
    void moreEntriesAtOneTimestampThanOneBatchHoldsIsReportedNotLooped() throws Exception {
        for (int i = 0; i < 6; i++) {
            add(PAYMENT, T0, "same time " + i);
        }
        LokiFixture.Read read = read(source("max_entries_per_query: 4\n"), LogQuery.ALL);
        assertEquals(List.of("same time 0", "same time 1", "same time 2", "same time 3"), read.lines());
        assertTrue(read.stats().truncation().orElseThrow().contains("raise max_entries_per_query"));
    }

    @Test
    void stoppingAtMaxEntriesIsReportedWithHowToWiden() throws Exception {
        for (int i = 0; i < 12; i++) {
            add(PAYMENT, T0.plusSeconds(i), "line " + i);
        }
        LokiFixture.Read head = read(source("max_entries_per_query: 4\nmax_entries: 5\n"), LogQuery.ALL);
        assertEquals(List.of("line 0", "line 1", "line 2", "line 3", "line 4"), head.lines());
        assertTrue(head.stats().truncation().orElseThrow().contains("max_entries=5"), head.stats().toString());
        assertTrue(head.stats().truncation().get().contains("raise max_entries for backend 'prod'"));

        LokiFixture.Read tail = read(LokiFixture.stream(backend, "selector: '{app=\"payment-api\"}'"), LogQuery.of(LineLimit.newest(50)));
        assertEquals(List.of("line 7", "line 8", "line 9", "line 10", "line 11"), tail.lines());
        assertTrue(tail.stats().truncation().isPresent());
    }

    @Test
    void exactlyMaxEntriesIsNotTruncated() throws Exception {
        for (int i = 0; i < 5; i++) {
            add(PAYMENT, T0.plusSeconds(i), "line " + i);
        }
        LokiFixture.Read read = read(source("max_entries_per_query: 4\nmax_entries: 5\n"), LogQuery.ALL);
        assertEquals(5, read.lines().size());
        assertFalse(read.stats().truncation().isPresent(), read.stats().toString());
        LokiFixture.Read tail = read(LokiFixture.stream(backend, "selector: '{app=\"payment-api\"}'"), LogQuery.of(LineLimit.newest(5)));
        assertEquals(5, tail.lines().size());
        assertFalse(tail.stats().truncation().isPresent());
    }

    @Test
    void aMultiLineEntryBecomesSeveralLinesWithItsTimestamp() throws Exception {
        add(PAYMENT, T0, "panic: boom");
        loki.add(PAYMENT, nanos(T0.plusSeconds(1)), "Exception in thread main\n\tat A.b(A.java:1)\n");
        assertEquals(List.of("panic: boom", "Exception in thread main", "\tat A.b(A.java:1)"),
                read(source(""), LogQuery.ALL).lines());
    }

    @Test
    void anOpenStartReadsTheLookbackBeforeTheEnd() throws Exception {
        add(PAYMENT, T0.minus(Duration.ofHours(3)), "too old");
        add(PAYMENT, T0.minus(Duration.ofMinutes(90)), "in the lookback");
        add(PAYMENT, T0.plusSeconds(1), "after the end");
        LokiFixture.Read read = read(source("lookback: 2h\n"), LogQuery.ALL.withRange(new TimeRange(null, T0)));
        assertEquals(List.of("in the lookback"), read.lines());
        assertEquals(Long.toString(nanos(T0.minus(Duration.ofHours(2)))), loki.received().get(0).params().get("start"));
    }

    @Test
    void anEmptyWindowSendsNoRequest() throws Exception {
        TimeRange empty = new TimeRange(T0, T0);
        assertEquals(List.of(), read(source(""), LogQuery.ALL.withRange(empty)).lines());
        assertEquals(0, loki.received().size());
    }
}
