package dev.aegis.afs.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import dev.aegis.afs.query.path.PathQueryParser;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LogQueryCompilerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);
    private static final String LOG_KEYS = "log files take grep, grep-v, grep-i, grep-F, tail, head, since, from, to, raw, labels";

    private static LogQuery compile(String text) {
        return LogQueryCompiler.compile(PathQueryParser.parse(text), CLOCK);
    }

    static Stream<Arguments> plans() {
        return Stream.of(
                Arguments.of("", "cat"),
                Arguments.of("since=1h&grep-i=oom&grep-v=healthz&tail=50",
                        "time [2026-11-21T11:00:00Z, now) | grep -i -e 'oom' | grep -v -e 'healthz' | tail -n 50"),
                Arguments.of("grep=a.c", "grep -e 'a.c'"),
                Arguments.of("grep-F=a.c", "grep -F -e 'a.c'"),
                Arguments.of("grep=", "grep -e ''"),
                Arguments.of("grep=a%7Cb", "grep -e 'a|b'"),
                Arguments.of("grep=x&grep=y", "grep -e 'x' | grep -e 'y'"),
                Arguments.of("grep-v=a&grep-v=b", "grep -v -e 'a' | grep -v -e 'b'"),
                // filters first, in the order written; then limits in the order written
                Arguments.of("tail=5&grep=x", "grep -e 'x' | tail -n 5"),
                Arguments.of("tail=50&head=10", "tail -n 50 | head -n 10"),
                Arguments.of("head=10&tail=50", "head -n 10 | tail -n 50"),
                Arguments.of("head=3&grep=b&tail=2&grep-v=c", "grep -e 'b' | grep -v -e 'c' | head -n 3 | tail -n 2"),
                Arguments.of("tail=0", "tail -n 0"),
                Arguments.of("head=10000000", "head -n 10000000"),
                Arguments.of("tail=007", "tail -n 7"),
                // the clock is injected: since resolves against it
                Arguments.of("since=30s", "time [2026-11-21T11:59:30Z, now)"),
                Arguments.of("since=15m", "time [2026-11-21T11:45:00Z, now)"),
                Arguments.of("since=2h", "time [2026-11-21T10:00:00Z, now)"),
                Arguments.of("since=7d", "time [2026-11-14T12:00:00Z, now)"),
                Arguments.of("since=0s", "time [2026-11-21T12:00:00Z, now)"),
                Arguments.of("from=2026-11-21T09:00:00Z", "time [2026-11-21T09:00:00Z, now)"),
                Arguments.of("to=2026-11-21T09:00:00Z", "time [-inf, 2026-11-21T09:00:00Z)"),
                // '+' is a literal plus, so offsets need no escaping
                Arguments.of("from=2026-11-21T10:00:00+01:00&to=2026-11-21T11:30:00.5-01:00",
                        "time [2026-11-21T09:00:00Z, 2026-11-21T12:30:00.500Z)"),
                Arguments.of("from=2026-11-21t09:00:00z", "time [2026-11-21T09:00:00Z, now)"),
                Arguments.of("since=1h&to=2026-11-21T11:30:00Z", "time [2026-11-21T11:00:00Z, 2026-11-21T11:30:00Z)"),
                Arguments.of("from=2026-11-21T09:00:00Z&to=2026-11-21T09:00:00Z",
                        "time [2026-11-21T09:00:00Z, 2026-11-21T09:00:00Z)"));
    }

    @ParameterizedTest(name = "[{index}] {0}|")
    @MethodSource
    void plans(String text, String expected) {
        assertEquals(expected, compile(text).toString());
    }

    @Test
    void typicalQueryHasTheExactStages() {
        LogQuery query = compile("since=1h&grep-i=oom&grep-v=healthz&grep-F=a.b&grep=x+&tail=50&head=5");
        assertEquals(new TimeRange(Instant.parse("2026-11-21T11:00:00Z"), null), query.range());
        assertEquals(List.of(
                LineFilter.keep(new Match("oom", false, true)),
                LineFilter.drop(Match.regex("healthz")),
                LineFilter.keep(Match.literal("a.b")),
                LineFilter.keep(Match.regex("x+")),
                LineLimit.newest(50),
                LineLimit.oldest(5)), query.stages());
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("grep=(oom", "column 1: grep=(oom is not a valid regular expression: missing closing );"
                        + " fix it (RE2 syntax, https://github.com/google/re2/wiki/Syntax) or use grep-F= to match the"
                        + " text literally"),
                Arguments.of("tail=5&grep-i=a**", "column 8: grep-i=a** is not a valid regular expression: invalid"
                        + " nested repetition operator; fix it (RE2 syntax, https://github.com/google/re2/wiki/Syntax)"
                        + " or use grep-F= to match the text literally"),
                Arguments.of("grep-v=a(?P=n)", "column 1: grep-v=a(?P=n) is not a valid regular expression: invalid or"
                        + " unsupported Perl syntax; fix it (RE2 syntax, https://github.com/google/re2/wiki/Syntax) or use"
                        + " grep-F= to match the text literally"),
                Arguments.of("tail=-1", "column 1: tail=-1 is not a line count; write a whole number from 0 to 10000000,"
                        + " e.g. tail=50"),
                Arguments.of("head=10000001", "column 1: head=10000001 is not a line count; write a whole number from 0"
                        + " to 10000000, e.g. head=50"),
                Arguments.of("tail=", "column 1: tail= is not a line count; write a whole number from 0 to 10000000,"
                        + " e.g. tail=50"),
                Arguments.of("tail=5k", "column 1: tail=5k is not a line count; write a whole number from 0 to"
                        + " 10000000, e.g. tail=50"),
                Arguments.of("tail=99999999999999999999", "column 1: tail=99999999999999999999 is not a line count;"
                        + " write a whole number from 0 to 10000000, e.g. tail=50"),
                Arguments.of("since=1y", "column 1: since=1y is not a duration; write a whole number and a unit s, m,"
                        + " h or d, e.g. since=15m"),
                Arguments.of("since=1h30m", "column 1: since=1h30m is not a duration; write a whole number and a unit"
                        + " s, m, h or d, e.g. since=15m"),
                Arguments.of("since=h", "column 1: since=h is not a duration; write a whole number and a unit s, m, h"
                        + " or d, e.g. since=15m"),
                Arguments.of("since=1h&from=2026-11-21T10:00:00Z", "column 10: 'since' and 'from' both set the start"
                        + " of the window (first at column 1); use one"),
                Arguments.of("from=2026-11-21T10:00:00Z&since=1h", "column 27: 'since' and 'from' both set the start"
                        + " of the window (first at column 1); use one"),
                Arguments.of("since=1h&since=2h", "column 10: 'since' is given twice (first at column 1); keep one"),
                Arguments.of("to=2026-11-21T10:00:00Z&to=2026-11-21T11:00:00Z",
                        "column 25: 'to' is given twice (first at column 1); keep one"),
                Arguments.of("from=2026-11-21T10:00:00Z&to=2026-11-21T09:59:59Z", "column 27: the window ends"
                        + " (to=2026-11-21T09:59:59Z) before it starts (from=2026-11-21T10:00:00Z,"
                        + " 2026-11-21T10:00:00Z); make 'to' later than the start"),
                Arguments.of("to=2026-11-21T10:00:00Z&since=1h", "column 25: the window ends (to=2026-11-21T10:00:00Z)"
                        + " before it starts (since=1h, 2026-11-21T11:00:00Z); make 'to' later than the start"),
                Arguments.of("from=2026-11-21", "column 1: from=2026-11-21 is not an RFC 3339 time; write e.g."
                        + " from=2026-11-21T09:00:00Z or with an offset, 2026-11-21T10:00:00+01:00"),
                Arguments.of("to=2026-11-21T10:00:00", "column 1: to=2026-11-21T10:00:00 is not an RFC 3339 time;"
                        + " write e.g. to=2026-11-21T09:00:00Z or with an offset, 2026-11-21T10:00:00+01:00"),
                Arguments.of("from=1700000000", "column 1: from=1700000000 is not an RFC 3339 time; write e.g."
                        + " from=2026-11-21T09:00:00Z or with an offset, 2026-11-21T10:00:00+01:00"),
                Arguments.of("tail=5&gerp=oom", "column 8: unknown key 'gerp'; did you mean 'grep'? " + LOG_KEYS),
                Arguments.of("grep-f=x", "column 1: unknown key 'grep-f'; did you mean 'grep-F'? " + LOG_KEYS),
                Arguments.of("tial=5", "column 1: unknown key 'tial'; did you mean 'tail'? " + LOG_KEYS),
                Arguments.of("sinse=1h", "column 1: unknown key 'sinse'; did you mean 'since'? " + LOG_KEYS),
                Arguments.of("limit=5", "column 1: unknown key 'limit'; " + LOG_KEYS),
                Arguments.of("x=1", "column 1: unknown key 'x'; " + LOG_KEYS),
                Arguments.of("window=5m", "column 1: 'window' is only valid on metrics files (metrics/<name>.prom); "
                        + LOG_KEYS),
                Arguments.of("tail=1&step=30s", "column 8: 'step' is only valid on metrics files"
                        + " (metrics/<name>.prom); " + LOG_KEYS),
                Arguments.of("at=x", "column 1: 'at' is only valid on metrics files (metrics/<name>.prom); " + LOG_KEYS),
                Arguments.of("fn=rate", "column 1: 'fn' is only valid on metrics files (metrics/<name>.prom); "
                        + LOG_KEYS),
                Arguments.of("by=pod", "column 1: 'by' is only valid on metrics files (metrics/<name>.prom); "
                        + LOG_KEYS),
                Arguments.of("match=x", "column 1: 'match' is only valid on metrics files (metrics/<name>.prom); "
                        + LOG_KEYS));
    }

    @ParameterizedTest(name = "[{index}] {0}|")
    @MethodSource
    void errors(String text, String message) {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> compile(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void logKeysAreExposedInMessageOrder() {
        assertEquals(List.of("grep", "grep-v", "grep-i", "grep-F", "tail", "head", "since", "from", "to", "raw", "labels"),
                List.copyOf(LogQueryCompiler.LOG_KEYS));
    }

    @Test
    void sinceMovesWithTheClock() {
        Clock later = Clock.offset(CLOCK, java.time.Duration.ofMinutes(10));
        LogQuery query = LogQueryCompiler.compile(PathQueryParser.parse("since=15m"), later);
        assertEquals(Instant.parse("2026-11-21T11:55:00Z"), query.range().from());
    }

    @Test
    void tailThenHeadTakesTheOldestOfTheNewest() {
        // 100 lines; newest 50 are 51..100; the oldest 10 of those are 51..60
        assertEquals(lines(51, 60), run(compile("tail=50&head=10"), lines(1, 100)));
        // written the other way, head runs first: the oldest 10, then the newest 50 of those
        assertEquals(lines(1, 10), run(compile("head=10&tail=50"), lines(1, 100)));
    }

    @Test
    void filtersRunBeforeLimitsWhateverTheOrderWritten() {
        // lines ending in 0 among 1..100 are 10, 20, ..., 100: the newest two are 90 and 100
        assertEquals(List.of("90", "100"), run(compile("tail=2&grep=0$"), lines(1, 100)));
    }

    @Test
    void filtersAnd() {
        assertEquals(List.of("10", "11", "12"), run(compile("grep=1&grep-v=^1$&grep-F=1&head=3"), lines(1, 100)));
    }

    @Test
    void emptyPatternKeepsEveryLineAndEmptyExclusionDropsEveryLine() {
        assertEquals(lines(1, 3), run(compile("grep="), lines(1, 3)));
        assertEquals(List.of(), run(compile("grep-v="), lines(1, 3)));
    }

    private static List<String> lines(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(Integer::toString).toList();
    }

    private static List<String> run(LogQuery query, List<String> input) {
        List<String> out = new ArrayList<>();
        LineSink sink = LocalEvaluator.pipeline(query, new LineSink() {
            @Override
            public boolean accept(LogLine line) {
                out.add(line.text());
                return true;
            }

            @Override
            public void end() {
            }
        });
        for (String text : input) {
            if (!sink.accept(new LogLine(null, text))) {
                break;
            }
        }
        sink.end();
        return out;
    }
}
