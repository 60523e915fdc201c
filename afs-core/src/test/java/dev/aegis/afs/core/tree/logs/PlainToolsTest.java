package dev.aegis.afs.core.tree.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.CallerProcesses;
import dev.aegis.afs.query.shell.ToolCommand;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which callers get a pushed-down read: the tool must name the file being opened, from its cwd. */
class PlainToolsTest {

    private static final String API = "/teams/shop/prod/logs/api.log";

    private static Optional<ToolCommand> tool(boolean enabled, String cwd, String... argv) {
        CallerProcesses processes = new CallerProcesses() {
            @Override
            public Optional<CallerProcess> describe(long pid) {
                return Map.of(42L, new CallerProcess(List.of(argv), Path.of(cwd))).entrySet().stream()
                        .filter(e -> e.getKey() == pid).map(Map.Entry::getValue).findFirst();
            }

            @Override
            public boolean gone(long pid) {
                return false;
            }
        };
        return new PlainTools(enabled, processes, () -> List.of("/mnt/afs")).toolFor(new Caller(0, 0, 42), API);
    }

    @Test
    void operandsAreResolvedAgainstTheCallersCwd() {
        assertTrue(tool(true, "/mnt/afs/teams/shop/prod/logs", "grep", "-c", "x", "api.log").isPresent());
        assertTrue(tool(true, "/", "grep", "-c", "x", "/mnt/afs/teams/shop/prod/logs/api.log").isPresent());
        assertTrue(tool(true, "/mnt/afs/teams/shop/prod", "tail", "-n", "5", "./logs/../logs/api.log").isPresent());
        assertTrue(tool(true, "/tmp", "grep", "x", "/tmp/other.log", "/mnt/afs/teams/shop/prod/logs/api.log")
                .isPresent(), "one of several operands");
        assertEquals("grep -c x api.log",
                tool(true, "/mnt/afs/teams/shop/prod/logs", "grep", "-c", "x", "api.log").get().command());
    }

    @Test
    void otherFilesToolsAndOptionsAreNotPushedDown() {
        assertTrue(tool(true, "/mnt/afs/teams/shop/prod/logs", "grep", "-c", "x", "worker.log").isEmpty());
        assertTrue(tool(true, "/tmp", "grep", "-c", "x", "api.log").isEmpty(), "another directory's api.log");
        assertTrue(tool(true, "/mnt/afs/teams/shop/prod/logs", "cat", "api.log").isEmpty());
        assertTrue(tool(true, "/mnt/afs/teams/shop/prod/logs", "grep", "-n", "x", "api.log").isEmpty());
        assertTrue(tool(true, "/mnt/afs/teams/shop/prod/logs", "grep", "x").isEmpty(), "grep reading stdin");
    }

    @Test
    void theSwitchTurnsItOff() {
        assertTrue(tool(false, "/mnt/afs/teams/shop/prod/logs", "grep", "-c", "x", "api.log").isEmpty());
    }

    @Test
    void anUnknownCallerIsNotPushedDown() {
        PlainTools tools = new PlainTools(true, CallerProcesses.NONE, () -> List.of("/mnt/afs"));
        assertTrue(tools.toolFor(new Caller(0, 0, 42), API).isEmpty());
    }
}
