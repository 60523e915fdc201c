package dev.aegis.afs.core.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.EnvContext;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.Node;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads known samples through the metrics directory from a real Prometheus (skipped when the
 * binaries are absent). Samples every 15s for the hour before BASE; the clock stands at BASE.
 */
class RealPrometheusTest {

    private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
    private static final long FIRST = BASE.getEpochSecond() - 3600;
    private static final int STEP_SECONDS = 15;
    private static final int LAST_INDEX = 240;

    /** One generated series: its labels as the text format writes them and its value at sample i. */
    private record Generated(String family, String text, IntFunction<Double> value) {
        double at(Instant t) {
            int i = (int) ((t.getEpochSecond() - FIRST) / STEP_SECONDS);
            return value.apply(Math.min(i, LAST_INDEX));
        }
    }

    private static final double API_OK_PER_STEP = 3;
    private static final double API_ERROR_PER_STEP = 15;
    private static final double WEB_OK_PER_STEP = 6;
    private static final Generated API_OK = new Generated("http_requests",
            "http_requests_total{code=\"200\",job=\"api\"}", i -> API_OK_PER_STEP * i);
    private static final Generated API_ERROR = new Generated("http_requests",
            "http_requests_total{code=\"500\",job=\"api\"}", i -> API_ERROR_PER_STEP * i);
    private static final Generated WEB_OK = new Generated("http_requests",
            "http_requests_total{code=\"200\",job=\"web\"}", i -> WEB_OK_PER_STEP * i);
    private static final Generated ORDERS = new Generated("queue_depth",
            "queue_depth{queue=\"orders\"}", i -> 0.5 * i);
    private static final Generated WEIRD = new Generated("queue_depth",
            "queue_depth{queue=\"we\\\"ird\\\\q\"}", i -> 100.0 - i);

    /** A long decimal whose digits are a Luhn-valid card number, labelled with an IP address. */
    private static final Generated RATIO = new Generated("cache_ratio",
            "cache_ratio{instance=\"10.1.2.3:9100\"}", i -> 0.4111111111111111);

    private static LocalPrometheus prometheus;
    private static DirNode metrics;
    private static RecordingCaptures captures;
    private static EnvContext env;
    private static Path evidence;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(LocalPrometheus.available(), "prometheus and promtool are not installed (Debian package prometheus)");
        prometheus = LocalPrometheus.start(openMetrics());
        evidence = Files.createTempDirectory("afs-prometheus-evidence-");
        Clock clock = Clock.fixed(BASE.plusMillis(400), ZoneOffset.UTC);
        captures = new RecordingCaptures(evidence, clock);
        Backend prom = backend("prom", "");
        Backend small = backend("small", "max_points_per_series: 10\n");
        env = new EnvContext("payments", "prod", "/teams/payments/prod", Map.of("prom", prom, "small", small),
                Map.of(), captures, clock, evidence);
        metrics = section("""
                backend: prom
                series:
                  requests: {metric: http_requests_total, match: {job: api}}
                  queue: {metric: queue_depth}
                  by_job: sum by (job) (rate(http_requests_total[5m]))
                  broken: 'sum(('
                """);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (prometheus != null) {
                prometheus.close();
            }
        } finally {
            if (evidence != null) {
                try (var walk = Files.walk(evidence)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        p.toFile().setWritable(true);
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    private static Backend backend(String name, String extra) {
        return new PrometheusBackendType().create(name, ConfigReader.parse("namespaces.yaml",
                "type: prometheus\nurl: " + prometheus.url() + "\ntimeout: 20s\n" + extra), BackendContext.system(evidence));
    }

    private static DirNode section(String yaml) {
        return new MetricsSection().directory(env, ConfigReader.parse("namespaces.yaml", yaml));
    }

    /** The OpenMetrics text promtool loads: each series' samples, grouped by family. */
    private static String openMetrics() {
        StringBuilder out = new StringBuilder();
        out.append("# TYPE http_requests counter\n");
        for (Generated g : List.of(API_OK, API_ERROR, WEB_OK)) {
            samples(g, out);
        }
        out.append("# TYPE queue_depth gauge\n");
        for (Generated g : List.of(ORDERS, WEIRD)) {
            samples(g, out);
        }
        out.append("# TYPE cache_ratio gauge\n");
        samples(RATIO, out);
        return out.append("# EOF\n").toString();
    }

    private static void samples(Generated g, StringBuilder out) {
        for (int i = 0; i <= LAST_INDEX; i++) {
            out.append(g.text()).append(' ').append(g.value().apply(i)).append(' ')
                    .append(FIRST + (long) i * STEP_SECONDS).append('\n');
        }
    }

    /** Go's shortest float formatting for the values used here. */
    private static String fmt(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String prom(String series, double value, Instant t) {
        return series + " " + fmt(value) + " " + t.toEpochMilli();
    }

    private static EvidenceRecord read(String name) throws AfsException {
        return read(metrics, name);
    }

    private static EvidenceRecord read(DirNode dir, String name) throws AfsException {
        Node node = dir.child(name, Caller.self());
        return ((LiveFile) node).capture(Caller.self());
    }

    private static List<String> lines(EvidenceRecord record) throws IOException {
        return Files.readAllLines(record.file());
    }

    /**
     * Redaction knows metrics: the label holding an IP is redacted, the sample values (a long
     * decimal that reads like a card number) and the millisecond timestamps are served exactly.
     */
    @Test
    void redactionTouchesLabelsNeverValuesOrTimestamps() throws Exception {
        Path dir = Files.createTempDirectory(evidence, "redacted");
        Clock clock = Clock.fixed(BASE.plusMillis(400), ZoneOffset.UTC);
        dev.aegis.afs.core.evidence.EvidenceCaptures redacting = new dev.aegis.afs.core.evidence.EvidenceCaptures(
                new dev.aegis.afs.core.evidence.EvidenceStore(dir, java.time.Duration.ofHours(1), 1 << 24, clock), clock,
                dev.aegis.afs.core.redact.RedactionPolicy.builtins());
        EnvContext redactedEnv = new EnvContext("payments", "prod", "/teams/payments/prod",
                Map.of("prom", backend("prom", "")), Map.of(), redacting, clock, dir);
        DirNode section = new MetricsSection().directory(redactedEnv, ConfigReader.parse("namespaces.yaml", """
                backend: prom
                series:
                  ratio: {metric: cache_ratio}
                """));
        String series = "cache_ratio{instance=\"[REDACTED_IPV4]:9100\"}";
        List<String> prom = new ArrayList<>();
        List<String> csv = new ArrayList<>(List.of("time,series,value"));
        for (int s = 30; s >= 0; s -= 15) {
            Instant t = BASE.minusSeconds(s);
            prom.add(series + " 0.4111111111111111 " + t.toEpochMilli());
            csv.add(t + ",\"" + series.replace("\"", "\"\"") + "\",0.4111111111111111");
        }
        EvidenceRecord r = read(section, "ratio.prom?window=30s&step=15s");
        assertEquals(prom, lines(r));
        assertEquals("3", r.stats().get("redacted.IPV4"));
        assertEquals(csv, lines(read(section, "ratio.csv?window=30s&step=15s")));
        // grep sees the served series: the raw label cannot be probed
        assertEquals(List.of(), lines(read(section, "ratio.prom?window=30s&step=15s&grep=10.1.2.3")));
        assertEquals(3, lines(read(section, "ratio.prom?window=30s&step=15s&grep=REDACTED")).size());
    }

    @Test
    void listsEachSeriesInEveryFormat() throws AfsException {
        assertEquals(List.of("README", "requests.prom", "requests.csv", "requests.tsv", "queue.prom", "queue.csv", "queue.tsv",
                        "by_job.prom", "by_job.csv", "by_job.tsv", "broken.prom", "broken.csv", "broken.tsv"),
                metrics.list(Caller.self()).stream().map(Node::name).toList());
    }

    @Test
    void rangeReadShowsEverySampleOfEachSeriesInOrder() throws Exception {
        EvidenceRecord r = read("requests.prom?window=1m&step=30s");
        List<String> expected = new ArrayList<>();
        for (Generated g : List.of(API_OK, API_ERROR)) {
            for (int s = 60; s >= 0; s -= 30) {
                Instant t = BASE.minusSeconds(s);
                expected.add(prom(g.text(), g.at(t), t));
            }
        }
        assertEquals(expected, lines(r));
        assertEquals("query_range?query=http_requests_total{job=\"api\"}&start=2025-12-31T23:59:00Z"
                + "&end=2026-01-01T00:00:00Z&step=30s", r.query());
        assertEquals("prometheus:prom", r.backend());
        assertEquals("2", r.stats().get("series"));
        assertEquals("6", r.stats().get("points"));
        assertEquals("6", r.stats().get("entries"));
        assertTrue(Long.parseLong(r.stats().get("bytes_received")) > 0);
        assertEquals(java.util.Optional.empty(), r.truncation());
        assertEquals("/teams/payments/prod/metrics/requests.prom?window=1m&step=30s", r.source());
    }

    @Test
    void plainFileReadsTheLastFifteenMinutes() throws Exception {
        List<String> lines = lines(read("requests.prom"));
        assertEquals(2 * 181, lines.size());
        Instant from = BASE.minusSeconds(900);
        assertEquals(prom(API_OK.text(), API_OK.at(from), from), lines.get(0));
        assertEquals(prom(API_OK.text(), API_OK.at(from.plusSeconds(5)), from.plusSeconds(5)), lines.get(1));
        assertEquals(prom(API_ERROR.text(), API_ERROR.at(BASE), BASE), lines.get(lines.size() - 1));
        // the series reach back to the window's start: older samples were cut, and the evidence says so
        String cut = read("requests.prom").truncation().orElseThrow();
        assertTrue(cut.startsWith("default window cut older samples: a read without from=, to= or window= shows the 15m"
                + " from 2025-12-31T23:45:00Z to 2026-01-01T00:00:00Z at step 5s; widen with from=-2h"), cut);
        assertEquals(java.util.Optional.empty(), read("requests.prom?window=15m").truncation());
    }

    @Test
    void fromAndToGiveTheSameSampleTimesOnEveryRead() throws Exception {
        String terms = "?from=2025-12-31T23:20:07Z&to=2025-12-31T23:50:29.5Z&step=1m";
        List<String> first = lines(read("requests.csv" + terms));
        // a second read, later, on a daemon whose clock is elsewhere: the same buckets, the same bytes
        Clock later = Clock.fixed(BASE.plusSeconds(37).plusMillis(250), ZoneOffset.UTC);
        EnvContext laterEnv = new EnvContext("payments", "prod", "/teams/payments/prod", env.backends(),
                Map.of(), new RecordingCaptures(evidence, later), later, evidence);
        DirNode laterMetrics = new MetricsSection().directory(laterEnv, ConfigReader.parse("namespaces.yaml", """
                backend: prom
                series:
                  requests: {metric: http_requests_total, match: {job: api}}
                """));
        EvidenceRecord second = read(laterMetrics, "requests.csv" + terms);
        assertEquals(first, lines(second));
        assertEquals("query_range?query=http_requests_total{job=\"api\"}&start=2025-12-31T23:20:00Z"
                + "&end=2025-12-31T23:50:00Z&step=1m", second.query());
        assertEquals(1 + 2 * 31, first.size()); // header, then 31 aligned minutes a series
        for (String line : first.subList(1, first.size())) {
            assertTrue(line.matches("2025-12-31T23:[2-5]\\d:00Z,.*"), line); // every time a whole minute
        }
        // relative bounds move with the clock but stay on the step: -30m read at +0.4s and at +37.25s
        List<String> relative = lines(read("requests.csv?from=-30m&step=1m"));
        assertEquals(relative, lines(read(laterMetrics, "requests.csv?from=-30m&step=1m")));
    }

    @Test
    void instantReadAsCsvQuotesTheSeries() throws Exception {
        EvidenceRecord r = read("queue.csv?at=2026-01-01T00:00:00Z");
        assertEquals(List.of("time,series,value",
                BASE + ",\"" + ORDERS.text().replace("\"", "\"\"") + "\"," + fmt(ORDERS.at(BASE)),
                BASE + ",\"" + WEIRD.text().replace("\"", "\"\"") + "\"," + fmt(WEIRD.at(BASE))), lines(r));
        assertEquals("query?query=queue_depth&time=2026-01-01T00:00:00Z", r.query());
    }

    @Test
    void rangeReadAsTsv() throws Exception {
        List<String> expected = new ArrayList<>(List.of("time\tseries\tvalue"));
        for (Generated g : List.of(ORDERS, WEIRD)) {
            for (int s = 30; s >= 0; s -= 15) {
                Instant t = BASE.minusSeconds(s);
                expected.add(t + "\t" + g.text() + "\t" + fmt(g.at(t)));
            }
        }
        assertEquals(expected, lines(read("queue.tsv?window=30s&step=15s")));
    }

    @Test
    void rateIsComputedByPrometheus() throws Exception {
        EvidenceRecord r = read("requests.prom?at=now&fn=rate(5m)");
        assertEquals(List.of(
                prom("{code=\"200\",job=\"api\"}", API_OK_PER_STEP / STEP_SECONDS, BASE),
                prom("{code=\"500\",job=\"api\"}", API_ERROR_PER_STEP / STEP_SECONDS, BASE)), lines(r));
        assertEquals("query?query=rate(http_requests_total{job=\"api\"}[5m])&time=2026-01-01T00:00:00Z", r.query());
    }

    @Test
    void bySumsTheSeries() throws Exception {
        double api = API_OK_PER_STEP / STEP_SECONDS + API_ERROR_PER_STEP / STEP_SECONDS;
        assertEquals(List.of(prom("{job=\"api\"}", api, BASE)), lines(read("requests.prom?at=now&fn=rate(5m)&by=job")));
        assertEquals(List.of(prom("{}", api, BASE)), lines(read("requests.prom?at=now&fn=rate(5m)&by=")));
        Instant t = BASE.minusSeconds(60);
        assertEquals(List.of(prom("{code=\"200\"}", API_OK.at(t), t), prom("{code=\"200\"}", API_OK.at(BASE), BASE),
                        prom("{code=\"500\"}", API_ERROR.at(t), t), prom("{code=\"500\"}", API_ERROR.at(BASE), BASE)),
                lines(read("requests.prom?window=1m&step=1m&by=code")));
    }

    @Test
    void matchSelectsSeriesAtTheSource() throws Exception {
        EvidenceRecord r = read("requests.prom?at=now&match=code=500");
        assertEquals(List.of(prom(API_ERROR.text(), API_ERROR.at(BASE), BASE)), lines(r));
        assertEquals("query?query=http_requests_total{job=\"api\", code=\"500\"}&time=2026-01-01T00:00:00Z", r.query());
        assertEquals(List.of(prom(API_OK.text(), API_OK.at(BASE), BASE)),
                lines(read("requests.prom?at=now&match=code!~5..")));
    }

    @Test
    void hostileLabelValuesMatchExactly() throws Exception {
        // the value is we"ird\q, percent-encoded in the path
        assertEquals(List.of(prom(WEIRD.text(), WEIRD.at(BASE), BASE)),
                lines(read("queue.prom?at=now&match=queue=we%22ird%5Cq")));
        assertEquals(List.of(prom(WEIRD.text(), WEIRD.at(BASE), BASE)),
                lines(read("queue.prom?at=now&match=queue=~we.*")));
    }

    @Test
    void grepFiltersTheSeriesTextLocally() throws Exception {
        EvidenceRecord r = read("requests.prom?at=now&grep=500");
        assertEquals(List.of(prom(API_ERROR.text(), API_ERROR.at(BASE), BASE)), lines(r));
        assertEquals("query?query=http_requests_total{job=\"api\"}&time=2026-01-01T00:00:00Z", r.query());
        assertEquals("2", r.stats().get("series"));
        assertEquals("1", r.stats().get("series_shown"));
    }

    @Test
    void grepVOfALabelPairIsAlsoPushed() throws Exception {
        EvidenceRecord r = read("requests.prom?at=now&grep-v=code=%22200%22");
        assertEquals(List.of(prom(API_ERROR.text(), API_ERROR.at(BASE), BASE)), lines(r));
        assertEquals("query?query=http_requests_total{job=\"api\", code!=\"200\"}&time=2026-01-01T00:00:00Z", r.query());
        assertEquals("1", r.stats().get("series"));
    }

    @Test
    void expressionSeriesWithLocalMatch() throws Exception {
        assertEquals(List.of(prom("{job=\"api\"}", API_OK_PER_STEP / STEP_SECONDS + API_ERROR_PER_STEP / STEP_SECONDS, BASE),
                        prom("{job=\"web\"}", WEB_OK_PER_STEP / STEP_SECONDS, BASE)),
                lines(read("by_job.prom?at=now")));
        assertEquals(List.of(prom("{job=\"web\"}", WEB_OK_PER_STEP / STEP_SECONDS, BASE)),
                lines(read("by_job.prom?at=now&match=job=web")));
    }

    @Test
    void tooManyPointsWidenTheStepAndTheEvidenceSaysSo() throws Exception {
        DirNode small = new MetricsSection().directory(env, ConfigReader.parse("namespaces.yaml", """
                backend: small
                series:
                  requests: {metric: http_requests_total, match: {job: api, code: "200"}}
                """));
        EvidenceRecord r = read(small, "requests.prom?window=5m&step=15s");
        // the wider step is aligned too: start and end rounded down to multiples of 34s
        assertEquals("query_range?query=http_requests_total{job=\"api\", code=\"200\"}&start=2025-12-31T23:54:36Z"
                + "&end=2025-12-31T23:59:42Z&step=34s", r.query());
        assertEquals(java.util.Optional.of("step widened from 15s to 34s: a 5m window at 15s is 21 points per series,"
                + " over max_points_per_series 10; pass a larger step= or a shorter window="), r.truncation());
        List<String> lines = lines(r);
        assertEquals(10, lines.size());
        Instant t = BASE.minusSeconds(324).plusSeconds(34);
        assertEquals(prom(API_OK.text(), API_OK.at(t), t), lines.get(1));
    }

    @Test
    void prometheusErrorsAreShownWithTheirType() {
        AfsException e = assertThrows(AfsException.class, () -> read("broken.prom?at=now"));
        assertEquals(AfsError.BACKEND_FAILURE, e.error());
        String prefix = "prometheus prom (127.0.0.1:" + prometheus.port() + "): HTTP 400: bad_data: invalid parameter"
                + " \"query\": ";
        assertTrue(e.getMessage().startsWith(prefix) && e.getMessage().contains("parse error"), e.getMessage());
    }

    @Test
    void badTermsAreRefusedAtLookupWithTheFix() {
        AfsException e = assertThrows(AfsException.class, () -> metrics.child("requests.prom?tail=5", Caller.self()));
        assertEquals(AfsError.INVALID_QUERY, e.error());
        assertEquals("/teams/payments/prod/metrics/requests.prom?tail=5: column 1: 'tail' does not apply to a metrics"
                + " file: metrics files are read over a time window, not by lines; use window= (e.g. window=5m) or at="
                + " for one instant", e.getMessage());
        assertEquals(AfsError.NOT_FOUND, assertThrows(AfsException.class,
                () -> metrics.child("nope.prom", Caller.self())).error());
        assertEquals(AfsError.NOT_FOUND, assertThrows(AfsException.class,
                () -> metrics.child("requests.txt", Caller.self())).error());
    }
}
