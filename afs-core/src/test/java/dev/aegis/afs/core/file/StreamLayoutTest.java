package dev.aegis.afs.core.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files a stream is made of, and in which order they are read. */
class StreamLayoutTest {

    @TempDir
    Path dir;

    @Test
    void aFileIsReadAfterItsRotatedSiblingsOldestFirst() throws Exception {
        for (String name : List.of("app.log", "app.log.1", "app.log.2.gz", "app.log.3.gz", "app.log.10.gz",
                "app.log-20261120.gz", "other.log", "app.logger")) {
            StreamFixture.write(dir.resolve("logs/" + name), name + "\n");
        }
        FileLogSource source = StreamFixture.stream(StreamFixture.backend(dir, "logs"), "path: app.log\n");
        List<String> order = List.of("app.log-20261120.gz", "app.log.10.gz", "app.log.3.gz", "app.log.2.gz", "app.log.1",
                "app.log");
        assertEquals(order, source.files());
        assertEquals(order, texts(source));
    }

    @Test
    void aKubeletContainerDirectoryIsReadByRestartThenRotation() throws Exception {
        String container = "pods/shop_api-1_uid/api/";
        for (String name : List.of("1.log", "0.log", "10.log", "0.log.20261121-120000.gz", "0.log.20261121-110000",
                "1.log.20261121-130000")) {
            StreamFixture.write(dir.resolve(container + name), name + "\n");
        }
        FileLogSource source = StreamFixture.stream(StreamFixture.backend(dir, "pods"), "path: shop_api-1_uid/api\n");
        assertEquals(List.of("0.log.20261121-110000", "0.log.20261121-120000.gz", "0.log", "1.log.20261121-130000",
                "1.log", "10.log"), texts(source));
    }

    @Test
    void aGlobIsTheMatchingFilesWithTheirRotationsByName() throws Exception {
        for (String name : List.of("nginx/b.log", "nginx/a.log", "nginx/a.log.1", "nginx/b.log.2.gz", "nginx/c.txt")) {
            StreamFixture.write(dir.resolve("logs/" + name), name + "\n");
        }
        FileLogSource source = StreamFixture.stream(StreamFixture.backend(dir, "logs"), "path: 'nginx/*.log'\n");
        assertEquals(List.of("nginx/a.log.1", "nginx/a.log", "nginx/b.log.2.gz", "nginx/b.log"), texts(source));
    }

    @Test
    void lastModifiedIsTheNewestFile() throws Exception {
        Path a = dir.resolve("logs/app.log.1");
        Path b = dir.resolve("logs/app.log");
        StreamFixture.write(a, "x\n");
        StreamFixture.write(b, "y\n");
        Files.setLastModifiedTime(a, FileTime.from(Instant.parse("2026-11-21T21:00:00Z")));
        Files.setLastModifiedTime(b, FileTime.from(Instant.parse("2026-11-21T20:00:00Z")));
        FileLogSource source = StreamFixture.stream(StreamFixture.backend(dir, "logs"), "path: app.log\n");
        assertEquals(Instant.parse("2026-11-21T21:00:00Z"), source.lastModified());
        FileLogSource none = StreamFixture.stream(StreamFixture.backend(dir, "logs"), "path: none.log\n");
        assertEquals(Instant.EPOCH, none.lastModified());
    }

    /**
     * One read asks for the stream's files at its lookup, at each stat and at its fetch; the
     * directory is listed at most once for all of them, and not again while it is unchanged,
     * yet appended lines and a rotation are seen by the next read.
     */
    @Test
    void aReadListsTheDirectoryAtMostOnceAndStillSeesAppendsAndRotations() throws Exception {
        Path logs = dir.resolve("logs");
        StreamFixture.write(logs.resolve("app.log"), "one\n");
        StreamFixture.write(logs.resolve("other.log"), "x\n");
        java.nio.file.Files.setLastModifiedTime(logs, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(60)));
        FileLogSource source = StreamFixture.stream(StreamFixture.backend(dir, "logs"), "path: app.log\n");

        long before = source.listings();
        for (int read = 0; read < 3; read++) { // as the mount does: lookup, getattr, fstat, then the fetch
            source.lastModified();
            source.lastModified();
            source.lastModified();
            texts(source);
        }
        assertEquals(1, source.listings() - before, "three reads, one listing");

        java.nio.file.Files.writeString(logs.resolve("app.log"), "two\n", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(List.of("one", "two"), texts(source), "an append changes no directory: re-stat'ed, not re-listed");
        assertEquals(1, source.listings() - before);

        java.nio.file.Files.move(logs.resolve("app.log"), logs.resolve("app.log.1"));
        StreamFixture.write(logs.resolve("app.log"), "three\n");
        assertEquals(List.of("one", "two", "three"), texts(source), "a rotation is listed again");
        assertEquals(2, source.listings() - before);
    }

    private static List<String> texts(FileLogSource source) throws Exception {
        return StreamFixture.read(source, LogQuery.ALL).lines().stream().map(LogLine::text)
                .map(t -> t.startsWith("nginx/") || !t.contains("/") ? t : t).toList();
    }
}
