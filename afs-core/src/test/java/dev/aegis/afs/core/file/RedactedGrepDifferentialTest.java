package dev.aegis.afs.core.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.core.redact.Redactor;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.local.LocalEvaluator;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A keep-filter decided on served (redacted) text, as a plain {@code grep} on the mount is: the
 * file backend skips raw lines without a marker-safe literal before decoding them, then decides
 * on the redacted text. The lines it serves must be those GNU grep prints over the served bytes
 * (the redacted file), including awkward bytes: literals at a line's start and end, CRLF,
 * invalid UTF-8, a final line without a newline, {@code -i}, a secret that redaction hides,
 * and a time-bounded read.
 */
class RedactedGrepDifferentialTest {

    private static final String SECRET = "password=hunter2-wolfsbane";

    @TempDir
    Path dir;

    private final List<byte[]> raw = new ArrayList<>();
    private final List<Instant> times = new ArrayList<>();
    private FileLogSource source;
    private UnaryOperator<String> served;

    @BeforeEach
    void writeLog() throws IOException {
        Random random = new Random(11);
        Instant t = Instant.parse("2026-11-21T20:00:00Z");
        String[] words = {"OOMKilled", "oomkilled", "GET /api", "ERROR", "ünï", "timeout", SECRET, "wolf", "end"};
        for (int i = 0; i < 20_000; i++) {
            t = t.plusMillis(random.nextInt(40));
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean continuation = random.nextInt(7) == 0;
            if (continuation) {
                // a stack frame: no timestamp, it belongs to the line before; may start with a literal
                line.writeBytes((random.nextBoolean() ? "OOMKilled at frame " : "\tat frame ").getBytes(StandardCharsets.UTF_8));
            } else {
                line.writeBytes((StreamFixture.stamp(t) + " INFO").getBytes(StandardCharsets.UTF_8));
            }
            for (int w = random.nextInt(4); w > 0; w--) {
                line.writeBytes((" " + words[random.nextInt(words.length)]).getBytes(StandardCharsets.UTF_8));
            }
            if (random.nextInt(50) == 0) {
                line.writeBytes(new byte[] {' ', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, 'O', 'O', 'M', 'K', 'i', 'l', 'l', 'e', 'd'});
            }
            if (random.nextInt(60) == 0) {
                line.writeBytes(" OOMKilled".getBytes(StandardCharsets.UTF_8)); // the literal at the line's end
            }
            if (random.nextInt(40) == 0) {
                line.write('\r');
            }
            raw.add(line.toByteArray());
            times.add(t);
        }
        raw.add((StreamFixture.stamp(t.plusMillis(5)) + " last line without newline OOMKilled").getBytes(StandardCharsets.UTF_8));
        times.add(t.plusMillis(5));

        ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (int i = 0; i < raw.size(); i++) {
            file.writeBytes(raw.get(i));
            if (i < raw.size() - 1) {
                file.write('\n');
            }
        }
        Path log = dir.resolve("logs/app.log");
        Files.createDirectories(log.getParent());
        Files.write(log, file.toByteArray());
        source = StreamFixture.stream(StreamFixture.backend(dir, "logs"), "path: app.log\n");
        Redactor redactor = Redactor.withBuiltins(List.of(), Optional.empty()).forRead();
        served = redactor::redact;
        assertFalse(served.apply("x " + SECRET).contains("wolfsbane"), "the built-in rules hide the password");
    }

    @Test
    void literalsMatchGnuGrepOnTheServedBytes() throws Exception {
        Path servedFile = writeServed(TimeRange.ALL);
        for (String literal : List.of("OOMKilled", "Killed", "ERROR", "ünï", "end", "2026-11-21T20:00", "GET /api", "not present")) {
            assertEquals(grep(servedFile, literal, false), read(literal, false, TimeRange.ALL), "grep -F " + literal);
        }
    }

    @Test
    void ignoreCaseMatchesGnuGrep() throws Exception {
        Path servedFile = writeServed(TimeRange.ALL);
        for (String literal : List.of("oomkilled", "Error", "WOLF")) {
            assertEquals(grep(servedFile, literal, true), read(literal, true, TimeRange.ALL), "grep -i -F " + literal);
        }
    }

    @Test
    void aSecretRedactionHidesIsNotFoundByPartOfIt() throws Exception {
        assertTrue(raw.stream().anyMatch(b -> new String(b, StandardCharsets.UTF_8).contains("wolfsbane")), "the raw file holds the secret");
        assertEquals(List.of(), read("wolfsbane", false, TimeRange.ALL), "only served text is searched");
        assertEquals(List.of(), read("hunter2", false, TimeRange.ALL));
        // "wolf" alone is a word of its own on some lines: those lines, and only those, are found
        Path servedFile = writeServed(TimeRange.ALL);
        List<String> wolf = read("wolf", false, TimeRange.ALL);
        assertFalse(wolf.isEmpty());
        assertEquals(grep(servedFile, "wolf", false), wolf);
    }

    @Test
    void timeBoundedReadMatchesGnuGrepOnTheSlice() throws Exception {
        TimeRange range = new TimeRange(times.get(5_000), times.get(12_000));
        Path slice = writeServed(range);
        for (String literal : List.of("OOMKilled", "ERROR", "frame")) {
            assertEquals(grep(slice, literal, false), read(literal, false, range), "grep -F " + literal + " over the range");
        }
    }

    private List<String> read(String literal, boolean ignoreCase, TimeRange range) throws Exception {
        LogQuery query = new LogQuery(range, List.of(LineFilter.keep(new Match(literal, true, ignoreCase))));
        Pushdown<ScanPlan> plan = source.planOnServedText(query, served).orElseThrow();
        List<String> out = new ArrayList<>();
        LineSink sink = LocalEvaluator.pipeline(plan.residual(), new LineSink() {
            @Override
            public boolean accept(LogLine line) {
                out.add(served.apply(line.text()));
                return true;
            }

            @Override
            public void end() {
            }
        });
        source.fetch(plan, sink);
        sink.end();
        return out;
    }

    /**
     * The served bytes of the lines in {@code range} (a continuation line has the time of the
     * line before), each as the backend decodes it: UTF-8 with malformed bytes replaced.
     */
    private Path writeServed(TimeRange range) throws IOException {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < raw.size(); i++) {
            Instant t = times.get(i);
            if ((range.from() == null || !t.isBefore(range.from())) && (range.to() == null || t.isBefore(range.to()))) {
                out.append(served.apply(new String(raw.get(i), StandardCharsets.UTF_8))).append('\n');
            }
        }
        Path file = Files.createTempFile(dir, "served", ".log");
        Files.writeString(file, out);
        return file;
    }

    private static List<String> grep(Path file, String literal, boolean ignoreCase) throws Exception {
        List<String> command = new ArrayList<>(List.of("grep", "-a", "-F"));
        if (ignoreCase) {
            command.add("-i");
        }
        command.addAll(List.of("-e", literal, "--", file.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("LC_ALL", "C.UTF-8");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            assumeTrue(false, "grep is not installed");
            throw e;
        }
        try {
            byte[] out = process.getInputStream().readAllBytes();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "grep did not finish");
            String text = new String(out, StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            lines.remove(lines.size() - 1); // grep ends every line it prints with a newline
            return lines;
        } finally {
            process.destroyForcibly();
        }
    }
}
