package dev.aegis.afs.e2e.security;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code bin/afs mount -f} as a child process with a chosen environment, and the CLI beside it.
 * {@link #close()} always unmounts (lazily if the daemon does not), stops the daemon and checks
 * the mount is gone; call it in a finally block or @AfterAll.
 */
public final class Mount implements AutoCloseable {

    /** What a command printed and its exit code. */
    public record Result(int exit, String out, String err) {
    }

    public final Path repo;
    public final Path work;
    public final Path config;
    public final Path mountpoint;
    public final Path daemonLog;
    private final Map<String, String> environment;
    private final Process daemon;

    private Mount(Path work, Path config, Map<String, String> environment, String mountName) throws Exception {
        this.repo = Path.of(System.getProperty("afs.repo", "..")).toRealPath();
        this.work = work;
        this.config = config;
        this.environment = environment;
        this.mountpoint = Files.createDirectories(work.resolve(mountName));
        this.daemonLog = work.resolve("daemon.log");
        ProcessBuilder builder = new ProcessBuilder(repo.resolve("bin/afs").toString(), "mount", "-f", "--config",
                config.toString(), mountpoint.toString())
                .redirectErrorStream(true).redirectOutput(daemonLog.toFile());
        builder.environment().putAll(environment);
        daemon = builder.start();
        for (int i = 0; !mounted(); i++) {
            if (!daemon.isAlive() || i > 1200) {
                close();
                fail("the daemon did not mount " + mountpoint + ":\n" + Files.readString(daemonLog));
            }
            Thread.sleep(50);
        }
    }

    /** Skips the calling test where FUSE is absent, as the other end-to-end tests do. */
    public static void assumeFuse() {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is absent: no FUSE on this machine");
        assumeTrue(Stream.of("/usr/lib/x86_64-linux-gnu/libfuse.so.2", "/lib/x86_64-linux-gnu/libfuse.so.2",
                        "/usr/lib/aarch64-linux-gnu/libfuse.so.2", "/usr/lib/libfuse.so.2").anyMatch(p -> Files.exists(Path.of(p))),
                "libfuse2 is absent (apt-get install libfuse2)");
    }

    public static Mount start(Path work, Path config, Map<String, String> environment) throws Exception {
        return start(work, config, environment, "mnt");
    }

    /** Mounts at {@code work/<mountName>} (a path of any shape, to test that nothing assumes /mnt/afs). */
    public static Mount start(Path work, Path config, Map<String, String> environment, String mountName)
            throws Exception {
        assumeFuse();
        return new Mount(work, config, environment, mountName);
    }

    long daemonPid() {
        return daemon.pid();
    }

    public boolean mounted() throws IOException {
        String abs = mountpoint.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .map(l -> l.split(" ")).anyMatch(f -> f[1].equals(abs) && f[2].equals("fuse.afs"));
    }

    /** {@code bash -c script} in the mountpoint. */
    public Result bash(String script) throws IOException {
        return run(mountpoint, List.of("bash", "-c", script), Map.of());
    }

    /** {@code bash -c script} in the mountpoint as {@code uid} (its own group, the groups NSS gives it), switched with setpriv. */
    public Result as(int uid, String script) throws IOException {
        return run(mountpoint, List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--init-groups", "bash", "-c", script),
                Map.of());
    }

    /** {@code bin/afs ARGS...} with the daemon's environment. */
    public Result afs(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(repo.resolve("bin/afs").toString());
        command.addAll(List.of(args));
        return run(work, command, environment);
    }

    public static Result run(Path dir, List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().putAll(env);
        Path out = Files.createTempFile("afs-out", ".txt");
        Path err = Files.createTempFile("afs-err", ".txt");
        try {
            Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * {@code kill -9} of the daemon, as a crash or the OOM killer would; then the stale mount it
     * leaves ("Transport endpoint is not connected") is unmounted, so a new daemon can mount there.
     */
    public void kill() throws Exception {
        daemon.destroyForcibly(); // SIGKILL: bin/afs execs the JVM, so this is the daemon itself
        if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
            throw new IOException("the daemon " + daemon.pid() + " did not die on SIGKILL");
        }
        run(work, List.of("umount", "-l", mountpoint.toString()), Map.of());
    }

    @Override
    public void close() throws Exception {
        try {
            if (mounted()) {
                Result r = afs("unmount", mountpoint.toString());
                if (r.exit() != 0) {
                    run(work, List.of("umount", "-l", mountpoint.toString()), Map.of());
                }
            }
            if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
                daemon.destroy();
                if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                    daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            if (mounted()) {
                run(work, List.of("umount", "-l", mountpoint.toString()), Map.of());
            }
        }
    }

    public static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
