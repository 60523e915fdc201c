package dev.aegis.afs.core.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.TimeRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options, their errors (with file:line:column and the fix), and confinement to the root. */
class FileBackendTypeTest {

    @TempDir
    Path dir;

    @Test
    void rootResolvesAgainstTheConfigDirectory() throws Exception {
        StreamFixture.write(dir.resolve("logs/app.log"), "2026-11-21T20:00:00Z hello\n");
        FileLogSource source = StreamFixture.stream(StreamFixture.backend(dir, "logs"), "path: app.log\n");
        assertEquals(List.of("2026-11-21T20:00:00Z hello"),
                StreamFixture.read(source, LogQuery.ALL).lines().stream().map(l -> l.text()).toList());
        assertEquals("file:demo", source.backend());
    }

    @Test
    void missingRootIsAConfigErrorNamingThePath() {
        ConfigException e = assertThrows(ConfigException.class, () -> StreamFixture.backend(dir, "nope"));
        assertEquals("namespaces.yaml:2:7: root 'nope' (" + dir.resolve("nope") + ") does not exist; create the"
                + " directory or point root at the directory that holds the logs", e.getMessage());
    }

    @Test
    void unknownBackendKeyIsRefused() throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        ConfigException e = assertThrows(ConfigException.class, () -> new FileBackendType().create("demo",
                dev.aegis.afs.core.config.ConfigReader.parse("namespaces.yaml", "type: file\nroot: logs\nrot: x\n"),
                dev.aegis.afs.core.source.BackendContext.system(dir)));
        assertTrue(e.getMessage().startsWith("namespaces.yaml:3:6: unknown key 'rot'; did you mean 'root'?"), e.getMessage());
    }

    @Test
    void streamOptionsAreChecked() throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        Backend backend = StreamFixture.backend(dir, "logs");
        assertEquals("namespaces.yaml:1:7: path '/etc/passwd' is absolute; paths are relative to the backend's root ("
                + dir.resolve("logs").toRealPath() + "), e.g. nginx/access.log", streamError(backend, "path: /etc/passwd\n"));
        assertTrue(streamError(backend, "path: a/../../x\n").contains("contains '..'"));
        assertTrue(streamError(backend, "path: '*/app.log'\n").contains("globs are allowed only in the file name"));
        assertTrue(streamError(backend, "path: a\nformat: json\n").startsWith(
                "namespaces.yaml:2:9: unknown format 'json'; use plain"));
        assertTrue(streamError(backend, "path: a\ntimestamp: 'HH:mm:ss'\n").contains("does not give a full date and time"));
        assertTrue(streamError(backend, "path: a\ntimestamp: 'yyyy-MM-dd qqqqqq'\n").contains("is not a valid pattern"));
        assertTrue(streamError(backend, "path: a\npth: b\n").contains("unknown key 'pth'; did you mean 'path'?"));
        assertTrue(streamError(backend, "backend: demo\n").contains("missing key 'path'"));
        // keys owned by the core are allowed
        StreamFixture.stream(backend, "backend: demo\nwindow: 15m\npath: a\ntimestamp: none\nformat: plain\n");
    }

    @Test
    void aSymlinkOutOfTheRootIsRefusedAtConfigAndAtRead() throws Exception {
        Path outside = dir.resolve("outside");
        StreamFixture.write(outside.resolve("secret.log"), "2026-11-21T20:00:00Z secret\n");
        Files.createDirectories(dir.resolve("logs"));
        Files.createSymbolicLink(dir.resolve("logs/escape.log"), outside.resolve("secret.log"));
        Backend backend = StreamFixture.backend(dir, "logs");
        String message = streamError(backend, "path: escape.log\n");
        assertTrue(message.contains("escape.log resolves to " + outside.resolve("secret.log").toRealPath()
                + ", outside the file backend's root"), message);

        FileLogSource late = StreamFixture.stream(backend, "path: late.log\n");
        Files.createSymbolicLink(dir.resolve("logs/late.log"), outside.resolve("secret.log"));
        AfsException e = assertThrows(AfsException.class, () -> StreamFixture.read(late, LogQuery.ALL));
        assertEquals(AfsError.ACCESS_DENIED, e.error(), e.getMessage());
        assertTrue(e.getMessage().contains("outside the file backend's root"), e.getMessage());
    }

    @Test
    void aMissingPathReadsEmptyButAMissingRootFails() throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        FileLogSource source = StreamFixture.stream(StreamFixture.backend(dir, "logs"), "path: not/yet/there.log\n");
        assertEquals(List.of(), StreamFixture.read(source, LogQuery.ALL).lines());
        FileLogSource glob = StreamFixture.stream(StreamFixture.backend(dir, "logs"), "path: 'nginx/*.log'\n");
        assertEquals(List.of(), StreamFixture.read(glob, LogQuery.ALL).lines());
        LogQuery since = new LogQuery(new TimeRange(Instant.parse("2026-11-21T20:00:00Z"), null),
                List.of(new CountLines()));
        assertEquals(List.of(new LogLine(null, "0")), StreamFixture.read(source, since).lines());
        assertEquals(List.of(), StreamFixture.read(source, LogQuery.of(LineLimit.newest(5))).lines());

        Files.delete(dir.resolve("logs"));
        AfsException e = assertThrows(AfsException.class, () -> StreamFixture.read(source, LogQuery.ALL));
        assertEquals(AfsError.BACKEND_FAILURE, e.error());
        assertTrue(e.getMessage().contains("root " + dir.resolve("logs") + " does not exist"), e.getMessage());
    }

    private static String streamError(Backend backend, String yaml) {
        return assertThrows(ConfigException.class, () -> StreamFixture.stream(backend, yaml)).getMessage();
    }
}
