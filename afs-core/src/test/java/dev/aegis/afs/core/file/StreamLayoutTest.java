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

    private static List<String> texts(FileLogSource source) throws Exception {
        return StreamFixture.read(source, LogQuery.ALL).lines().stream().map(LogLine::text)
                .map(t -> t.startsWith("nginx/") || !t.contains("/") ? t : t).toList();
    }
}
