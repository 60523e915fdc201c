package dev.aegis.afs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * A live mount of an {@link AfsFuse}. Options: the file system shows as {@code afs} (type
 * {@code fuse.afs}) in /proc/mounts; {@code allow_other} so other users can read (the daemon
 * decides access itself, so {@code default_permissions} is deliberately absent); a short entry
 * timeout because live files change, and no attribute caching at all: a live file's size is 0
 * for everyone except a process holding it open (see {@link AfsFuse#getattr}), and a cached
 * size leaking to another process would make its {@code tail} seek to the wrong place; {@code atomic_o_trunc} so {@code > file} reaches
 * {@code open} with O_TRUNC instead of a separate truncate. libfuse runs multithreaded.
 *
 * <p>Fixed directories ({@code /teams}, a team, an env, {@code logs/}) would bear a longer
 * entry and attribute timeout than live files, but libfuse 2's high-level API, which jnr-fuse
 * binds, applies both timeouts to the whole mount (only the low-level API sets them per
 * entry). So the kernel looks each directory up at most once a second per name, and what a
 * lookup costs is kept small instead: a file stream's directory is listed at most once per
 * read ({@code StreamLayout}).
 */
public final class FuseMount implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("afs.fuse");

    public static final List<String> OPTIONS = List.of(
            "-o", "fsname=afs,subtype=afs,allow_other,atomic_o_trunc",
            "-o", "entry_timeout=1,attr_timeout=0,negative_timeout=0");

    private final AfsFuse fs;
    private final Path mountpoint;
    private final Thread loop;

    private FuseMount(AfsFuse fs, Path mountpoint, Thread loop) {
        this.fs = fs;
        this.mountpoint = mountpoint;
        this.loop = loop;
    }

    /**
     * Mounts {@code fs} at {@code mountpoint} (created when missing) and returns once the mount is
     * live in /proc/mounts. libfuse's loop runs in a non-daemon thread until unmounted; see
     * {@link #awaitUnmount()}.
     *
     * @throws IOException when the mountpoint is in use or libfuse refuses (the reason is in the message)
     */
    public static FuseMount mount(AfsFuse fs, Path mountpoint) throws IOException {
        Objects.requireNonNull(fs, "fs is null");
        Path mp = mountpoint.toAbsolutePath().normalize();
        if (MountTable.system().isAfsMount(mp)) {
            throw new IOException(mp + " is already an afs mount; unmount it first: afs unmount " + mp);
        }
        Files.createDirectories(mp);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread loop = new Thread(() -> {
            try {
                fs.mount(mp, true, false, OPTIONS.toArray(String[]::new));
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "fuse-loop " + mp);
        loop.start();
        while (!MountTable.system().isAfsMount(mp)) {
            if (!loop.isAlive()) {
                Throwable t = failure.get();
                throw new IOException("cannot mount at " + mp + ": " + (t == null ? "libfuse exited" : t.getMessage())
                        + "; check that /dev/fuse exists, libfuse2 is installed (apt-get install libfuse2 fuse3)"
                        + " and the directory is empty", t);
            }
            sleep(20);
        }
        return new FuseMount(fs, mp, loop);
    }

    /** A mount whose daemon is gone answers "Transport endpoint is not connected". */
    public static boolean isStale(Path mp) {
        try {
            Files.readAttributes(mp, "basic:isDirectory");
            return false;
        } catch (IOException e) {
            return String.valueOf(e.getMessage()).contains("not connected") || !Files.exists(mp);
        }
    }

    public Path mountpoint() {
        return mountpoint;
    }

    /** Blocks until the file system is unmounted (by {@link #close()}, {@code afs unmount} or umount). */
    public void awaitUnmount() throws InterruptedException {
        loop.join();
    }

    /** Unmounts; safe to call twice and from a shutdown hook. */
    @Override
    public void close() {
        if (MountTable.system().isAfsMount(mountpoint)) {
            try {
                unmount(mountpoint);
            } catch (IOException e) {
                LOG.warning(e.getMessage());
            }
        }
        fs.umount();
        try {
            loop.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Unmounts whatever afs mount is at {@code mp} (lazily when busy), through fusermount or umount. */
    public static void unmount(Path mp) throws IOException {
        Path target = mp.toAbsolutePath().normalize();
        String last = "";
        for (List<String> command : List.of(List.of("fusermount", "-u", target.toString()),
                List.of("umount", target.toString()), List.of("umount", "-l", target.toString()))) {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes()).trim();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return;
                }
                last = String.join(" ", command) + ": " + out;
            } catch (IOException e) {
                last = String.join(" ", command) + ": " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while unmounting " + target, e);
            }
            if (!MountTable.system().isAfsMount(target)) {
                return;
            }
        }
        throw new IOException("cannot unmount " + target + " (" + last + "); close the programs using it (fuser -vm "
                + target + ") and retry");
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while mounting", e);
        }
    }
}
