package dev.aegis.afs.core.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same bytes through the file backend and through GNU tail, head and grep -F. */
class GnuToolsDifferentialTest {

    @TempDir
    Path dir;

    private Path file;
    private FileLogSource source;

    @BeforeEach
    void writeLog() throws IOException {
        Random random = new Random(7);
        StringBuilder out = new StringBuilder();
        Instant t = Instant.parse("2026-11-21T20:00:00Z");
        String[] words = {"OOM", "oom", "GET /api", "ERROR", "ünï", "timeout", "a.b*c", "x"};
        for (int i = 0; i < 40_000; i++) {
            t = t.plusMillis(random.nextInt(50));
            if (random.nextInt(6) == 0) {
                out.append("\tat frame ").append(i);
            } else {
                out.append(StreamFixture.stamp(t)).append(" INFO ");
            }
            for (int w = random.nextInt(5); w > 0; w--) {
                out.append(' ').append(words[random.nextInt(words.length)]);
            }
            if (random.nextInt(500) == 0) {
                out.append("y".repeat(200_000)); // longer than the first tail window
            }
            out.append(random.nextInt(100) == 0 ? "\r\n" : "\n");
        }
        out.append("last line without newline OOM");
        file = dir.resolve("logs/app.log");
        StreamFixture.write(file, out.toString());
        source = StreamFixture.stream(StreamFixture.backend(dir, "logs"), "path: app.log\n");
    }

    @Test
    void tailMatchesGnuTail() throws Exception {
        for (int n : new int[] {0, 1, 50, 1000, 39_999, 50_000}) {
            assertEquals(run("tail", "-n", Integer.toString(n), file.toString()),
                    text(StreamFixture.read(source, LogQuery.of(LineLimit.newest(n))).lines()), "tail -n " + n);
        }
    }

    @Test
    void headMatchesGnuHead() throws Exception {
        for (int n : new int[] {0, 1, 50, 1000, 50_000}) {
            assertEquals(run("head", "-n", Integer.toString(n), file.toString()),
                    text(StreamFixture.read(source, LogQuery.of(LineLimit.oldest(n))).lines()), "head -n " + n);
        }
    }

    @Test
    void literalGrepCountMatchesGnuGrep() throws Exception {
        for (String needle : List.of("OOM", "oom", "ünï", "a.b*c", "GET /api", "not present", "\tat")) {
            String grep = run("sh", "-c", "grep -F -e \"$1\" \"$2\" | wc -l", "sh", needle, file.toString()).strip();
            List<LogLine> count = StreamFixture.read(source, LogQuery.of(LineFilter.keep(
                    dev.aegis.afs.query.Match.literal(needle)), new CountLines())).lines();
            assertEquals(grep, count.get(0).text(), "grep -F " + needle + " | wc -l");
        }
    }

    @Test
    void tailOfLiteralGrepMatchesGnuPipeline() throws Exception {
        String gnu = run("sh", "-c", "grep -F -e OOM \"$1\" | tail -n 25", "sh", file.toString());
        List<LogLine> ours = StreamFixture.read(source, LogQuery.of(LineFilter.keep(
                dev.aegis.afs.query.Match.literal("OOM")), LineLimit.newest(25))).lines();
        assertEquals(gnu, text(ours) + "\n", "grep terminates the last line; tail -n does not add one");
    }

    /** Lines as the tools print them: each followed by a newline, except an unterminated last one. */
    private String text(List<LogLine> lines) throws IOException {
        String joined = lines.stream().map(LogLine::text).collect(Collectors.joining("\n"));
        boolean lastUnterminated = !lines.isEmpty()
                && lines.get(lines.size() - 1).text().equals("last line without newline OOM");
        return lines.isEmpty() ? "" : joined + (lastUnterminated ? "" : "\n");
    }

    private static String run(String... command) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, command[0] + " is not installed");
            throw e;
        }
        try {
            byte[] out = process.getInputStream().readAllBytes();
            assumeTrue(process.waitFor(60, TimeUnit.SECONDS), command[0] + " did not finish");
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            process.destroyForcibly();
        }
    }
}
