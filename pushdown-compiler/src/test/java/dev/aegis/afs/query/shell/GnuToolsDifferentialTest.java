package dev.aegis.afs.query.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same pipeline through bash with GNU grep, tail, head and wc, and through
 * {@link ShellQueryParser} plus the reference {@link LocalEvaluator}: the bytes must be equal.
 * {@code FILE} in each script stands for the log file. Skipped where bash is missing.
 */
class GnuToolsDifferentialTest {

    private static final List<String> LOG = List.of(
            "2026-11-21T10:00:00Z INFO api started",
            "2026-11-21T10:00:01Z ERROR OOMKilled pod api-7",
            "2026-11-21T10:00:02Z INFO GET /healthz 200",
            "",
            "2026-11-21T10:00:03Z WARN oom score high",
            "2026-11-21T10:00:04Z INFO GET /healthz 200",
            "2026-11-21T10:00:05Z ERROR a*b literal",
            "2026-11-21T10:00:06Z INFO delta.x done",
            "2026-11-21T10:00:07Z INFO deltaXx done",
            "2026-11-21T10:00:08Z ERROR timeout after 30s",
            "\tindented continuation",
            "2026-11-21T10:00:09Z INFO GET /healthz 200",
            "2026-11-21T10:00:10Z INFO api stopping");

    @TempDir
    static Path dir;
    private static Path file;

    @BeforeAll
    static void writeLog() throws IOException {
        file = dir.resolve("api.log");
        Files.writeString(file, String.join("\n", LOG) + "\n", StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "cat FILE",
        "tail FILE",
        "head FILE",
        "tail -n 3 FILE",
        "tail -3 FILE",
        "tail -n -4 FILE",
        "head -n +3 FILE",
        "head -n 0 FILE",
        "tail -n 0 FILE",
        "head -n 0 FILE | wc -l",
        "tail -n 0 FILE | wc -l",
        "cat FILE | wc -l",
        "cat FILE | wc -l | wc -l",
        "tail -n 5 FILE | head -n 2",
        "head -n 20 FILE | tail -n 3 | wc -l",
        "cat FILE | tail -n 100 | head -n 100",
        "tail --lines=2 FILE | cat",
        "head FILE -n 4",
    })
    void withoutGrep(String script) throws Exception {
        compare(script);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "grep -i oom FILE",
        "grep -c oom FILE",
        "grep oom FILE | wc -l",
        "grep -ic OOM FILE",
        "grep -i oom FILE | wc -l",
        "grep -c nomatch FILE",
        "grep nomatch FILE | wc -l",
        "grep -v healthz FILE | tail -n 2",
        "grep -F 'a*b' FILE",
        "grep 'a*b' FILE",
        "grep -e started -e stopping FILE",
        "grep -x '' FILE | wc -l",
        "grep -w delta FILE",
        "grep -E 'delta(X|\\.)x' FILE",
        "grep 'delta.x' FILE",
        "grep -F delta.x FILE",
        "grep '' FILE | wc -l",
        "grep -v '' FILE | wc -l",
        "cat FILE | grep ERROR | grep -v OOM | head -n 1",
        "grep -c ERROR FILE | wc -l",
        "tail -n 4 FILE | grep -c healthz",
    })
    void withGrep(String script) throws Exception {
        compare(script);
    }

    private static void compare(String script) throws Exception {
        String bash = bash(script.replace("FILE", file.toString()));
        ShellQuery query;
        try {
            query = ShellQueryParser.parse(script.replace("FILE", file.toString()));
        } catch (UnsupportedOperationException e) {
            abort("GrepPatterns.compile is not implemented yet");
            return;
        }
        assertEquals(file.toString(), query.path());
        assertEquals(bash, evaluate(query.query()), script + " as " + query.query());
    }

    private static String bash(String script) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "bash is not installed");
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", "-c", script).redirectErrorStream(false);
        builder.environment().put("LC_ALL", "C");
        Process process = builder.start();
        try {
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            process.waitFor(30, TimeUnit.SECONDS);
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            process.destroyForcibly();
        }
    }

    private static String evaluate(LogQuery query) {
        StringBuilder out = new StringBuilder();
        LineSink sink = LocalEvaluator.pipeline(query, new LineSink() {
            @Override
            public boolean accept(LogLine line) {
                out.append(line.text()).append('\n');
                return true;
            }

            @Override
            public void end() {
            }
        });
        for (String line : LOG) {
            if (!sink.accept(new LogLine(null, line))) {
                break;
            }
        }
        sink.end();
        return out.toString();
    }
}
