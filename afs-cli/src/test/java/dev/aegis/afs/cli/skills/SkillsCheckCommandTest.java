package dev.aegis.afs.cli.skills;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.cli.CliRun;
import dev.aegis.afs.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code afs skills check}: the repository's skills pass (as CI runs it); a broken library exits 1 naming file:line:column. */
class SkillsCheckCommandTest {

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(Main.commandLine(null), args);
    }

    @Test
    void theShippedSkillsPass() {
        Path skills = Path.of(System.getProperty("afs.repo", "..")).toAbsolutePath().normalize().resolve("skills");
        CliRun r = run("skills", "check", skills.toString());
        assertEquals(0, r.exit(), r.out());
        assertEquals(true, r.out().matches("(?s)\\d+ skill file\\(s\\) checked, 0 problem\\(s\\)\n"), r.out());
    }

    @Test
    void eachProblemIsPrintedAtItsFileLineAndColumnAndTheExitIsOne() throws Exception {
        Files.createDirectories(dir.resolve("teams/payments"));
        Files.writeString(dir.resolve("teams/payments/oom.yaml"), """
                skill: oom
                summary: pods run out of memory
                version: 1
                triggers: [{log: OutOfMemoryError}]
                steps:
                  - {read: "/teams/{team}/{env}/logs/api.log?from=2026-11-21T10:00:00Z", why: when}
                """);
        Files.writeString(dir.resolve("bad.yaml"), "skill: bad\nsummary: [oops\n");
        Files.createDirectories(dir.resolve("md"));
        Files.writeString(dir.resolve("md/SKILL.md"), "# no front matter\n");
        CliRun r = run("skills", "check", dir.toString());
        assertEquals(1, r.exit(), r.out());
        assertEquals(dir + "/bad.yaml:2:15: while parsing a flow sequence; fix the YAML syntax at this position\n"
                + dir + "/md/SKILL.md:1:1: no front matter; start the file with --- name, description, triggers, when_to_use ---\n"
                + dir + "/teams/payments/oom.yaml:6:12: steps[0].read: from=2026-11-21T10:00:00Z is a concrete time; "
                + "write a window relative to now, e.g. since=1h\n"
                + "3 skill file(s) checked, 3 problem(s)\n", r.out());
    }

    @Test
    void aMissingDirectoryIsAUsageError() {
        CliRun r = run("skills", "check", dir.resolve("nope").toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("is not a directory; name the skills directory"), r.err());
    }
}
