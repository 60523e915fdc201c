package dev.aegis.afs.e2e;

import static dev.aegis.afs.e2e.Shell.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real mount: {@code bin/afs mount -f} in a child process over generated logs, driven by the
 * real tools. Every result is compared with GNU tools run on the same bytes.
 */
class MountedAfsTest {

    private static Path repo;
    private static Path work;
    private static Path config;
    private static Path mountpoint;
    private static Path logs;
    private static Path api;
    private static Process daemon;

    @BeforeAll
    static void mount() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is absent: no FUSE on this machine");
        assumeTrue(Stream.of("/usr/lib/x86_64-linux-gnu/libfuse.so.2", "/lib/x86_64-linux-gnu/libfuse.so.2",
                        "/usr/lib/aarch64-linux-gnu/libfuse.so.2", "/usr/lib/libfuse.so.2").anyMatch(p -> Files.exists(Path.of(p))),
                "libfuse2 is absent (apt-get install libfuse2)");
        repo = Path.of(System.getProperty("afs.repo", "..")).toRealPath();
        work = Files.createTempDirectory("afs-e2e");
        config = TestLogs.write(work);
        api = TestLogs.apiFile(work);
        mountpoint = work.resolve("mnt");
        logs = mountpoint.resolve("teams").resolve(TestLogs.TEAM).resolve(TestLogs.ENV).resolve("logs");
        Path daemonLog = work.resolve("daemon.log");
        daemon = new ProcessBuilder(repo.resolve("bin/afs").toString(), "mount", "-f", "--config", config.toString(),
                mountpoint.toString())
                .redirectErrorStream(true).redirectOutput(daemonLog.toFile()).start();
        for (int i = 0; !mounted(); i++) {
            if (!daemon.isAlive() || i > 1200) {
                fail("the daemon did not mount " + mountpoint + ":\n" + Files.readString(daemonLog));
            }
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void unmount() throws Exception {
        try {
            if (mountpoint != null && mounted()) {
                Shell.Result r = afs("unmount", mountpoint.toString());
                if (r.exit() != 0) {
                    Shell.run(work, List.of("umount", "-l", mountpoint.toString()));
                }
            }
            if (daemon != null && !daemon.waitFor(20, TimeUnit.SECONDS)) {
                daemon.destroy();
                if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                    daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            if (mountpoint != null && mounted()) {
                Shell.run(work, List.of("umount", "-l", mountpoint.toString()));
            }
            if (work != null) {
                deleteTree(work);
            }
        }
        assertFalse(mountpoint != null && mounted(), "the mount outlived the test");
    }

    private static boolean mounted() throws IOException {
        String abs = mountpoint.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .map(l -> l.split(" ")).anyMatch(f -> f[1].equals(abs) && f[2].equals("fuse.afs"));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Shell.Result sh(String script) throws IOException {
        return Shell.bash(mountpoint, script);
    }

    /** GNU tools on the generated file itself. */
    private static String gnu(String scriptOnFile) throws IOException {
        Shell.Result r = Shell.bash(work, scriptOnFile.replace("FILE", quote(api.toString())));
        assertTrue(r.exit() <= 1, r.toString());
        return r.out();
    }

    private static Shell.Result afs(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(repo.resolve("bin/afs").toString());
        command.addAll(List.of(args));
        return Shell.run(work, command);
    }

    private static String path(String name) {
        return quote(logs.resolve(name).toString());
    }

    // ---- listings ----

    @Test
    void listsTheTree() throws IOException {
        List<String> top = sh("ls -a").out().lines().toList();
        assertTrue(top.containsAll(List.of(".afs", "context", "evidence", "teams")), top.toString());
        assertEquals("api.log\nworker.log\n", sh("ls " + quote(logs.toString())).out());
        assertEquals(TestLogs.TEAM + "\n", sh("ls teams").out());
        assertEquals("_index.json\ntriage.md\n", sh("ls context/skills").out()); // the index an agent reads first
        assertTrue(sh("ls -l " + quote(logs.toString())).out().lines()
                .anyMatch(l -> l.startsWith("-r--r--r--") && l.endsWith(" api.log")));
        List<String> found = sh("find teams -type f | sort").out().lines().toList();
        assertEquals(List.of("teams/shop/prod/logs/api.log", "teams/shop/prod/logs/worker.log"), found);
        assertEquals("directory\n", sh("stat -c %F teams/shop/prod").out());
    }

    // ---- reads: equal to GNU tools on the same bytes ----

    @Test
    void plainReadIsTheWholeFile() throws IOException {
        assertEquals(Files.readString(api), sh("cat " + path("api.log")).out());
        assertEquals(gnu("head -n 7 FILE"), sh("head -n 7 " + path("api.log")).out());
        assertEquals(gnu("sha256sum < FILE"), sh("sha256sum < " + path("api.log")).out());
    }

    @Test
    void liveFileStatsSizeZeroButCountsRight() throws IOException {
        assertEquals("0\n", sh("stat -c %s " + path("api.log")).out());
        assertEquals(Files.size(api) + "\n", sh("wc -c < " + path("api.log")).out());
        assertEquals(gnu("wc -l < FILE"), sh("wc -l < " + path("api.log")).out());
        assertEquals(gnu("tail -n 3 FILE"), sh("tail -n 3 " + path("api.log")).out());
        Shell.Result copy = sh("cp " + path("api.log") + " " + quote(work.resolve("copy.log").toString()));
        assertEquals(0, copy.exit(), copy.toString());
        assertEquals(Files.readString(api), Files.readString(work.resolve("copy.log")));
    }

    @Test
    void tailQueryEqualsGnuTail() throws IOException {
        assertEquals(gnu("tail -n 5 FILE"), sh("cat " + path("api.log?tail=5")).out());
        assertEquals(gnu("head -n 12 FILE"), sh("cat " + path("api.log?head=12")).out());
    }

    @Test
    void grepPushdownEqualsGnuGrep() throws IOException {
        assertEquals(gnu("grep ERROR FILE"), sh("cat " + path("api.log?grep=ERROR")).out());
        assertEquals(gnu("grep -i timeout FILE | tail -n 4"), sh("cat " + path("api.log?grep-i=timeout&tail=4")).out());
        assertEquals(gnu("grep -c 'declined' FILE"), sh("grep -c declined " + path("api.log")).out());
        assertEquals(gnu("grep 'ü-42' FILE | head -n 3"), sh("grep 'ü-42' " + path("api.log") + " | head -n 3").out());
    }

    // ---- evidence ----

    @Test
    void everyReadIsEvidenceWithAVerifiableHash() throws IOException {
        String read = sh("cat " + path("api.log?tail=20")).out();
        Shell.Result id = sh("getfattr --only-values -n user.afs.evidence " + path("api.log?tail=20"));
        assertEquals(0, id.exit(), id.toString());
        assertTrue(id.out().startsWith("/evidence/"), id.out());
        Path evidence = mountpoint.resolve(id.out().substring(1));
        assertEquals(read, Files.readString(evidence));
        String sha = sh("getfattr --only-values -n user.afs.sha256 " + quote(evidence.toString())).out();
        assertEquals(sha + "  " + evidence + "\n", sh("sha256sum " + quote(evidence.toString())).out());
        assertEquals(gnu("tail -n 20 FILE | sha256sum | cut -d' ' -f1").trim(), sha);
        assertTrue(sh("getfattr -d " + quote(evidence.toString())).out().contains("user.afs.source="));
        Shell.Result verify = afs("evidence", "verify", "--config", config.toString(), evidence.toString());
        assertEquals(0, verify.exit(), verify.toString());
        assertTrue(afs("evidence", "ls", "--config", config.toString()).out()
                .contains(id.out().substring("/evidence/".length())));
    }

    @Test
    void tamperedEvidenceFailsVerification() throws IOException {
        sh("cat " + path("worker.log?tail=2") + " > /dev/null");
        String id = sh("getfattr --only-values -n user.afs.evidence " + path("worker.log?tail=2")).out();
        Path onDisk = work.resolve("evidence").resolve(id.substring("/evidence/".length()));
        onDisk.toFile().setWritable(true);
        Files.writeString(onDisk, "forged\n");
        Shell.Result verify = afs("evidence", "verify", "--config", config.toString(), id);
        assertEquals(1, verify.exit(), verify.toString());
        assertTrue(verify.out().contains("FAILED") && verify.out().contains("changed after capture"), verify.toString());
    }

    // ---- errors: the errno a shell user sees, the reason in /.afs/errors ----

    @Test
    void writesAreRefusedAsReadOnly() throws IOException {
        for (String command : List.of("touch " + path("new.log"), "touch " + path("api.log"), "mkdir teams/x",
                "echo x > " + path("api.log"), "rm " + path("worker.log"))) {
            Shell.Result r = sh(command);
            assertNotEquals(0, r.exit(), command);
            assertTrue(r.err().contains("Read-only file system"), command + ": " + r);
        }
    }

    @Test
    void malformedQueryIsEinvalWithTheReasonInAfsErrors() throws IOException {
        Shell.Result r = sh("cat " + path("api.log?tail=abc"));
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("Invalid argument"), r.toString());
        String errors = sh("cat .afs/errors").out();
        assertTrue(errors.lines().anyMatch(l -> l.contains("api.log?tail=abc") && l.contains("EINVAL")), errors);
    }

    @Test
    void unknownStreamsAreEnoent() throws IOException {
        Shell.Result r = sh("cat " + path("nope.log"));
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("No such file or directory"), r.toString());
        assertTrue(sh("ls teams/nope").err().contains("No such file or directory"));
    }

    @Test
    void unknownXattrsAreNoData() throws IOException {
        Shell.Result r = sh("getfattr -n user.afs.nothing " + path("api.log"));
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("No such attribute"), r.toString());
    }

    // ---- the CLI without a mount prints what bash prints ----

    @Test
    void afsShEqualsBash() throws IOException {
        String tree = "/teams/shop/prod/logs/api.log";
        for (String pipeline : List.of("grep ERROR %s | tail -n 3", "tail -n 7 %s", "grep -c -i timeout %s",
                "grep -v INFO %s | head -n 5")) {
            Shell.Result ours = afs("sh", "--config", config.toString(), "-c", pipeline.formatted(tree));
            assertEquals(0, ours.exit(), pipeline + ": " + ours);
            assertEquals(gnu(pipeline.formatted("FILE")), ours.out(), pipeline);
        }
    }

    @Test
    void afsGrepAndTailAcceptMountedPaths() throws IOException {
        String mounted = logs.resolve("api.log").toString();
        Shell.Result grep = afs("grep", "--config", config.toString(), "-i", "timeout", mounted);
        assertEquals(0, grep.exit(), grep.toString());
        assertEquals(gnu("grep -i timeout FILE"), grep.out());
        Shell.Result tail = afs("tail", "--config", config.toString(), "-n", "4", "/teams/shop/prod/logs/api.log");
        assertEquals(0, tail.exit(), tail.toString());
        assertEquals(gnu("tail -n 4 FILE"), tail.out());
    }

    @Test
    void afsShFailureNamesTheReasonAndExitsNonZero() throws IOException {
        Shell.Result r = afs("sh", "--config", config.toString(), "-c", "tail -n 3 /teams/shop/prod/logs/nope.log");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("nope.log"), r.toString());
    }

    @Test
    void configCheckCountsWhatItFound() throws IOException {
        Shell.Result ok = afs("config", "check", "--config", config.toString());
        assertEquals(0, ok.exit(), ok.toString());
        assertEquals("OK: " + config + ": 1 teams, 1 envs, 2 streams\n", ok.out());
        Path broken = work.resolve("broken.yaml");
        Files.writeString(broken, Files.readString(config).replace("backend: local, path: shop/api.log",
                "bakend: local, path: shop/api.log"), StandardCharsets.UTF_8);
        Shell.Result bad = afs("config", "check", "--config", broken.toString());
        assertEquals(2, bad.exit(), bad.toString());
        assertTrue(bad.err().matches("(?s).*broken\\.yaml:\\d+:\\d+: .*"), bad.toString());
    }
}
