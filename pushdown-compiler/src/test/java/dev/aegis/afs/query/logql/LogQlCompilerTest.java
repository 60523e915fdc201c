package dev.aegis.afs.query.logql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogQlCompilerTest {

    private static final String SEL = "{app=\"payment-api\",env=\"prod\"}";
    private final LogQlCompiler compiler = new LogQlCompiler(new StreamSelector(SEL), Duration.ofHours(24));

    private Pushdown<LokiQuery> compile(LogQuery plan) {
        return compiler.compile(plan);
    }

    @Test
    void plainReadIsTheSelectorForwardOverTheLookback() {
        Pushdown<LokiQuery> p = compile(LogQuery.ALL);
        assertEquals("query=" + SEL + "&start=now-24h&end=now&direction=forward", p.query().text());
        assertTrue(p.residual().isIdentity());
    }

    @Test
    void literalFiltersAndTail() {
        Pushdown<LokiQuery> p = compile(LogQuery.of(
                LineFilter.keep(Match.literal("timeout")), LineFilter.drop(Match.literal("healthz")), LineLimit.newest(50)));
        assertEquals(SEL + " |= \"timeout\" != \"healthz\"", p.query().logql());
        assertEquals("query=" + SEL + " |= \"timeout\" != \"healthz\"&start=now-24h&end=now&direction=backward&limit=50",
                p.query().text());
        assertEquals(LogQuery.ALL, p.residual());
    }

    @Test
    void headIsForwardWithLimitAndLaterStagesStayLocal() {
        Pushdown<LokiQuery> p = compile(LogQuery.of(LineLimit.oldest(10), LineFilter.keep(Match.literal("x")), new CountLines()));
        assertEquals("query=" + SEL + "&start=now-24h&end=now&direction=forward&limit=10", p.query().text());
        assertEquals(LogQuery.of(LineFilter.keep(Match.literal("x")), new CountLines()), p.residual());
    }

    @Test
    void onlyTheFirstLimitIsPushed() {
        Pushdown<LokiQuery> p = compile(LogQuery.of(LineLimit.newest(100), LineLimit.oldest(3)));
        assertEquals("query=" + SEL + "&start=now-24h&end=now&direction=backward&limit=100", p.query().text());
        assertEquals(LogQuery.of(LineLimit.oldest(3)), p.residual());
    }

    @Test
    void countStaysLocalAfterPushedFilters() {
        Pushdown<LokiQuery> p = compile(LogQuery.of(LineFilter.keep(Match.literal("ERROR")), new CountLines()));
        assertEquals("query=" + SEL + " |= \"ERROR\"&start=now-24h&end=now&direction=forward", p.query().text());
        assertEquals(LogQuery.of(new CountLines()), p.residual());
    }

    @Test
    void regexIgnoreCaseAndAlternation() {
        assertEquals("|~ \"time(out)?\"", LogQlCompiler.lineFilter(LineFilter.keep(Match.regex("time(out)?"))));
        assertEquals("!~ \"^GET\"", LogQlCompiler.lineFilter(LineFilter.drop(Match.regex("^GET"))));
        assertEquals("|~ \"(?i)oom\"", LogQlCompiler.lineFilter(LineFilter.keep(new Match("oom", true, true))));
        assertEquals("|~ `(?i)a\\.b`", LogQlCompiler.lineFilter(LineFilter.keep(new Match("a.b", true, true))));
        assertEquals("|~ `(?:error)|(?:warn\\b)`",
                LogQlCompiler.lineFilter(LineFilter.keep(Match.literal("error"), Match.regex("warn\\b"))));
        assertEquals("!~ \"(?:a)|(?:(?i)b)\"",
                LogQlCompiler.lineFilter(LineFilter.drop(Match.literal("a"), new Match("b", false, true))));
        assertEquals("|~ `\\d{3} ms`", LogQlCompiler.lineFilter(LineFilter.keep(Match.regex("\\d{3} ms"))));
    }

    @Test
    void hostilePatternsAreEscaped() {
        assertEquals("|= \"say \\\"hi\\\"\"", LogQlCompiler.lineFilter(LineFilter.keep(Match.literal("say \"hi\""))));
        assertEquals("|= `C:\\temp\\\"x`", LogQlCompiler.lineFilter(LineFilter.keep(Match.literal("C:\\temp\\\"x"))));
        // a backtick forbids a raw string: backslashes are doubled instead
        assertEquals("|= \"a`b\\\\c\"", LogQlCompiler.lineFilter(LineFilter.keep(Match.literal("a`b\\c"))));
        assertEquals("|= \"`rm -rf /`\"", LogQlCompiler.lineFilter(LineFilter.keep(Match.literal("`rm -rf /`"))));
        // control characters (Go drops \r from raw strings) are always escaped in double quotes
        assertEquals("|= \"a\\nb\\r\\tc\\x00\\x7f\"",
                LogQlCompiler.lineFilter(LineFilter.keep(Match.literal("a\nb\r\tc\u0000\u007f"))));
        assertEquals("|~ \"\\\\d\\n\"", LogQlCompiler.lineFilter(LineFilter.keep(Match.regex("\\d\n"))));
        assertEquals("|= \"}|= \\\"x\\\" or {\"", LogQlCompiler.lineFilter(LineFilter.keep(Match.literal("}|= \"x\" or {"))));
        assertEquals("|= \"ünïcødé ✓\"", LogQlCompiler.lineFilter(LineFilter.keep(Match.literal("ünïcødé ✓"))));
        assertEquals("|~ `(?i)\\(\\?i\\)`", LogQlCompiler.lineFilter(LineFilter.keep(new Match("(?i)", true, true))));
        assertEquals("|~ \"(?i)x\"", LogQlCompiler.lineFilter(LineFilter.keep(Match.regex("(?i)x"))));
    }

    @Test
    void timeRangeIsNanoseconds() {
        TimeRange range = new TimeRange(Instant.parse("2026-11-21T10:00:00.000000001Z"), Instant.parse("2026-11-21T11:00:00Z"));
        Pushdown<LokiQuery> p = compile(LogQuery.of(LineLimit.newest(5)).withRange(range));
        assertEquals("query=" + SEL + "&start=1795255200000000001&end=1795258800000000000&direction=backward&limit=5",
                p.query().text());
        assertTrue(p.residual().range().isAll());
        TimeRange open = new TimeRange(Instant.parse("2026-11-21T10:00:00Z"), null);
        assertEquals("query=" + SEL + "&start=1795255200000000000&end=now&direction=forward",
                compile(LogQuery.ALL.withRange(open)).query().text());
        TimeRange openStart = new TimeRange(null, Instant.parse("2026-11-21T10:00:00Z"));
        assertEquals("query=" + SEL + "&start=end-24h&end=1795255200000000000&direction=forward",
                compile(LogQuery.ALL.withRange(openStart)).query().text());
    }

    @Test
    void invalidRegexIsRefusedBeforeReachingLoki() {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class,
                () -> compile(LogQuery.of(LineFilter.keep(Match.regex("a(b")))));
        assertTrue(e.getMessage().contains("invalid regular expression"), e.getMessage());
    }

    @Test
    void selectorShapeIsValidated() {
        assertEquals("{app=~\"pay.*\", env!=`dev`}", new StreamSelector(" {app=~\"pay.*\", env!=`dev`} ").text());
        for (String bad : List.of("app=\"x\"", "{}", "{app=x}", "{app=\"x\"} |= \"y\"", "{app=\"x\",}", "{app!=\"x\"}",
                "{app=\"\"}", "{1app=\"x\"}")) {
            assertThrows(IllegalArgumentException.class, () -> new StreamSelector(bad), bad);
        }
    }
}
