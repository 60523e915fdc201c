package dev.aegis.afs.core.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.TimeRange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a reader notices: bytes read for tail and since, long lines, CRI lines, timestamp patterns. */
class FileScanTest {

    private static final int LINES = 400_000;
    private static final Instant START = Instant.parse("2026-11-21T00:00:00Z");

    @TempDir
    static Path dir;

    private static FileLogSource big;
    private static long bigSize;

    /** About 30 MB, one line every 100 ms, a rare word every 100,000 lines. */
    @BeforeAll
    static void writeBigLog() throws IOException {
        Path file = dir.resolve("logs/big.log");
        Files.createDirectories(file.getParent());
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (int i = 0; i < LINES; i++) {
                String line = StreamFixture.stamp(START.plusMillis(100L * i)) + " INFO req=" + i
                        + (i % 100_000 == 99_999 ? " RARE" : " GET /api/payments ok") + "\n";
                out.write(line.getBytes(StandardCharsets.UTF_8));
            }
        }
        bigSize = Files.size(file);
        big = StreamFixture.stream(StreamFixture.backend(dir, "logs"), "path: big.log\n");
    }

    @Test
    void tailReadsOnlyTheEndOfTheFile() throws Exception {
        StreamFixture.Result r = StreamFixture.read(big, LogQuery.of(LineLimit.newest(50)));
        assertEquals(50, r.lines().size());
        assertTrue(r.lines().get(49).text().contains("req=" + (LINES - 1) + " "));
        assertTrue(r.stats().bytesReceived() <= 16 * 1024, "tail -n 50 read " + r.stats().bytesReceived());
        assertEquals(50, r.stats().entries());
    }

    @Test
    void filteredTailReadsBackwardUntilEnoughLinesMatch() throws Exception {
        StreamFixture.Result r = StreamFixture.read(big, LogQuery.of(LineFilter.keep(Match.literal("RARE")),
                LineLimit.newest(1)));
        assertEquals(List.of("req=399999"), r.lines().stream().map(l -> l.text().split(" ")[2]).toList());
        assertTrue(r.stats().bytesReceived() < bigSize / 10, "read " + r.stats().bytesReceived() + " of " + bigSize);
    }

    @Test
    void sinceSeeksByBinarySearch() throws Exception {
        Instant from = START.plusMillis(100L * (LINES - 30));
        StreamFixture.Result r = StreamFixture.read(big, new LogQuery(new TimeRange(from, null), List.of()));
        assertEquals(30, r.lines().size());
        assertEquals(from, r.lines().get(0).time());
        assertTrue(r.stats().bytesReceived() < 256 * 1024, "since read " + r.stats().bytesReceived());
    }

    @Test
    void aRangeInTheMiddleReadsAboutTheRange() throws Exception {
        Instant from = START.plusSeconds(10_000);
        StreamFixture.Result r = StreamFixture.read(big, new LogQuery(new TimeRange(from, from.plusSeconds(10)),
                List.of()));
        assertEquals(100, r.lines().size());
        assertTrue(r.stats().bytesReceived() < 512 * 1024, "range read " + r.stats().bytesReceived());
    }

    @Test
    void headStopsEarly() throws Exception {
        StreamFixture.Result r = StreamFixture.read(big, LogQuery.of(LineLimit.oldest(3)));
        assertEquals(3, r.lines().size());
        assertTrue(r.stats().bytesReceived() <= 64 * 1024, "head read " + r.stats().bytesReceived());
    }

    @Test
    void aLineOverOneMebibyteIsCutAndTheFetchSaysSo() throws Exception {
        String huge = "2026-11-21T20:00:01Z " + "z".repeat(3 << 20);
        StreamFixture.write(dir.resolve("long/app.log"), "2026-11-21T20:00:00Z before\n" + huge + " OOM\nafter\n");
        FileLogSource source = StreamFixture.stream(StreamFixture.backend(dir, "long"), "path: app.log\n");
        StreamFixture.Result r = StreamFixture.read(source, LogQuery.ALL);
        assertEquals(3, r.lines().size());
        assertEquals(huge.substring(0, LineReader.MAX_LINE), r.lines().get(1).text());
        assertEquals(new LogLine(Instant.parse("2026-11-21T20:00:01Z"), "after"), r.lines().get(2));
        assertTrue(r.stats().truncation().orElseThrow().startsWith("1 line(s) longer than 1048576 bytes were cut"));
        // the cut part is not searched
        assertEquals(List.of(), StreamFixture.read(source, LogQuery.of(LineFilter.keep(Match.literal("OOM")))).lines());
        assertEquals(Optional.empty(), StreamFixture.read(source, LogQuery.of(LineLimit.oldest(1))).stats().truncation());
    }

    @Test
    void criLinesServeTheMessageStampedWithTheCriTime() throws Exception {
        StreamFixture.write(dir.resolve("pods/ns_pod_uid/app/0.log"), String.join("\n",
                "2026-11-21T20:00:00.123456789Z stdout F GET /api 200",
                "2026-11-21T20:00:01.5Z stderr P partial ",
                "2026-11-21T20:00:01.6Z stderr F rest",
                "not a cri line",
                "2026-11-21T20:00:02Z stdout F") + "\n");
        FileLogSource source = StreamFixture.stream(StreamFixture.backend(dir, "pods"),
                "path: ns_pod_uid/app\nformat: cri\n");
        assertEquals(List.of(
                new LogLine(Instant.parse("2026-11-21T20:00:00.123456789Z"), "GET /api 200"),
                new LogLine(Instant.parse("2026-11-21T20:00:01.5Z"), "partial "),
                new LogLine(Instant.parse("2026-11-21T20:00:01.6Z"), "rest"),
                new LogLine(Instant.parse("2026-11-21T20:00:01.6Z"), "not a cri line"),
                new LogLine(Instant.parse("2026-11-21T20:00:02Z"), "")), StreamFixture.read(source, LogQuery.ALL).lines());
        // grep-F sees the message, not the CRI prefix
        assertEquals(List.of(), StreamFixture.read(source, LogQuery.of(LineFilter.keep(Match.literal("stdout")))).lines());
    }

    @Test
    void aTimestampPatternAndNone() throws Exception {
        StreamFixture.write(dir.resolve("java/app.log"), "2026-11-21 20:00:00,125 INFO a\n  at x\n"
                + "2026-11-21 20:00:02,000 WARN b\n");
        FileLogSource pattern = StreamFixture.stream(StreamFixture.backend(dir, "java"),
                "path: app.log\ntimestamp: 'yyyy-MM-dd HH:mm:ss,SSS'\n");
        Instant first = Instant.parse("2026-11-21T20:00:00.125Z");
        assertEquals(List.of(new LogLine(first, "2026-11-21 20:00:00,125 INFO a"), new LogLine(first, "  at x")),
                StreamFixture.read(pattern, new LogQuery(new TimeRange(null, first.plusSeconds(1)), List.of())).lines());

        FileLogSource none = StreamFixture.stream(StreamFixture.backend(dir, "java"), "path: app.log\ntimestamp: none\n");
        List<LogLine> all = StreamFixture.read(none, LogQuery.ALL).lines();
        assertEquals(3, all.size());
        assertTrue(all.stream().allMatch(l -> l.time() == null));
        assertEquals(List.of(), StreamFixture.read(none, new LogQuery(new TimeRange(first, null), List.of())).lines());
    }

    @Test
    void readStatsCountBytesOfCompressedFilesAsStored() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            text.append("2026-11-21T20:00:00Z same line repeated\n");
        }
        StreamFixture.write(dir.resolve("gz/app.log.1.gz"), text.toString());
        StreamFixture.write(dir.resolve("gz/app.log"), "");
        FileLogSource source = StreamFixture.stream(StreamFixture.backend(dir, "gz"), "path: app.log\n");
        ReadStats stats = StreamFixture.read(source, LogQuery.of(LineLimit.newest(1))).stats();
        assertEquals(Files.size(dir.resolve("gz/app.log.1.gz")), stats.bytesReceived());
        assertEquals(1, stats.entries());
    }
}
