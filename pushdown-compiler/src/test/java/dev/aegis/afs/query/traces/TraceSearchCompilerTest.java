package dev.aegis.afs.query.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.path.PathQueryParser;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Golden tests: path terms to the exact Zipkin and Tempo request, and the residual. */
class TraceSearchCompilerTest {

    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00.123456Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final long END = Instant.parse("2026-11-21T10:00:00.123Z").toEpochMilli();

    private static TraceQuery trace(String terms) {
        return new TraceQueryCompiler(CLOCK, Duration.ofHours(1)).compile("payment-api", PathQueryParser.parse(terms));
    }

    private static Pushdown<ZipkinSearch> zipkin(String terms) {
        return new ZipkinSearchCompiler(20, 1000).compile(trace(terms));
    }

    private static Pushdown<TraceQlSearch> tempo(String terms) {
        return new TraceQlCompiler(20, 1000).compile(trace(terms));
    }

    @Test
    void aPlainListingAsksForTheLastHourAndTheDefaultLimitWhichIsACap() {
        Pushdown<ZipkinSearch> p = zipkin("");
        assertEquals("/api/v2/traces?serviceName=payment-api&endTs=" + END + "&lookback=3600000&limit=20", p.query().text());
        assertTrue(p.query().capped());
        assertTrue(p.residual().isIdentity());
    }

    @Test
    void everyTermZipkinUnderstandsIsPushed() {
        Pushdown<ZipkinSearch> p = zipkin("since=15m&status=error&min-duration=250ms&max-duration=2s&span=get%20/pay&tail=5");
        assertEquals("/api/v2/traces?serviceName=payment-api&spanName=get%20%2Fpay&annotationQuery=error"
                + "&minDuration=250000&maxDuration=2000000&endTs=" + END + "&lookback=900000&limit=5", p.query().text());
        assertEquals(false, p.query().capped());
        assertTrue(p.residual().isIdentity(), p.residual().toString());
    }

    @Test
    void anAbsoluteWindowIsSentAsEndTsAndLookback() {
        Pushdown<ZipkinSearch> p = zipkin("from=2026-11-21T09:00:00Z&to=2026-11-21T09:30:00.5Z&tail=3");
        long end = Instant.parse("2026-11-21T09:30:00.500Z").toEpochMilli();
        assertEquals("/api/v2/traces?serviceName=payment-api&endTs=" + end + "&lookback=1800500&limit=3", p.query().text());
    }

    @Test
    void aGrepKeepsTheTailLocalAndAsksForTheCap() {
        Pushdown<ZipkinSearch> p = zipkin("tail=3&grep=checkout&status=error");
        assertEquals("/api/v2/traces?serviceName=payment-api&annotationQuery=error&endTs=" + END
                + "&lookback=3600000&limit=1000", p.query().text());
        assertTrue(p.query().capped());
        assertEquals("grep -e 'checkout' | tail -n 3", p.residual().toString());
    }

    @Test
    void tailZeroAsksForOneAndKeepsNone() {
        Pushdown<ZipkinSearch> p = zipkin("tail=0");
        assertTrue(p.query().text().endsWith("&limit=1"));
        assertEquals("tail -n 0", p.residual().toString());
    }

    @Test
    void tempoGetsOneSpansetInTraceQlAndAWindowInWholeSeconds() {
        Pushdown<TraceQlSearch> p = tempo("since=15m&status=error&min-duration=250ms&span=get%20%22pay%22&tail=5");
        assertEquals("{ resource.service.name = \"payment-api\" && name = \"get \\\"pay\\\"\" && status = error"
                + " && duration >= 250ms }", p.query().traceQl());
        long start = Instant.parse("2026-11-21T09:45:00Z").getEpochSecond();
        long end = Instant.parse("2026-11-21T10:00:01Z").getEpochSecond();
        assertEquals("/api/search?q=%7B%20resource.service.name%20%3D%20%22payment-api%22%20%26%26%20name%20%3D%20%22get"
                + "%20%5C%22pay%5C%22%22%20%26%26%20status%20%3D%20error%20%26%26%20duration%20%3E%3D%20250ms%20%7D"
                + "&start=" + start + "&end=" + end + "&limit=5", p.query().text());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "status=ok|column 1: status=ok is not a trace status; write status=error for traces with a failed span (leave it out for all)",
            "tial=3|column 1: unknown term 'tial' for a trace listing; valid terms: since, from, to, min-duration, max-duration, status, span, tail, grep, grep-v, grep-i, grep-F (e.g. since=1h&status=error&min-duration=500ms&tail=20)",
            "min-duration=fast|column 1: 'fast' is not a duration for min-duration; write e.g. 30s, 5m, 1h or 1h30m (units ms, s, m, h, d, w, y)",
            "min-duration=2s&max-duration=1s|column 17: max-duration is shorter than min-duration; make it longer",
            "tail=1&tail=2|column 8: 'tail' is given twice; keep one",
            "head=3|column 1: unknown term 'head' for a trace listing; valid terms: since, from, to, min-duration, max-duration, status, span, tail, grep, grep-v, grep-i, grep-F (e.g. since=1h&status=error&min-duration=500ms&tail=20)",
    })
    void badTermsNameTheColumnAndTheFix(String terms, String message) {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> trace(terms));
        assertEquals(message, e.getMessage());
    }
}
