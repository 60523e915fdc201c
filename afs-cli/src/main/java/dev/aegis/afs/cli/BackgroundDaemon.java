package dev.aegis.afs.cli;

import dev.aegis.afs.fuse.MountTable;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts {@code afs mount -f} as a detached child JVM (its own session, so closing the terminal
 * does not stop it) logging to {@code /var/log/afs/<mountpoint>.log} (or {@code $TMPDIR} when
 * that is not writable), and waits until the mount is live or the child fails.
 */
final class BackgroundDaemon {

    private static final long START_TIMEOUT_MILLIS = 120_000;

    private final Path config;
    private final Path mountpoint;

    BackgroundDaemon(Path config, Path mountpoint) {
        this.config = config;
        this.mountpoint = mountpoint;
    }

    int start(PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        Path log = logFile();
        createPrivate(log);
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of("mount", "-f", "--config", config.toString(), mountpoint.toString()));
        Process daemon = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (MountTable.system().isAfsMount(mountpoint)) {
                out.printf("afs: mounted %s at %s (daemon pid %d, log %s)%n", config, mountpoint, daemon.pid(), log);
                out.printf("stop it with: afs unmount %s%n", mountpoint);
                out.println(MountCommand.exportHint(mountpoint));
                out.flush();
                return ExitCodes.OK;
            }
            if (!daemon.isAlive()) {
                err.printf("afs mount: the daemon exited with %d before mounting; its log (%s) says:%n%s",
                        daemon.exitValue(), log, since(log, logStart));
                err.flush();
                return daemon.exitValue() == 0 ? ExitCodes.EXTERNAL : daemon.exitValue();
            }
            Thread.sleep(50);
        }
        daemon.destroy();
        err.printf("afs mount: %s did not appear in /proc/mounts within %d s; see %s%n", mountpoint,
                START_TIMEOUT_MILLIS / 1000, log);
        err.flush();
        return ExitCodes.EXTERNAL;
    }

    /**
     * The log names what was read and by whom: created 0600 (with that mode, no umask
     * dependence), and refused when others may read it.
     */
    static void createPrivate(Path log) throws IOException {
        try {
            Files.createFile(log, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            dev.aegis.afs.evidence.Keys.requirePrivate(log);
        }
    }

    private Path logFile() throws IOException {
        String name = mountpoint.toString().replaceAll("^/+", "").replace('/', '-');
        name = name.isEmpty() ? "root" : name;
        Path system = Path.of("/var/log/afs");
        try {
            if (!Files.isDirectory(system)) {
                Files.createDirectories(system, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            }
            if (Files.isWritable(system)) {
                return system.resolve(name + ".log");
            }
        } catch (IOException e) {
            // not root: use the temporary directory
        }
        String tmp = System.getenv("TMPDIR");
        return Path.of(tmp == null || tmp.isBlank() ? "/tmp" : tmp).resolve("afs-" + name + ".log");
    }

    private static String since(Path log, long offset) throws IOException {
        byte[] all = Files.readAllBytes(log);
        int from = (int) Math.min(offset, all.length);
        return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }
}
