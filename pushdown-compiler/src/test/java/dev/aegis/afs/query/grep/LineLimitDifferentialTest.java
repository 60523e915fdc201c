package dev.aegis.afs.query.grep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LocalEvaluator's tail, head, count and filter stages against GNU tail -n, head -n, wc -l and
 * grep -c on the same newline-terminated data, including 0, 1, more than the input and empty input.
 */
class LineLimitDifferentialTest {

    private static final List<List<String>> INPUTS = List.of(
            List.of(),
            List.of("only"),
            List.of("", ""),
            IntStream.rangeClosed(1, 7).mapToObj(i -> "line " + i + (i % 2 == 0 ? " error" : "")).toList());
    private static final long[] COUNTS = {0, 1, 3, 7, 100};

    @Test
    void limitsAndCountsAgreeWithCoreutils(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(GnuGrep.available(), "GNU tools are not installed");
        for (List<String> input : INPUTS) {
            for (long n : COUNTS) {
                assertSame("tail -n " + n + " \"$1\"", input, LogQuery.of(LineLimit.newest(n)), dir);
                assertSame("head -n " + n + " \"$1\"", input, LogQuery.of(LineLimit.oldest(n)), dir);
                assertSame("tail -n " + n + " \"$1\" | head -n 2", input,
                        LogQuery.of(LineLimit.newest(n), LineLimit.oldest(2)), dir);
                assertSame("head -n " + n + " \"$1\" | wc -l", input,
                        LogQuery.of(LineLimit.oldest(n), new CountLines()), dir);
                assertSame("grep -c error \"$1\" | tail -n " + n, input,
                        LogQuery.of(filter("error"), new CountLines(), LineLimit.newest(n)), dir);
            }
            assertSame("wc -l < \"$1\"", input, LogQuery.of(new CountLines()), dir);
            assertSame("grep -c error \"$1\"", input, LogQuery.of(filter("error"), new CountLines()), dir);
            assertSame("grep -v error \"$1\" | tail -n 2", input, LogQuery.of(invert("error"), LineLimit.newest(2)), dir);
            assertSame("grep error \"$1\" | head -n 1", input, LogQuery.of(filter("error"), LineLimit.oldest(1)), dir);
        }
    }

    /** A window that ends before the last lines stops the read early; the count must still print once. */
    @Test
    void aTimeWindowCutsTheCountLikeHead(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(GnuGrep.available(), "GNU tools are not installed");
        List<String> input = INPUTS.get(3);
        java.time.Instant t0 = java.time.Instant.parse("2026-01-01T00:00:00Z");
        List<LogLine> timed = IntStream.range(0, input.size())
                .mapToObj(i -> new LogLine(t0.plusSeconds(i), input.get(i))).toList();
        LogQuery query = new LogQuery(new dev.aegis.afs.query.TimeRange(null, t0.plusSeconds(4)), List.of(new CountLines()));
        String gnu = GnuGrep.shell(dir, input, "head -n 4 \"$1\" | wc -l").trim();
        assertEquals(List.of(gnu), runLines(query, timed));
    }

    private static Stage filter(String pattern) {
        return GrepPatterns.compile(List.of(pattern), GrepOptions.DEFAULT);
    }

    private static Stage invert(String pattern) {
        return GrepPatterns.compile(List.of(pattern), new GrepOptions(GrepOptions.Syntax.BASIC, false, true, false, false));
    }

    private static void assertSame(String command, List<String> input, LogQuery query, Path dir) throws Exception {
        String gnu = GnuGrep.shell(dir, input, command);
        List<String> expected = gnu.isEmpty() ? List.of() : List.of(gnu.substring(0, gnu.length() - 1).split("\n", -1));
        assertEquals(expected.stream().map(String::trim).toList(), run(query, input), command + " over " + input);
    }

    private static List<String> run(LogQuery query, List<String> input) {
        return runLines(query, input.stream().map(text -> new LogLine(null, text)).toList());
    }

    private static List<String> runLines(LogQuery query, List<LogLine> input) {
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
        for (LogLine line : input) {
            if (!sink.accept(line)) {
                break;
            }
        }
        sink.end();
        return out;
    }
}
