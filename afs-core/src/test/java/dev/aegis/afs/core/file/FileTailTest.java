package dev.aegis.afs.core.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aegis.afs.core.source.LineCursor;
import dev.aegis.afs.query.LogLine;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Following a file stream as tail -F does: appends, partial lines, rotation, truncation in place. */
class FileTailTest {

    @TempDir
    Path dir;

    private LineCursor follow() throws Exception {
        FileLogSource source = StreamFixture.stream(StreamFixture.backend(dir, dir.toString()), "path: api.log\n");
        return source.follow();
    }

    private static List<String> poll(LineCursor cursor, long max) throws Exception {
        StreamFixture.Collect collect = new StreamFixture.Collect();
        cursor.poll(collect, max);
        return collect.lines.stream().map(LogLine::text).toList();
    }

    private void append(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void passesOnlyWhatIsAppendedAfterTheStartAndWholeLinesOnly() throws Exception {
        append("api.log", "old 1\nold 2\n");
        try (LineCursor cursor = follow()) {
            assertEquals(List.of(), poll(cursor, 100));
            append("api.log", "new 1\nnew 2 in ");
            assertEquals(List.of("new 1"), poll(cursor, 100));
            append("api.log", "two writes\nnew 3\n");
            assertEquals(List.of("new 2 in two writes", "new 3"), poll(cursor, 100));
            append("api.log", "a\nb\nc\n");
            assertEquals(List.of("a", "b"), poll(cursor, 2), "at most max lines per poll");
            assertEquals(List.of("c"), poll(cursor, 2));
        }
    }

    @Test
    void aRotationIsReadToItsEndThenTheNewFileFromItsStart() throws Exception {
        append("api.log", "before\n");
        try (LineCursor cursor = follow();
             FileChannel writer = FileChannel.open(dir.resolve("api.log"), StandardOpenOption.APPEND)) {
            Files.move(dir.resolve("api.log"), dir.resolve("api.log.1"));
            writer.write(java.nio.ByteBuffer.wrap("late in the old file\n".getBytes()));
            append("api.log", "first in the new file\n");
            assertEquals(List.of("late in the old file", "first in the new file"), poll(cursor, 100));
            append("api.log", "second\n");
            assertEquals(List.of("second"), poll(cursor, 100));
        }
    }

    @Test
    void aFileTruncatedInPlaceIsReadAgainFromItsStart() throws Exception {
        append("api.log", "a long line before copytruncate\n");
        try (LineCursor cursor = follow()) {
            Files.writeString(dir.resolve("api.log"), "after\n");
            assertEquals(List.of("after"), poll(cursor, 100));
        }
    }

    @Test
    void aStreamWhoseFileAppearsLaterIsFollowedFromItsStart() throws Exception {
        try (LineCursor cursor = follow()) {
            assertEquals(List.of(), poll(cursor, 100));
            append("api.log", "born\n");
            assertEquals(List.of("born"), poll(cursor, 100));
        }
    }
}
