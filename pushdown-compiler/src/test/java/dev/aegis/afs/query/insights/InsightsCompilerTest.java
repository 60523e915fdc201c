package dev.aegis.afs.query.insights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InsightsCompilerTest {

    private static final String HEAD = "logGroups=[/aws/lambda/pay] start=now-24h end=now query=fields @timestamp, @message";
    private final InsightsCompiler compiler = new InsightsCompiler(List.of("/aws/lambda/pay"), Optional.empty(), Duration.ofHours(24));

    private Pushdown<InsightsQuery> compile(LogQuery plan) {
        return compiler.compile(plan);
    }

    @Test
    void plainReadIsAscendingAtTheRowCap() {
        Pushdown<InsightsQuery> p = compile(LogQuery.ALL);
        assertEquals(HEAD + " | sort @timestamp asc | limit 10000", p.query().text());
        assertEquals(LogQuery.ALL, p.residual());
    }

    @Test
    void exactLiteralsAndTailArePushedWhole() {
        Pushdown<InsightsQuery> p = compile(LogQuery.of(LineFilter.keep(Match.literal("timeout")),
                LineFilter.drop(Match.literal("GET /healthz"), Match.literal("kube-probe/1.29")), LineLimit.newest(50)));
        assertEquals(HEAD + " | filter @message like \"timeout\""
                + " | filter not @message like \"GET /healthz\" and not @message like \"kube-probe/1.29\""
                + " | sort @timestamp desc | limit 50", p.query().text());
        assertEquals(LogQuery.ALL, p.residual());
    }

    @Test
    void severalLiteralsOfOneFilterAreAnOr() {
        Pushdown<InsightsQuery> p = compile(LogQuery.of(LineFilter.keep(Match.literal("ERROR"), Match.literal("FATAL")),
                LineLimit.oldest(5), new CountLines()));
        assertEquals(HEAD + " | filter (@message like \"ERROR\" or @message like \"FATAL\") | sort @timestamp asc | limit 5",
                p.query().text());
        assertEquals(LogQuery.of(new CountLines()), p.residual());
    }

    @Test
    void aRegexPushesItsRequiredLiteralsAsASupersetAndStaysLocalWithTheLimit() {
        LineFilter regex = LineFilter.keep(Match.regex("time(out)? calling \\w+ bank\\.com"));
        Pushdown<InsightsQuery> p = compile(LogQuery.of(regex, LineLimit.newest(10)));
        assertEquals(HEAD + " | filter (@message like \"time\" and @message like \" calling \" and @message like \" bank.com\")"
                + " | sort @timestamp asc | limit 10000", p.query().text());
        assertEquals(LogQuery.of(regex, LineLimit.newest(10)), p.residual());
    }

    @Test
    void whatCannotBeBoundedStaysLocalAndUnpushed() {
        LineFilter ignoreCase = LineFilter.keep(new Match("oom", true, true));
        LineFilter alternation = LineFilter.keep(Match.regex("ERROR|WARN"));
        LineFilter dropRegex = LineFilter.drop(Match.regex("^GET"));
        LineFilter mixedOr = LineFilter.keep(Match.literal("ERROR"), new Match("warn", true, true));
        for (LineFilter f : List.of(ignoreCase, alternation, dropRegex, mixedOr)) {
            Pushdown<InsightsQuery> p = compile(LogQuery.of(f, LineLimit.newest(3)));
            assertEquals(HEAD + " | sort @timestamp asc | limit 10000", p.query().text(), f.toString());
            assertEquals(LogQuery.of(f, LineLimit.newest(3)), p.residual(), f.toString());
        }
    }

    @Test
    void aHostileLiteralPushesItsWritablePiecesAsASuperset() {
        LineFilter hostile = LineFilter.keep(Match.literal("say \"hi\" \\ `x` 50%* \n\"hi\""));
        Pushdown<InsightsQuery> p = compile(LogQuery.of(hostile, LineLimit.newest(3)));
        assertEquals(HEAD + " | filter (@message like \"say \" and @message like \"hi\" and @message like \"x\""
                + " and @message like \" 50\") | sort @timestamp asc | limit 10000", p.query().text());
        assertEquals(LogQuery.of(hostile, LineLimit.newest(3)), p.residual());
        LineFilter dropHostile = LineFilter.drop(Match.literal("a\"b"));
        assertEquals(HEAD + " | sort @timestamp asc | limit 10000", compile(LogQuery.of(dropHostile)).query().text());
        LineFilter onlyQuotes = LineFilter.keep(Match.literal("\"'`"));
        assertEquals(HEAD + " | sort @timestamp asc | limit 10000", compile(LogQuery.of(onlyQuotes)).query().text());
    }

    @Test
    void exactFiltersArePushedEvenWhenAnotherStaysLocal() {
        LineFilter local = LineFilter.keep(Match.regex("\\d{3}ms$"));
        Pushdown<InsightsQuery> p = compile(LogQuery.of(LineFilter.keep(Match.literal("POST /pay")), local, LineLimit.newest(2)));
        assertEquals(HEAD + " | filter @message like \"POST /pay\" | filter @message like \"ms\" | sort @timestamp asc | limit 10000",
                p.query().text());
        assertEquals(LogQuery.of(local, LineLimit.newest(2)), p.residual());
    }

    @Test
    void requiredLiteralsAreConservative() {
        assertEquals(List.of("time", " calling"), RequiredLiterals.of("time(out)? calling"));
        assertEquals(List.of("ab"), RequiredLiterals.of("abc?"));
        assertEquals(List.of("a"), RequiredLiterals.of("a+b*"));
        assertEquals(List.of("a", "b"), RequiredLiterals.of("a+b+"));
        assertEquals(List.of("x", "y"), RequiredLiterals.of("x[|]y"));
        assertEquals(List.of(), RequiredLiterals.of("a|b"));
        assertEquals(List.of(), RequiredLiterals.of("(?i)abc"));
        assertEquals(List.of("foo", "bar"), RequiredLiterals.of("^foo\\b.*\\d{2,}bar$"));
        assertEquals(List.of("a.b", "c"), RequiredLiterals.of("a\\.b\\pLc"));
        assertEquals(List.of("a"), RequiredLiterals.of("ab{2}")); // conservative: b{2} is dropped
        assertEquals(List.of("end"), RequiredLiterals.of("(x|y)end"));
    }

    @Test
    void timeRangeIsShownAndStreamPrefixIsAnExactCondition() {
        InsightsCompiler withPrefix = new InsightsCompiler(List.of("/a", "/b"), Optional.of("payment-api/prod.1"), Duration.ofHours(2));
        TimeRange range = new TimeRange(Instant.parse("2026-11-21T10:00:00Z"), Instant.parse("2026-11-21T11:00:00.5Z"));
        Pushdown<InsightsQuery> p = withPrefix.compile(LogQuery.of(LineLimit.newest(7)).withRange(range));
        assertEquals("logGroups=[/a, /b] start=2026-11-21T10:00:00Z end=2026-11-21T11:00:00.500Z query=fields @timestamp, @message"
                + " | filter @logStream like /^payment-api\\/prod\\.1/ | sort @timestamp desc | limit 7", p.query().text());
        assertEquals("fields @timestamp, @message | filter toMillis(@timestamp) >= 1 and toMillis(@timestamp) < 2"
                + " | filter @logStream like /^payment-api\\/prod\\.1/ | sort @timestamp desc | limit 7", p.query().queryString(1, 2, 7));
        assertEquals(LogQuery.ALL, p.residual());
        assertEquals(HEAD.replace("24h", "2h").replace("/aws/lambda/pay", "/a, /b") + " | filter @logStream like /^payment-api\\/prod\\.1/"
                + " | sort @timestamp asc | limit 10000", withPrefix.compile(LogQuery.ALL).query().text());
        assertThrows(IllegalArgumentException.class, () -> InsightsCompiler.streamCondition("a b"));
        assertThrows(IllegalArgumentException.class, () -> InsightsCompiler.streamCondition("a/(x"));
    }

    @Test
    void invalidRegexIsRefused() {
        assertThrows(QuerySyntaxException.class, () -> compile(LogQuery.of(LineFilter.keep(Match.regex("[a")))));
    }
}
