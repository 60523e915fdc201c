package dev.aegis.afs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.ErrorJournal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The adapter on a real mount over {@link TestTree}, driven by the real tools. */
class AfsFuseMountTest {

    private static final String LINES = IntStream.rangeClosed(1, 500)
            .mapToObj(i -> "line " + i + (i % 7 == 0 ? " ERROR boom" : " ok"))
            .collect(Collectors.joining("\n", "", "\n"));

    private static Path mountpoint;
    private static FuseMount mount;
    private static ErrorJournal errors;
    private static TestTree tree;

    @BeforeAll
    static void mount() throws IOException {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is absent");
        assumeTrue(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libfuse.so.2"))
                || Files.exists(Path.of("/lib/x86_64-linux-gnu/libfuse.so.2")), "libfuse2 is absent");
        tree = new TestTree();
        TestTree.Dir logs = tree.root.dir("teams").dir("p").dir("logs");
        logs.children.put("static.log", new TestTree.Text("static.log", LINES, false));
        TestTree.Text live = new TestTree.Text("api.log", LINES, true);
        live.xattrs.put("user.afs.evidence", "/evidence/x");
        logs.children.put("api.log", live);
        logs.queries = name -> name.endsWith("?bad=")
                ? new TestTree.Failing(name, AfsError.INVALID_QUERY, "unknown query key 'bad'; use grep, tail or head")
                : name.startsWith("api.log?tail=") ? new TestTree.Text(name, tail(LINES, Integer.parseInt(name.substring(13))), true)
                : null;
        tree.root.dir("inbox").writable = true;
        errors = new ErrorJournal(Clock.systemUTC());
        mountpoint = Files.createTempDirectory("afs-fuse-test");
        mount = FuseMount.mount(new AfsFuse(tree, errors), mountpoint);
    }

    @AfterAll
    static void unmount() throws IOException {
        if (mount != null) {
            mount.close();
        }
        if (mountpoint != null) {
            assertTrue(!MountTable.system().isAfsMount(mountpoint), "still mounted after close");
            Files.deleteIfExists(mountpoint);
        }
    }

    private static String tail(String text, int n) {
        List<String> lines = text.lines().toList();
        return lines.subList(Math.max(0, lines.size() - n), lines.size()).stream()
                .collect(Collectors.joining("\n", "", "\n"));
    }

    record Result(int exit, String out, String err) {
    }

    static Result sh(String script) throws IOException {
        Process p = new ProcessBuilder("bash", "-c", script).directory(mountpoint.toFile()).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + script);
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Test
    void listsTheTreeWithDirectoryLinkCounts() throws IOException {
        assertEquals("api.log\nstatic.log\n", sh("ls teams/p/logs").out());
        assertEquals("inbox\nteams\n", sh("ls").out());
        assertEquals("dr-xr-xr-x 3\n", sh("stat -c '%A %h' teams").out()); // 2 + one subdirectory
        assertTrue(MountTable.system().isAfsMount(mountpoint));
        assertEquals("afs fuse.afs\n", sh("grep ' " + mountpoint + " ' /proc/mounts | cut -d' ' -f1,3").out());
    }

    @Test
    void liveFileShowsSizeZeroButReadsFully() throws IOException {
        assertEquals("0\n", sh("stat -c %s teams/p/logs/api.log").out());
        assertEquals(LINES.length() + "\n", sh("wc -c < teams/p/logs/api.log").out());
        assertEquals(LINES, sh("cat teams/p/logs/api.log").out());
        assertEquals(tail(LINES, 3), sh("tail -n 3 teams/p/logs/api.log").out());
        assertEquals(sh("grep -c ERROR teams/p/logs/static.log").out(), sh("grep -c ERROR teams/p/logs/api.log").out());
        Result copy = sh("cp teams/p/logs/api.log /tmp/afs-fuse-copy.$$ && cat /tmp/afs-fuse-copy.$$ && rm /tmp/afs-fuse-copy.$$");
        assertEquals(LINES, copy.out());
    }

    @Test
    void tailFollowSeesTheSizeOfWhatItReads() throws IOException {
        // fstat reaches us as getattr on the path: the reader's own handle decides the size
        Result r = sh("timeout 3 tail -n 3 -f teams/p/logs/api.log");
        assertEquals(124, r.exit(), r.toString());
        assertEquals(tail(LINES, 3), r.out());
        assertEquals("", r.err());
    }

    @Test
    void staticFileHasItsSize() throws IOException {
        assertEquals(LINES.length() + "\n", sh("stat -c %s teams/p/logs/static.log").out());
        assertEquals(tail(LINES, 5), sh("tail -n 5 teams/p/logs/static.log").out());
    }

    @Test
    void queryInTheNameIsResolvedByTheDirectory() throws IOException {
        assertEquals(tail(LINES, 5), sh("cat 'teams/p/logs/api.log?tail=5'").out());
    }

    @Test
    void malformedQueryIsEinvalWithTheReasonJournaled() throws IOException {
        Result r = sh("cat 'teams/p/logs/api.log?bad='");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("Invalid argument"), r.err());
        assertTrue(errors.recent(Caller.self()).stream().anyMatch(e -> e.operation().equals("open")
                && e.path().equals("/teams/p/logs/api.log?bad=") && e.reason().contains("unknown query key 'bad'")),
                errors.recent(Caller.self()).toString());
    }

    @Test
    void unknownNameIsEnoent() throws IOException {
        Result r = sh("cat teams/p/logs/nope.log");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("No such file or directory"), r.err());
    }

    @Test
    void writesElsewhereAreReadOnly() throws IOException {
        for (String command : List.of("touch teams/p/logs/new.log", "touch teams/p/logs/api.log", "mkdir teams/x",
                "echo hi > teams/p/logs/static.log", "rm teams/p/logs/static.log", "mv teams/p/logs/static.log teams/y",
                "chmod 777 teams/p/logs/static.log")) {
            Result r = sh(command);
            assertNotEquals(0, r.exit(), command);
            assertTrue(r.err().contains("Read-only file system"), command + ": " + r.err());
        }
    }

    @Test
    void accessReportsReadOnly() throws IOException {
        assertEquals(0, sh("test -r teams/p/logs/api.log").exit());
        assertEquals(1, sh("test -w teams/p/logs/api.log").exit());
        assertEquals(1, sh("test -e teams/p/logs/nope.log").exit());
    }

    @Test
    void xattrsAnswerUserNamesAndEnodataOtherwise() throws IOException {
        assertEquals("/evidence/x", sh("getfattr --only-values -n user.afs.evidence teams/p/logs/api.log").out());
        assertTrue(sh("getfattr -d teams/p/logs/api.log").out().contains("user.afs.evidence=\"/evidence/x\""));
        Result missing = sh("getfattr -n user.afs.nothing teams/p/logs/api.log");
        assertNotEquals(0, missing.exit());
        assertTrue(missing.err().contains("No such attribute"), missing.err());
        assertEquals(0, sh("ls -l teams/p/logs").exit());
    }

    @Test
    void writableDirectoryTakesCreateWriteAndUnlink() throws IOException {
        assertEquals(0, sh("echo hello > inbox/a.txt").exit());
        assertEquals("hello\n", sh("cat inbox/a.txt").out());
        assertEquals(0, sh("echo bye > inbox/a.txt").exit());
        assertEquals("bye\n", sh("cat inbox/a.txt").out());
        Result denied = sh("echo forbidden > inbox/b.txt");
        assertNotEquals(0, denied.exit());
        assertTrue(denied.err().contains("Permission denied"), denied.err());
        assertEquals(0, sh("rm inbox/a.txt").exit());
        assertNotEquals(0, sh("cat inbox/a.txt").exit());
    }

    @Test
    void concurrentReadersEachGetTheWholeFile() throws IOException {
        Result r = sh("for i in 1 2 3 4 5 6 7 8; do wc -c < teams/p/logs/api.log & done; wait");
        List<String> counts = new ArrayList<>(r.out().lines().toList());
        assertEquals(8, counts.size());
        assertTrue(counts.stream().allMatch(c -> c.equals(String.valueOf(LINES.length()))), counts.toString());
    }
}
