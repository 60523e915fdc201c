package dev.aegis.afs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code afs mount} in the background as a user runs it: it returns once the mount is live,
 * SIGTERM unmounts cleanly, and a mount left stale by {@code kill -9} is cleared by the next mount.
 */
class DaemonLifecycleTest {

    private static final Pattern DAEMON_PID = Pattern.compile("daemon pid (\\d+)");

    private Path repo;
    private Path work;
    private Path config;
    private Path mountpoint;
    private final List<Long> daemons = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is absent: no FUSE on this machine");
        assumeTrue(Stream.of("/usr/lib/x86_64-linux-gnu/libfuse.so.2", "/lib/x86_64-linux-gnu/libfuse.so.2",
                        "/usr/lib/aarch64-linux-gnu/libfuse.so.2", "/usr/lib/libfuse.so.2").anyMatch(p -> Files.exists(Path.of(p))),
                "libfuse2 is absent (apt-get install libfuse2)");
        repo = Path.of(System.getProperty("afs.repo", "..")).toRealPath();
        work = Files.createTempDirectory("afs-lifecycle");
        config = TestLogs.write(work);
        mountpoint = work.resolve("mnt"); // missing on purpose: mount creates it
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            if (mountpoint != null && mounted()) {
                Shell.run(work, List.of("umount", "-l", mountpoint.toString()));
            }
        } finally {
            for (long pid : daemons) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (work != null) {
                try (Stream<Path> walk = Files.walk(work)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    private boolean mounted() throws IOException {
        String abs = mountpoint.toString();
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .map(l -> l.split(" ")).anyMatch(f -> f[1].equals(abs) && f[2].equals("fuse.afs"));
    }

    private Shell.Result afs(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(repo.resolve("bin/afs").toString());
        command.addAll(List.of(args));
        return Shell.run(work, command);
    }

    private long mountInBackground() throws IOException {
        Shell.Result r = afs("mount", "--config", config.toString(), mountpoint.toString());
        Matcher m = DAEMON_PID.matcher(r.out());
        if (m.find()) {
            daemons.add(Long.parseLong(m.group(1)));
        }
        assertEquals(0, r.exit(), r.toString());
        assertTrue(m.find(0), r.toString());
        assertTrue(r.out().contains("stop it with: afs unmount " + mountpoint), r.toString());
        assertTrue(mounted(), "afs mount returned before the mount was live");
        return Long.parseLong(m.group(1));
    }

    private static void awaitExit(long pid) throws InterruptedException {
        Optional<ProcessHandle> daemon = ProcessHandle.of(pid);
        if (daemon.isPresent()) {
            try {
                daemon.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                fail("daemon " + pid + " did not exit: " + e);
            }
        }
    }

    @Test
    void backgroundMountServesAndUnmountStopsTheDaemon() throws Exception {
        long pid = mountInBackground();
        assertEquals("api.log\nworker.log\n",
                Shell.bash(work, "ls mnt/teams/shop/prod/logs").out());
        Shell.Result again = afs("mount", "--config", config.toString(), mountpoint.toString());
        assertEquals(2, again.exit(), again.toString());
        assertTrue(again.err().contains("already mounted"), again.toString());
        Shell.Result unmount = afs("unmount", mountpoint.toString());
        assertEquals(0, unmount.exit(), unmount.toString());
        assertFalse(mounted());
        awaitExit(pid);
    }

    @Test
    void sigtermUnmountsCleanly() throws Exception {
        long pid = mountInBackground();
        assertEquals(0, Shell.run(work, List.of("kill", "-TERM", Long.toString(pid))).exit());
        awaitExit(pid);
        assertFalse(mounted(), "SIGTERM left the mount behind");
    }

    @Test
    void staleMountFromAKilledDaemonIsClearedByTheNextMount() throws Exception {
        long pid = mountInBackground();
        assertEquals(0, Shell.run(work, List.of("kill", "-9", Long.toString(pid))).exit());
        awaitExit(pid);
        assertTrue(mounted(), "the kernel keeps a mount whose daemon was killed");
        assertTrue(Shell.bash(work, "ls mnt").err().contains("Transport endpoint is not connected"));
        Shell.Result r = afs("mount", "--config", config.toString(), mountpoint.toString());
        Matcher m = DAEMON_PID.matcher(r.out());
        if (m.find()) {
            daemons.add(Long.parseLong(m.group(1)));
        }
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("left mounted by an afs daemon that died"), r.toString());
        assertEquals("api.log\nworker.log\n", Shell.bash(work, "ls mnt/teams/shop/prod/logs").out());
        assertEquals(0, afs("unmount", mountpoint.toString()).exit());
    }

    @Test
    void brokenConfigFailsTheMountWithTheReason() throws Exception {
        Files.writeString(config, Files.readString(config).replace("type: file", "type: fil"));
        Shell.Result r = afs("mount", "--config", config.toString(), mountpoint.toString());
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().matches("(?s).*namespaces\\.yaml:\\d+:\\d+: .*"), r.toString());
        assertFalse(mounted());
    }
}
