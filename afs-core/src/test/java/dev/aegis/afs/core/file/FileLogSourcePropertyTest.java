package dev.aegis.afs.core.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimeRange;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract, checked on generated data: for any query, fetch(plan(q)) followed by the
 * residual equals the local evaluator applied to the whole stream (rotated and gzip files,
 * continuation lines, lines before any timestamp, files starting mid-record, a last line
 * without newline), for a rotated file, a kubelet pod directory in CRI format, and a glob whose
 * files overlap in time.
 */
class FileLogSourcePropertyTest {

    private static final String[] WORDS = {"GET", "/api/pay", "OOM", "error", "timeout", "retry", "ünïcödé", "user=42",
            "[x]", "a.b", "ERROR", "status=500", "status=200", "ok"};

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void rotatedFileAgreesWithTheEvaluator(long seed) throws Exception {
        Random random = new Random(seed);
        Path root = dir.resolve("logs");
        Instant[] clock = {Instant.parse("2026-11-21T18:00:00Z")};
        List<Path> files = new ArrayList<>();
        int rotated = random.nextInt(4);
        for (int i = rotated; i >= 1; i--) {
            Path file = root.resolve("payments/api.log." + i + (i >= 2 || random.nextBoolean() ? ".gz" : ""));
            StreamFixture.write(file, content(random, clock, false, true));
            files.add(file);
        }
        Path current = root.resolve("payments/api.log");
        StreamFixture.write(current, content(random, clock, false, random.nextBoolean()));
        files.add(current);

        Backend backend = StreamFixture.backend(dir, "logs");
        FileLogSource source = StreamFixture.stream(backend, "path: payments/api.log\nbackend: demo\nwindow: none\n");
        check(random, source, StreamFixture.oracle(files, false), seed);
    }

    @ParameterizedTest
    @ValueSource(longs = {101, 102, 103, 104, 105})
    void kubeletPodDirectoryAgreesWithTheEvaluator(long seed) throws Exception {
        Random random = new Random(seed);
        Path root = dir.resolve("pods");
        Path container = root.resolve("shop_api-7d9_0f1e/api");
        Instant[] clock = {Instant.parse("2026-11-21T18:00:00Z")};
        List<Path> files = new ArrayList<>();
        for (String name : List.of("0.log.20261121-180000.gz", "0.log.20261121-190000", "0.log", "1.log.20261121-200000",
                "1.log")) {
            Path file = container.resolve(name);
            StreamFixture.write(file, content(random, clock, true, true));
            files.add(file);
        }
        Backend backend = StreamFixture.backend(dir, "pods");
        FileLogSource source = StreamFixture.stream(backend, "path: shop_api-7d9_0f1e/api\nformat: cri\n");
        check(random, source, StreamFixture.oracle(files, true), seed);
    }

    /** Two base names written at the same time: their concatenation is not in time order. */
    @ParameterizedTest
    @ValueSource(longs = {201, 202, 203, 204, 205})
    void globOfInterleavedFilesAgreesWithTheEvaluator(long seed) throws Exception {
        Random random = new Random(seed);
        Path root = dir.resolve("logs");
        List<Path> files = new ArrayList<>();
        for (String base : List.of("a.log", "b.log")) {
            Instant[] clock = {Instant.parse("2026-11-21T18:00:00Z")};
            for (String name : List.of(base + ".1.gz", base)) {
                Path file = root.resolve("nginx/" + name);
                StreamFixture.write(file, content(random, clock, false, true));
                files.add(file);
            }
        }
        Backend backend = StreamFixture.backend(dir, "logs");
        FileLogSource source = StreamFixture.stream(backend, "path: 'nginx/*.log'\n");
        check(random, source, StreamFixture.oracle(files, false), seed);
    }

    private void check(Random random, FileLogSource source, List<LogLine> stream, long seed) throws Exception {
        for (int q = 0; q < 60; q++) {
            LogQuery query = randomQuery(random, stream);
            List<LogLine> expected = StreamFixture.expected(stream, query);
            StreamFixture.Result actual = StreamFixture.read(source, query);
            assertEquals(expected, actual.lines(), () -> "seed " + seed + ", query " + query + ", plan "
                    + actual.plan().query().text() + " | residual " + actual.plan().residual());
        }
    }

    /** Lines with increasing (sometimes equal) times, stack-trace continuation lines, and oddities. */
    private static String content(Random random, Instant[] clock, boolean cri, boolean newlineAtEnd) {
        StringBuilder out = new StringBuilder();
        int lines = random.nextInt(10) == 0 ? 0 : random.nextInt(6) == 0 ? 1000 + random.nextInt(2500) : random.nextInt(60);
        boolean stamped = random.nextInt(3) != 0; // else the file starts with continuation lines
        for (int i = 0; i < lines; i++) {
            if (stamped) {
                if (random.nextInt(4) != 0) {
                    clock[0] = clock[0].plusMillis(random.nextInt(2000)).plusNanos(random.nextInt(1000));
                }
                String ts = StreamFixture.stamp(clock[0]);
                out.append(ts).append(' ');
                if (cri) {
                    out.append(random.nextBoolean() ? "stdout " : "stderr ").append(random.nextInt(8) == 0 ? "P " : "F ");
                } else {
                    out.append(random.nextBoolean() ? "INFO " : "WARN ");
                }
            } else {
                out.append(random.nextBoolean() ? "\tat dev.aegis.Foo.bar(Foo.java:" + i + ") " : "  ");
            }
            int words = random.nextInt(6);
            for (int w = 0; w < words; w++) {
                out.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
            }
            if (random.nextInt(20) == 0) {
                out.append("x".repeat(random.nextInt(3000)));
            }
            if (i < lines - 1 || newlineAtEnd) {
                out.append('\n');
            }
            stamped = random.nextInt(5) != 0;
        }
        return out.toString();
    }

    private static LogQuery randomQuery(Random random, List<LogLine> stream) {
        List<Stage> stages = new ArrayList<>();
        int filters = random.nextInt(3);
        for (int i = 0; i < filters; i++) {
            stages.add(randomFilter(random));
        }
        if (random.nextInt(4) != 0) {
            stages.add(randomLimit(random));
            if (random.nextInt(3) == 0) {
                stages.add(random.nextBoolean() ? randomFilter(random) : randomLimit(random));
            }
        }
        return new LogQuery(randomRange(random, stream), stages);
    }

    private static Stage randomLimit(Random random) {
        return switch (random.nextInt(5)) {
            case 0, 1 -> LineLimit.newest(random.nextInt(4) == 0 ? random.nextInt(2000) : random.nextInt(30));
            case 2, 3 -> LineLimit.oldest(random.nextInt(4) == 0 ? random.nextInt(2000) : random.nextInt(30));
            default -> new CountLines();
        };
    }

    private static LineFilter randomFilter(Random random) {
        boolean exclude = random.nextInt(4) == 0;
        String word = WORDS[random.nextInt(WORDS.length)];
        return switch (random.nextInt(5)) {
            case 0, 1 -> new LineFilter(exclude, List.of(Match.literal(word)));
            case 2 -> new LineFilter(exclude, List.of(Match.literal(word), Match.literal(WORDS[random.nextInt(WORDS.length)])));
            case 3 -> new LineFilter(exclude, List.of(new Match(word.toLowerCase(), true, true)));
            default -> new LineFilter(exclude, List.of(Match.regex(random.nextBoolean() ? "status=5\\d\\d" : "^\\s+at ")));
        };
    }

    private static TimeRange randomRange(Random random, List<LogLine> stream) {
        List<Instant> times = stream.stream().map(LogLine::time).filter(t -> t != null).toList();
        if (times.isEmpty() || random.nextInt(3) == 0) {
            return TimeRange.ALL;
        }
        Instant a = pick(random, times);
        Instant b = pick(random, times);
        if (b.isBefore(a)) {
            Instant t = a;
            a = b;
            b = t;
        }
        return switch (random.nextInt(3)) {
            case 0 -> new TimeRange(a, null);
            case 1 -> new TimeRange(null, b);
            default -> new TimeRange(a, b);
        };
    }

    /** A line's time, or one just before or after it, or outside the stream. */
    private static Instant pick(Random random, List<Instant> times) {
        Instant t = times.get(random.nextInt(times.size()));
        return switch (random.nextInt(6)) {
            case 0 -> t.minusNanos(1);
            case 1 -> t.plusNanos(1);
            case 2 -> random.nextBoolean() ? times.get(0).minusSeconds(60) : times.get(times.size() - 1).plusSeconds(60);
            default -> t;
        };
    }
}
