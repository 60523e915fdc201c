package dev.aegis.afs.core.evidence;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.Caller;
import dev.aegis.afs.evidence.CaptureRecord;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Names the reader of a capture: the principal {@code unix:<uid>@<host>} (docs/trust-model.md)
 * and the command name the kernel keeps in {@code /proc/<pid>/comm}. The FUSE caller's pid is
 * a thread id; {@code /proc/<tid>/comm} exists for threads too.
 */
public final class CallerNames {

    private final String host;
    private final Path proc;

    public CallerNames(String host, Path proc) {
        this.host = requireNonNull(host, "host is null");
        this.proc = requireNonNull(proc, "proc is null");
    }

    /** This machine's host name and the real /proc. */
    public static CallerNames system() {
        return new CallerNames(hostName(), Path.of("/proc"));
    }

    public CaptureRecord.Reader of(Caller caller) {
        return new CaptureRecord.Reader("unix:" + caller.uid() + "@" + host, command(caller.pid()));
    }

    private String command(long pid) {
        if (pid <= 0) {
            return "?";
        }
        try {
            String comm = Files.readString(proc.resolve(Long.toString(pid)).resolve("comm"), StandardCharsets.UTF_8).strip();
            // comm is chosen by the process (prctl): keep it printable so it cannot forge a line anywhere it is shown
            String clean = comm.replaceAll("[^\\x21-\\x7e]", "?");
            return clean.isEmpty() ? "?" : clean;
        } catch (IOException | RuntimeException e) {
            return "?"; // the process has already exited
        }
    }

    private static String hostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException e) {
            // not Linux: ask the resolver
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
