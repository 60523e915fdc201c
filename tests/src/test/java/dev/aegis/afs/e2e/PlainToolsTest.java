package dev.aegis.afs.e2e;

import static dev.aegis.afs.e2e.Shell.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.core.loki.FakeLoki;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Plain grep, tail and head on a real mount, over a stream of 3000 lines whose default window is
 * 500: what they print and how they exit must be what the GNU tools give over the whole file
 * (the daemon pushes the command it sees down); what cannot be pushed falls back to the window
 * and says so. tail -f and cat ?follow=1 follow a file backend and a Loki fake, plain tail -f
 * and tail -F follow a pod log on fabric8's mock API server, and all stop on Ctrl-C (SIGINT).
 */
class PlainToolsTest {

    private static Path repo;
    private static Path work;
    private static Path mountpoint;
    private static Path logs;
    private static Path data;
    private static Process daemon;
    /** A second mount of the same data with plain_tools: {pushdown: false}. */
    private static Path offMountpoint;
    private static Path offLogs;
    private static Process offDaemon;
    private static FakeLoki loki;
    private static KubernetesMockServer cluster;
    private static PodLogFeed podLog;
    private static Path config;

    @BeforeAll
    static void mount() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is absent: no FUSE on this machine");
        assumeTrue(Stream.of("/usr/lib/x86_64-linux-gnu/libfuse.so.2", "/lib/x86_64-linux-gnu/libfuse.so.2",
                        "/usr/lib/aarch64-linux-gnu/libfuse.so.2", "/usr/lib/libfuse.so.2").anyMatch(p -> Files.exists(Path.of(p))),
                "libfuse2 is absent (apt-get install libfuse2)");
        repo = Path.of(System.getProperty("afs.repo", "..")).toRealPath();
        work = Files.createTempDirectory("afs-tools");
        data = Files.createDirectories(work.resolve("data").resolve("shop"));
        Files.writeString(data.resolve("api.log"), TestLogs.apiLog());
        Files.write(data.resolve("edge.log"), edgeLog());
        loki = new FakeLoki();
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        podLog = new PodLogFeed(new KubernetesMixedDispatcher(responses), "/api/v1/namespaces/shop/pods/api-1/log");
        cluster = new KubernetesMockServer(new Context(), new MockWebServer(), responses, podLog, false);
        cluster.init(InetAddress.getByName("127.0.0.1"), 0);
        cluster.createClient().pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withName("api-1")
                .withNamespace("shop").endMetadata().withNewSpec().addNewContainer().withName("api").withImage("api:1")
                .endContainer().endSpec().withNewStatus().withPhase("Running").endStatus().build()).create();
        podLog.append(Instant.now().minusSeconds(60), "INFO started"); // before any follow's sinceTime
        podLog.append(Instant.now().minusSeconds(59), "INFO before the follow");
        config = work.resolve("namespaces.yaml");
        Files.writeString(config, """
                evidence: {dir: evidence}
                backends:
                  local: {type: file, root: data, cache_ttl: 0s}
                  loki: {type: loki, url: '%s', cache_ttl: 0s, retries: 0}
                  cluster: {type: kubernetes, master_url: 'http://127.0.0.1:%d', cache_ttl: 0s}
                teams:
                  shop:
                    prod:
                      logs:
                        api: {backend: local, path: shop/api.log, window: {lines: 500}}
                        api-loki: {backend: loki, selector: '{app="api"}', follow: {poll: 200ms}}
                        tiny: {backend: local, path: shop/api.log, window: {lines: 500}, max_pushdown: {lines: 100}}
                        edge: {backend: local, path: shop/edge.log, window: {lines: 5}}
                      k8s: {backend: cluster, namespace: shop}
                """.formatted(loki.url(), cluster.getPort()));
        Path offConfig = Files.createDirectories(work.resolve("off")).resolve("namespaces.yaml"); // its own keys/
        Files.writeString(offConfig, """
                evidence: {dir: evidence}
                plain_tools: {pushdown: false}
                backends:
                  local: {type: file, root: ../data, cache_ttl: 0s}
                teams:
                  shop:
                    prod:
                      logs:
                        api: {backend: local, path: shop/api.log, window: {lines: 500}}
                """);
        mountpoint = Files.createDirectories(work.resolve("mnt"));
        logs = mountpoint.resolve("teams/shop/prod/logs");
        offMountpoint = Files.createDirectories(work.resolve("mnt-off"));
        offLogs = offMountpoint.resolve("teams/shop/prod/logs");
        daemon = new ProcessBuilder(repo.resolve("bin/afs").toString(), "mount", "-f", "--config", config.toString(),
                mountpoint.toString()).redirectErrorStream(true).redirectOutput(work.resolve("daemon.log").toFile())
                .start();
        offDaemon = new ProcessBuilder(repo.resolve("bin/afs").toString(), "mount", "-f", "--config",
                offConfig.toString(), offMountpoint.toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("daemon-off.log").toFile()).start();
        for (int i = 0; !mounted(mountpoint) || !mounted(offMountpoint); i++) {
            if (!daemon.isAlive() || !offDaemon.isAlive() || i > 1200) {
                fail("the daemons did not mount:\n" + Files.readString(work.resolve("daemon.log"))
                        + Files.readString(work.resolve("daemon-off.log")));
            }
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void unmount() throws Exception {
        try {
            if (offMountpoint != null && mounted(offMountpoint)) {
                Shell.Result r = Shell.run(work, List.of(repo.resolve("bin/afs").toString(), "unmount",
                        offMountpoint.toString()));
                if (r.exit() != 0) {
                    Shell.run(work, List.of("umount", "-l", offMountpoint.toString()));
                }
            }
            if (offDaemon != null && !offDaemon.waitFor(20, TimeUnit.SECONDS)) {
                offDaemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            if (mountpoint != null && mounted()) {
                Shell.Result r = Shell.run(work, List.of(repo.resolve("bin/afs").toString(), "unmount",
                        mountpoint.toString()));
                if (r.exit() != 0) {
                    Shell.run(work, List.of("umount", "-l", mountpoint.toString()));
                }
            }
            if (daemon != null && !daemon.waitFor(20, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            if (mountpoint != null && mounted()) {
                Shell.run(work, List.of("umount", "-l", mountpoint.toString()));
            }
            if (offMountpoint != null && mounted(offMountpoint)) {
                Shell.run(work, List.of("umount", "-l", offMountpoint.toString()));
            }
            if (loki != null) {
                loki.close();
            }
            if (cluster != null) {
                cluster.destroy();
            }
            if (work != null) {
                try (Stream<Path> walk = Files.walk(work)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
        assertFalse(mountpoint != null && mounted(), "the mount outlived the test");
        assertFalse(offMountpoint != null && mounted(offMountpoint), "the second mount outlived the test");
    }

    private static boolean mounted() throws IOException {
        return mounted(mountpoint);
    }

    private static boolean mounted(Path mountpoint) throws IOException {
        String abs = mountpoint.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .map(l -> l.split(" ")).anyMatch(f -> f[1].equals(abs) && f[2].equals("fuse.afs"));
    }

    /** The command in the mount's logs directory and in the data directory: same output, same exit code. */
    private static void sameAsGnu(String command) throws IOException {
        Shell.Result gnu = Shell.bash(data, command);
        Shell.Result mounted = Shell.bash(logs, command);
        assertEquals(gnu.exit(), mounted.exit(), command + "\nGNU: " + gnu + "\nmount: " + mounted);
        assertEquals(gnu.out(), mounted.out(), command);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "grep -c ERROR api.log",
        "grep -c -v -i timeout api.log",
        "grep -ci 'upstream timeout' api.log",
        "grep -q 'req-' api.log",
        "grep -q 'no such line anywhere' api.log",
        "grep -l declined api.log",
        "grep -L declined api.log",
        "grep -L 'no such line anywhere' api.log",
        "grep -m 3 -E 'ERROR|WARN' api.log",
        "grep -o -i 'timeout [a-z]*' api.log | sort | uniq -c",
        "grep -H -c 404 api.log",
        "egrep -c '(ERROR|WARN) api' api.log",
        "fgrep -c 'ü-42' api.log",
        "tail -n 50 api.log",
        "tail -3 api.log",
        "head -n 700 api.log | tail -n 2",
        "head api.log",
        "grep -c ERROR ./api.log",
    })
    void plainToolsGiveWhatGnuGivesOverTheWholeStream(String command) throws IOException {
        sameAsGnu(command);
    }

    /**
     * Awkward bytes for the file backend's raw literal prefilter (lines without the literal are
     * skipped as bytes, the rest decided on the served text): the literal at a line's start and
     * end, CRLF endings, invalid UTF-8, a password that redaction hides, and a last line without
     * a newline; 3,000 lines, far more than the stream's window of 5.
     */
    private static byte[] edgeLog() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Instant t = Instant.parse("2026-11-21T20:00:00Z");
        for (int i = 0; i < 3_000; i++) {
            t = t.plusMillis(17);
            String stamp = t.toString();
            String line = switch (i % 7) {
                case 0 -> "OOMKilled " + stamp + " WARN pod restarted";
                case 1 -> stamp + " INFO worker " + i + " done OOMKilled";
                case 2 -> stamp + " ERROR upstream timeout\r";
                case 3 -> stamp + " INFO login password=hunter2-wolfsbane ok";
                case 4 -> stamp + " INFO oomkilled lower case " + i;
                default -> stamp + " INFO nothing to see " + i;
            };
            out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
            if (i % 11 == 0) {
                out.writeBytes(new byte[] {' ', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, 'E', 'R', 'R'});
            }
            out.write('\n');
        }
        out.writeBytes("2026-11-21T21:00:00Z INFO last line without newline OOMKilled".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "grep -c OOMKilled edge.log",
        "grep -F OOMKilled edge.log | tail -n 3",
        "grep -ci oomkilled edge.log",
        "grep -c -i 'UPSTREAM TIMEOUT' edge.log",
        "grep -c \"$(printf 'timeout\\r')\" edge.log",
        "grep -c ERR edge.log",
        "grep -c 'done OOMKilled' edge.log",
        "grep -q 'last line without newline' edge.log",
        "grep 'last line without newline' edge.log",
        "grep -c 'not anywhere' edge.log",
    })
    void awkwardBytesGiveWhatGnuGives(String command) throws IOException {
        sameAsGnu(command);
    }

    @Test
    void aPasswordRedactionHidesIsNotFoundByPartOfIt() throws IOException {
        assertEquals("429\n", Shell.bash(data, "grep -c wolfsbane edge.log").out(), "the raw file holds it");
        Shell.Result mounted = Shell.bash(logs, "grep -c wolfsbane edge.log");
        assertEquals("0\n", mounted.out(), "only served (redacted) text is searched");
        assertEquals(1, mounted.exit(), "grep found nothing");
        assertEquals(1, Shell.bash(logs, "grep -q hunter2 edge.log").exit());
        assertEquals("429\n", Shell.bash(logs, "grep -c 'login password=' edge.log").out(), "the lines are there, redacted");
    }

    @Test
    void theWholeStreamIsLargerThanTheWindow() throws IOException {
        // without pushdown (a pipe: cat opens the file) the window gives another answer
        String window = Shell.bash(logs, "cat api.log | grep -c ERROR").out();
        String whole = Shell.bash(data, "grep -c ERROR api.log").out();
        assertNotEquals(whole, window, "the stream must be larger than its window for these tests to mean anything");
        assertEquals(whole, Shell.bash(logs, "grep -c ERROR " + quote(logs.resolve("api.log").toString())).out());
        assertEquals(0, Shell.bash(logs, "grep -qF " + quote(firstLine()) + " api.log").exit(),
                "grep -q finds the oldest line, far outside the window");
        assertEquals(1, Shell.bash(logs, "cat api.log | grep -qF " + quote(firstLine())).exit());
    }

    private static String firstLine() throws IOException {
        return Files.readAllLines(data.resolve("api.log")).get(0);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"grep -n ERROR api.log", "grep -A 1 ERROR api.log"})
    void lineNumbersAndContextFallBackToTheWindowFlaggedTruncated(String command) throws IOException {
        Shell.Result mounted = Shell.bash(logs, command);
        assertNotEquals(Shell.bash(data, command).out(), mounted.out(), "served the window, not the whole stream");
        assertEquals(Shell.bash(data, "tail -n 500 api.log | " + command.replace(" api.log", "")).out(), mounted.out());
        String truncated = Shell.bash(logs, "getfattr --only-values -n user.afs.truncated api.log").out();
        assertTrue(truncated.contains("default window of api"), truncated);
    }

    @Test
    void aResultOverMaxPushdownFallsBackToTheWindowFlaggedTruncated() throws IOException {
        Shell.Result mounted = Shell.bash(logs, "grep -c ERROR tiny.log");
        assertEquals(Shell.bash(data, "tail -n 500 api.log | grep -c ERROR").out(), mounted.out());
        String truncated = Shell.bash(logs, "getfattr --only-values -n user.afs.truncated tiny.log").out();
        assertTrue(truncated.contains("default window of tiny"), truncated);
        assertEquals(Shell.bash(data, "tail -n 100 api.log").out(), Shell.bash(logs, "tail -n 100 tiny.log").out(),
                "within the bound it is still pushed down");
    }

    @Test
    void withPlainToolsOffAPlainToolGetsTheDefaultWindowFlaggedTruncated() throws IOException {
        String window = Shell.bash(data, "tail -n 500 api.log | grep -c ERROR").out();
        assertNotEquals(Shell.bash(data, "grep -c ERROR api.log").out(), window);
        assertEquals(window, Shell.bash(offLogs, "grep -c ERROR api.log").out(), "the window, not the whole stream");
        assertEquals(Shell.bash(data, "tail -n 500 api.log | head -n 3").out(), Shell.bash(offLogs, "head -n 3 api.log").out());
        assertEquals(1, Shell.bash(offLogs, "grep -qF " + quote(firstLine()) + " api.log").exit(),
                "grep -q does not find the oldest line, outside the window");
        String truncated = Shell.bash(offLogs, "getfattr --only-values -n user.afs.truncated api.log").out();
        assertTrue(truncated.contains("default window of api"), truncated);
        String id = Shell.bash(offLogs, "getfattr --only-values -n user.afs.evidence api.log").out();
        assertEquals(1, Shell.bash(offLogs, "getfattr -n user.afs.pushdown " + quote(offMountpoint + id)).exit(),
                "no command was pushed down: " + id);
    }

    @Test
    void afsGrepAndAfsShExitAsGnuGrep() throws IOException {
        String api = logs.resolve("api.log").toString();
        Shell.Result count = afs("grep", "-c", "ERROR", api);
        assertEquals(Shell.bash(data, "grep -c ERROR api.log").out(), count.out());
        assertEquals(0, count.exit());
        Shell.Result none = afs("grep", "-c", "no such line anywhere", api);
        assertEquals("0\n", none.out());
        assertEquals(1, none.exit());
        assertEquals(1, afs("grep", "-q", "no such line anywhere", api).exit());
        assertEquals(0, afs("grep", "-q", "declined", api).exit());
        Shell.Result missing = afs("grep", "-s", "x", logs.resolve("nosuch.log").toString());
        assertEquals(2, missing.exit());
        assertEquals("", missing.err(), "-s silences a missing file");
        assertEquals(2, afs("grep", "x", logs.resolve("nosuch.log").toString()).exit());
        Shell.Result numbered = afs("sh", "-c", "grep -n -A 1 declined " + api + " | tail -n 4");
        assertEquals(Shell.bash(data, "grep -n -A 1 declined api.log | tail -n 4").out(), numbered.out(),
                "afs sh numbers lines over the whole stream");
        assertEquals(0, numbered.exit());
        assertEquals(1, afs("sh", "-c", "grep declined " + api + " | grep -q 'no such line'").exit());
    }

    private static Shell.Result afs(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(repo.resolve("bin/afs").toString(), args[0],
                "--config", config.toString()));
        command.addAll(List.of(args).subList(1, args.length));
        return Shell.run(work, command);
    }

    @Test
    void evidenceRecordsThePushedDownCommand() throws IOException {
        assertEquals(0, Shell.bash(logs, "grep -c declined api.log").exit());
        String id = Shell.bash(logs, "getfattr --only-values -n user.afs.evidence api.log").out();
        assertTrue(id.startsWith("/evidence/"), id);
        Path evidence = mountpoint.resolve(id.substring(1));
        assertEquals("grep -c declined api.log",
                Shell.bash(logs, "getfattr --only-values -n user.afs.pushdown " + quote(evidence.toString())).out());
        assertEquals(Shell.bash(data, "grep declined api.log").out(), Files.readString(evidence));
        assertEquals("false", Shell.bash(logs, "getfattr --only-values -n user.afs.truncated api.log").out());
    }

    @Test
    void tailFollowsAFileAndStopsOnSigint() throws Exception {
        Follower tail = Follower.start(logs, "tail", "-f", "-n", "2", "api.log");
        Follower tailName = Follower.start(logs, "tail", "-F", "-n", "0", "api.log");
        Follower cat = Follower.start(logs, "cat", "api.log?follow=1&tail=0&grep=appended");
        try {
            Thread.sleep(1500);
            for (int i = 1; i <= 3; i++) {
                Files.writeString(data.resolve("api.log"), Instant.now() + " ERROR appended " + i + "\n",
                        StandardOpenOption.APPEND);
                Thread.sleep(200);
            }
            Files.writeString(data.resolve("api.log"), Instant.now() + " INFO not for grep\n", StandardOpenOption.APPEND);
            tail.awaitLines(5, 10);
            tailName.awaitLines(4, 10);
            cat.awaitLines(3, 10);
            List<String> lastTwo = Files.readAllLines(data.resolve("api.log")).subList(2998, 3000);
            assertEquals(lastTwo, tail.lines().subList(0, 2));
            assertTrue(tail.lines().get(2).endsWith("ERROR appended 1"), tail.lines().toString());
            assertTrue(tailName.lines().get(3).endsWith("INFO not for grep"), tailName.lines().toString());
            assertEquals(3, cat.lines().size(), "the follow applies the path's grep: " + cat.lines());
            assertTrue(cat.lines().get(2).endsWith("ERROR appended 3"), cat.lines().toString());
        } finally {
            for (Follower f : List.of(tail, tailName, cat)) {
                f.interrupt();
            }
        }
        for (Follower f : List.of(tail, tailName, cat)) {
            assertTrue(f.stoppedWithin(5), "still running after SIGINT: " + f.command);
        }
    }

    @Test
    void followersOfLokiShareOneTailSeeServedRedactedLinesAndStopOnSigint() throws Exception {
        long before = nanos(Instant.now());
        Follower cat = Follower.start(logs, "cat", "api-loki.log?follow=1&tail=0&grep=pushed");
        Follower probe = Follower.start(logs, "cat", "api-loki.log?follow=1&tail=0&grep=alice");
        Follower tail = Follower.start(logs, "tail", "-f", "-n", "0", "api-loki.log");
        List<Follower> all = List.of(cat, probe, tail);
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (loki.openTails() < 1 || loki.tails().isEmpty()) {
                assertTrue(System.nanoTime() < until, "no tail was opened on Loki");
                Thread.sleep(50);
            }
            Thread.sleep(1500); // all three have joined the stream's one follower
            long after = nanos(Instant.now());
            loki.add(Map.of("app", "api"), nanos(Instant.now()), "pushed 1 by alice@example.com");
            Thread.sleep(300);
            loki.add(Map.of("app", "api"), nanos(Instant.now()), "INFO not for grep");
            Thread.sleep(300);
            loki.add(Map.of("app", "api"), nanos(Instant.now()), "pushed 2");
            cat.awaitLines(2, 10);
            tail.awaitLines(3, 10);
            java.util.regex.Pattern served = java.util.regex.Pattern.compile(
                    "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z pushed 1 by \\[REDACTED_EMAIL[^ ]*");
            assertTrue(served.matcher(cat.lines().get(0)).matches(), "served with its time, redacted: " + cat.lines());
            assertTrue(cat.lines().get(1).endsWith(" pushed 2"), cat.lines().toString());
            assertEquals(2, cat.lines().size(), "the follow applies the path's grep: " + cat.lines());
            assertEquals(cat.lines().get(0), tail.lines().get(0));
            assertTrue(tail.lines().get(1).endsWith(" INFO not for grep"), tail.lines().toString());
            assertEquals(List.of(), probe.lines(), "a filter sees the redacted line: it cannot find what was redacted");

            assertEquals(1, loki.tails().size(), "one upstream tail for the three followers: " + loki.tails());
            Map<String, String> params = loki.tails().get(0).params();
            assertEquals("{app=\"api\"}", params.get("query"), "the selector alone; each follower filters");
            assertEquals("5000", params.get("limit"));
            assertEquals("0", params.get("delay_for"));
            long start = Long.parseLong(params.get("start"));
            assertTrue(start >= before - 5_000_000_000L && start <= after, "the tail starts when the follow did: " + start);
        } finally {
            for (Follower f : all) {
                f.interrupt();
            }
        }
        for (Follower f : all) {
            assertTrue(f.stoppedWithin(5), "still running after SIGINT: " + f.command);
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (loki.openTails() > 0) {
            assertTrue(System.nanoTime() < until, "the tail outlived its last follower");
            Thread.sleep(50);
        }
    }

    @Test
    void plainTailFollowsAPodLogThroughOneFollowCallAndStopsOnSigint() throws Exception {
        Path pod = mountpoint.resolve("teams/shop/prod/k8s/pods/api-1/logs");
        Follower tail = Follower.start(pod, "tail", "-f", "-n", "1", "api.log");
        Follower tailName = Follower.start(pod, "tail", "-F", "-n", "0", "api.log");
        List<Follower> both = List.of(tail, tailName);
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (podLog.follows().isEmpty()) {
                assertTrue(System.nanoTime() < until, "no follow=true call reached the API server");
                Thread.sleep(50);
            }
            Thread.sleep(1500); // both tails have joined the log's one follow
            assertEquals(1, podLog.follows().size(), "one follow=true call for both tails: " + podLog.follows());
            assertTrue(podLog.follows().get(0).startsWith("/api/v1/namespaces/shop/pods/api-1/log?container=api"
                    + "&follow=true&sinceTime="), podLog.follows().toString());
            podLog.append("ERROR pod appended 1");
            Thread.sleep(300);
            podLog.append("INFO pod appended 2");
            tail.awaitLines(3, 10);
            tailName.awaitLines(2, 10);
            assertTrue(tail.lines().get(0).endsWith(" INFO before the follow"), "tail -n 1 prints the newest line first: "
                    + tail.lines());
            assertTrue(tail.lines().get(1).endsWith(" ERROR pod appended 1"), tail.lines().toString());
            assertTrue(tail.lines().get(2).endsWith(" INFO pod appended 2"), tail.lines().toString());
            assertEquals(tail.lines().subList(1, 3), tailName.lines());
            assertTrue(tail.lines().get(1).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z ERROR pod appended 1"),
                    "served with its time in front, as a read of the pod log: " + tail.lines());
        } finally {
            for (Follower f : both) {
                f.interrupt();
            }
        }
        for (Follower f : both) {
            assertTrue(f.stoppedWithin(5), "still running after SIGINT: " + f.command);
        }
        // the followed lines are evidence segments that name the tail that was followed
        Shell.Result segments = Shell.bash(mountpoint, "grep -rl 'pod appended 2' evidence");
        assertEquals(0, segments.exit(), "no evidence segment holds the followed lines");
        List<String> commands = new java.util.ArrayList<>();
        for (String file : segments.out().lines().toList()) {
            commands.add(Shell.bash(mountpoint, "getfattr --only-values -n user.afs.pushdown " + quote(file)).out());
        }
        assertTrue(commands.contains("tail -f -n 1 api.log") && commands.contains("tail -F -n 0 api.log"),
                "segments of both tails: " + commands);
        // the follow ends with its last follower: a line appended now is not asked for again
        int calls = podLog.follows().size();
        podLog.append("INFO after the tails stopped");
        Thread.sleep(2500);
        assertEquals(calls, podLog.follows().size(), "the follow outlived its last follower: " + podLog.follows());
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** A follower process whose output is collected as it comes. */
    private static final class Follower {
        final String command;
        private final Process process;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        private Follower(String command, Process process) {
            this.command = command;
            this.process = process;
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[4096];
                try (InputStream in = process.getInputStream()) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        synchronized (out) {
                            out.write(buffer, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        static Follower start(Path dir, String... command) throws IOException {
            return new Follower(String.join(" ", command),
                    new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                            .start());
        }

        List<String> lines() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8).lines().toList();
            }
        }

        void awaitLines(int n, int seconds) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (lines().size() < n) {
                if (System.nanoTime() > until) {
                    fail(command + " printed " + lines() + " after " + seconds + " s, expected " + n + " lines");
                }
                Thread.sleep(50);
            }
        }

        /** Ctrl-C: SIGINT to the process. */
        void interrupt() throws IOException {
            if (process.isAlive()) {
                Shell.run(Path.of("/"), List.of("kill", "-INT", Long.toString(process.pid())));
            }
        }

        boolean stoppedWithin(int seconds) throws InterruptedException {
            boolean stopped = process.waitFor(seconds, TimeUnit.SECONDS);
            if (!stopped) {
                process.destroyForcibly();
            }
            return stopped;
        }
    }
}
