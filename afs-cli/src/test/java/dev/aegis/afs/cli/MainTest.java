package dev.aegis.afs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI as a user runs it, without a mount: output, errors and exit codes. */
class MainTest {

    private static final String LOG = IntStream.range(0, 400)
            .mapToObj(i -> "2026-01-01T10:%02d:%02d.000Z %s api request %d %s".formatted(i / 60, i % 60,
                    i % 9 == 0 ? "ERROR" : "INFO ", i, i % 13 == 0 ? "upstream Timeout" : "ok"))
            .collect(Collectors.joining("\n", "", "\n"));

    @TempDir
    Path dir;

    private Path config;
    private Path logFile;

    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void writeConfig() throws IOException {
        Files.createDirectories(dir.resolve("data/shop"));
        logFile = Files.writeString(dir.resolve("data/shop/api.log"), LOG);
        Files.createDirectories(dir.resolve("skills"));
        config = Files.writeString(dir.resolve("namespaces.yaml"), """
                evidence: {dir: evidence, retention: 72h}
                skills: skills
                backends:
                  local: {type: file, root: data, cache_ttl: 0s}
                teams:
                  shop:
                    prod:
                      logs:
                        api: {backend: local, path: shop/api.log, window: none}
                """);
    }

    private Run afs(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(null);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** What bash with GNU tools prints for {@code script} with FILE replaced by the log file. */
    private String gnu(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", script.replace("FILE", "'" + logFile + "'")).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void mcpOverHttpWithoutTokensIsAConfigErrorNamingTheFix() {
        Run run = afs("mcp", "--http", "--port", "0", "--config", config.toString());
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().contains("namespaces.yaml has no tokens:") && run.err().contains("token:<name>"), run.err());
        Run cap = afs("mcp", "--max-lines", "0", "--config", config.toString());
        assertEquals(2, cap.exit(), cap.toString());
        assertTrue(cap.err().contains("a result cap needs at least 1 line"), cap.err());
        Run help = afs("mcp", "--help");
        assertEquals(0, help.exit(), help.toString());
        assertTrue(help.out().contains("Authorization: Bearer <token>") && help.out().contains("never approves"), help.out());
    }

    @Test
    void versionAndHelpExitZero() {
        Run version = afs("--version");
        assertEquals(0, version.exit());
        assertTrue(version.out().matches("(?s)afs \\d+\\.\\d+\\.\\d+.*"), version.out());
        Run help = afs("mount", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("MOUNTPOINT") && help.out().contains("--foreground"), help.out());
        assertEquals(0, afs("grep", "--help").exit());
    }

    @Test
    void usageErrorsExitTwo() {
        Run none = afs();
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("name a command"), none.err());
        assertEquals(2, afs("frobnicate").exit());
        assertEquals(2, afs("sh", "--config", config.toString()).exit()); // -c is required
    }

    @Test
    void configCheckCountsWhatItFound() {
        Run ok = afs("config", "check", "--config", config.toString());
        assertEquals(0, ok.exit(), ok.err());
        assertEquals("OK: " + config + ": 1 teams, 1 envs, 1 streams\n", ok.out());
    }

    @Test
    void configCheckPointsAtTheMistake() throws IOException {
        Files.writeString(config, Files.readString(config).replace("window: none", "windw: none"));
        Run bad = afs("config", "check", "--config", config.toString());
        assertEquals(2, bad.exit());
        assertTrue(bad.err().matches("(?s)afs check: .*namespaces\\.yaml:\\d+:\\d+: .*windw.*"), bad.err());
        assertEquals("", bad.out());
    }

    @Test
    void missingConfigIsAUsageError() {
        Run r = afs("config", "check", "--config", dir.resolve("nope.yaml").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("nope.yaml"), r.err());
    }

    @Test
    void shPrintsWhatBashPrints() throws Exception {
        for (String pipeline : List.of("grep ERROR %s | tail -n 4", "tail -n 6 %s", "grep -c -i timeout %s")) {
            Run r = afs("sh", "--config", config.toString(), "-c", pipeline.formatted("/teams/shop/prod/logs/api.log"));
            assertEquals(0, r.exit(), pipeline + ": " + r.err());
            assertEquals(gnu(pipeline.formatted("FILE")), r.out(), pipeline);
        }
    }

    @Test
    void grepPassesGrepOptionsThrough() throws Exception {
        Run r = afs("grep", "--config", config.toString(), "-i", "-c", "timeout", "/teams/shop/prod/logs/api.log");
        assertEquals(0, r.exit(), r.err());
        assertEquals(gnu("grep -i -c timeout FILE"), r.out());
        Run v = afs("grep", "--config", config.toString(), "-v", "INFO", "/teams/shop/prod/logs/api.log");
        assertEquals(gnu("grep -v INFO FILE"), v.out());
    }

    @Test
    void grepExitsAsGnuGrep() throws Exception {
        String api = "/teams/shop/prod/logs/api.log";
        assertEquals(1, afs("grep", "--config", config.toString(), "-q", "no such line", api).exit());
        assertEquals(0, afs("grep", "--config", config.toString(), "-q", "-i", "timeout", api).exit());
        Run none = afs("grep", "--config", config.toString(), "-c", "no such line", api);
        assertEquals(List.of(1, "0\n"), List.of(none.exit(), none.out()));
        Run list = afs("grep", "--config", config.toString(), "-l", "-i", "timeout", api);
        assertEquals(List.of(0, api + "\n"), List.of(list.exit(), list.out()));
        Run missing = afs("grep", "--config", config.toString(), "-s", "x", "/teams/shop/prod/logs/nope.log");
        assertEquals(List.of(2, "", ""), List.of(missing.exit(), missing.out(), missing.err()));
        Run loud = afs("grep", "--config", config.toString(), "x", "/teams/shop/prod/logs/nope.log");
        assertEquals(2, loud.exit());
        assertTrue(loud.err().startsWith("afs grep: ENOENT: "), loud.err());
        assertEquals(2, afs("grep", "--config", config.toString(), "-E", "a{1", "-P", api).exit(), "a usage error");
        Run sh = afs("sh", "--config", config.toString(), "-c", "grep -ic timeout " + api + " | grep -q '^0$'");
        assertEquals(1, sh.exit(), "a pipeline exits with its last grep's status");
    }

    @Test
    void tailPrintsTheLastLines() throws Exception {
        Run r = afs("tail", "--config", config.toString(), "-n", "5", "/teams/shop/prod/logs/api.log");
        assertEquals(0, r.exit(), r.err());
        assertEquals(gnu("tail -n 5 FILE"), r.out());
    }

    @Test
    void failedReadPrintsTheReasonAndExitsTwo() {
        Run r = afs("tail", "--config", config.toString(), "-n", "5", "/teams/shop/prod/logs/nope.log");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("afs tail: ENOENT: ") && r.err().contains("nope.log"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void evidenceListsAndVerifiesWhatWasRead() throws IOException {
        assertEquals(0, afs("tail", "--config", config.toString(), "-n", "3", "/teams/shop/prod/logs/api.log").exit());
        Run ls = afs("evidence", "ls", "--config", config.toString());
        assertEquals(0, ls.exit(), ls.err());
        List<String> rows = ls.out().lines().toList();
        assertEquals(1, rows.size(), ls.out());
        String[] row = rows.get(0).split("\t");
        assertEquals(List.of(String.valueOf(gnuBytes(3)), "3"), List.of(row[1], row[2]));
        assertTrue(row[4].startsWith("/teams/shop/prod/logs/api.log"), row[4]);
        Run verify = afs("evidence", "verify", "--config", config.toString());
        assertEquals(0, verify.exit(), verify.out());
        assertEquals("1 snapshots verified, 0 failed\n", verify.out());

        Path snapshot = dir.resolve("evidence").resolve(row[0]);
        snapshot.toFile().setWritable(true);
        Files.writeString(snapshot, "forged\n");
        Run tampered = afs("evidence", "verify", "--config", config.toString(), "/evidence/" + row[0]);
        assertEquals(1, tampered.exit());
        assertTrue(tampered.out().startsWith("FAILED " + row[0] + ": content sha256 "), tampered.out());
        Run unknown = afs("evidence", "verify", "--config", config.toString(), "2026-01-01/000000.000-000000000000-x");
        assertEquals(1, unknown.exit());
        assertTrue(unknown.out().contains("no such snapshot"), unknown.out());
    }

    @Test
    void verifyFailsWhenItCannotReadWhatItWasAskedToVerify() throws IOException {
        // nothing captured yet: the evidence directory does not exist, so "0 verified, all fine" would be a lie
        Run none = afs("evidence", "verify", "--config", config.toString());
        assertEquals(1, none.exit(), none.out() + none.err());
        assertTrue(none.err().contains("cannot list the evidence directory"), none.err());
        assertEquals(0, afs("tail", "--config", config.toString(), "-n", "1", "/teams/shop/prod/logs/api.log").exit());
        // a pinned key that did not sign it
        Run other = afs("evidence", "verify", "--config", config.toString(), "--key", "A".repeat(43));
        assertEquals(1, other.exit(), other.out());
        assertTrue(other.out().contains("which is not pinned"), other.out());
        Run key = afs("evidence", "key", "--config", config.toString());
        assertEquals(0, key.exit(), key.err());
        String publicKey = key.out().replaceAll("(?s).*public_key: ([A-Za-z0-9_-]+)}.*", "$1");
        Run pinned = afs("evidence", "verify", "--config", config.toString(), "--key", publicKey);
        assertEquals(0, pinned.exit(), pinned.out());
        assertEquals("1 snapshots verified, 0 failed\n", pinned.out());
    }

    private long gnuBytes(int lines) {
        List<String> all = LOG.lines().toList();
        return all.subList(all.size() - lines, all.size()).stream().mapToLong(l -> l.getBytes(StandardCharsets.UTF_8).length + 1).sum();
    }

    @Test
    void unmountRefusesWhatIsNotAnAfsMount() {
        Run r = afs("unmount", dir.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("is not an afs mount"), r.err());
    }

    @Test
    void exitCodesFollowTheErrorType() {
        ExitCodes codes = new ExitCodes();
        assertEquals(2, codes.getExitCode(new AfsException(AfsError.INVALID_QUERY, "x")));
        assertEquals(3, codes.getExitCode(new AfsException(AfsError.BACKEND_FAILURE, "x")));
        assertEquals(2, codes.getExitCode(new ConfigException("f:1:1: x")));
        assertEquals(3, codes.getExitCode(new IOException("disk")));
        assertFalse(codes.getExitCode(new IllegalStateException()) < 2);
    }
}
