package dev.aegis.afs.query.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodLogCompilerTest {

    private static final PodLogTarget API = new PodLogTarget("payments", "payment-api-1", "api", false);
    private static final String PATH = "/api/v1/namespaces/payments/pods/payment-api-1/log?container=api";
    private static final Instant T = Instant.parse("2026-11-21T20:00:00Z");

    private static Pushdown<PodLogRequest> compile(LogQuery plan) {
        return new PodLogCompiler(API, false).compile(plan);
    }

    @Test
    void plainReadAsksForTheWholeLog() {
        Pushdown<PodLogRequest> p = compile(LogQuery.ALL);
        assertEquals(PATH, p.query().text());
        assertEquals(LogQuery.ALL, p.residual());
    }

    @Test
    void tailBecomesTailLines() {
        Pushdown<PodLogRequest> p = compile(LogQuery.of(LineLimit.newest(50)));
        assertEquals(PATH + "&tailLines=50", p.query().text());
        assertEquals(LogQuery.ALL, p.residual());
    }

    @Test
    void grepBeforeTailKeepsBothLocal() {
        LogQuery plan = LogQuery.of(LineFilter.keep(Match.literal("OOM")), LineLimit.newest(50));
        Pushdown<PodLogRequest> p = compile(plan);
        assertEquals(PATH, p.query().text());
        assertEquals(plan, p.residual());
    }

    @Test
    void stagesAfterThePushedTailStayLocal() {
        Pushdown<PodLogRequest> p = compile(LogQuery.of(LineLimit.newest(100), LineFilter.keep(Match.regex("5\\d\\d")),
                new CountLines()));
        assertEquals(PATH + "&tailLines=100", p.query().text());
        assertEquals(LogQuery.of(LineFilter.keep(Match.regex("5\\d\\d")), new CountLines()), p.residual());
    }

    @Test
    void headIsNeverPushed() {
        LogQuery plan = LogQuery.of(LineLimit.oldest(10));
        assertEquals(PATH, compile(plan).query().text());
        assertEquals(plan, compile(plan).residual());
    }

    @Test
    void wholeSecondStartIsSinceTimeWithNothingLeft() {
        Pushdown<PodLogRequest> p = compile(new LogQuery(new TimeRange(T, null), List.of(LineLimit.newest(50))));
        assertEquals(PATH + "&sinceTime=2026-11-21T20:00:00Z&tailLines=50", p.query().text());
        assertEquals(LogQuery.ALL, p.residual());
    }

    @Test
    void fractionalStartIsRoundedDownAndCheckedLocallyWithTimestamps() {
        TimeRange range = new TimeRange(T.plusMillis(250), null);
        Pushdown<PodLogRequest> p = compile(new LogQuery(range, List.of(LineLimit.newest(5))));
        assertEquals(PATH + "&sinceTime=2026-11-21T20:00:00Z&tailLines=5&timestamps=true", p.query().text());
        assertEquals(new LogQuery(range, List.of()), p.residual());
    }

    @Test
    void anEndKeepsTheTailLocal() {
        TimeRange range = new TimeRange(T, T.plusSeconds(600));
        LogQuery plan = new LogQuery(range, List.of(LineLimit.newest(5)));
        Pushdown<PodLogRequest> p = compile(plan);
        assertEquals(PATH + "&sinceTime=2026-11-21T20:00:00Z&timestamps=true", p.query().text());
        assertEquals(plan, p.residual());
    }

    @Test
    void previousAndStampedLines() {
        PodLogTarget previous = new PodLogTarget("payments", "payment-api-1", "api", true);
        Pushdown<PodLogRequest> p = new PodLogCompiler(previous, true).compile(LogQuery.of(LineLimit.newest(20)));
        assertEquals(PATH + "&previous=true&tailLines=20&timestamps=true", p.query().text());
        assertEquals(LogQuery.ALL, p.residual());
    }

    @Test
    void tailOfZeroIsLocal() {
        LogQuery plan = LogQuery.of(LineLimit.newest(0));
        assertEquals(PATH, compile(plan).query().text());
        assertEquals(plan, compile(plan).residual());
    }
}
