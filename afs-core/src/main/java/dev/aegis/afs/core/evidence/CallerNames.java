package dev.aegis.afs.core.evidence;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.IncidentId;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

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

    /** The variable a reader sets to work under an incident: {@code AFS_INCIDENT=INC-7 grep ...}. */
    public static final String INCIDENT_VARIABLE = "AFS_INCIDENT";

    /**
     * {@code caller} with the incident its reads are tagged with: the one the path named
     * ({@code /incidents/<id>/teams/...}) wins; otherwise {@code AFS_INCIDENT} from the process's
     * environment as the kernel keeps it ({@code /proc/<pid>/environ}, what it was started with),
     * when this daemon may read it (its own user's processes, or any as root).
     *
     * @throws AfsException INVALID_ARGUMENT when AFS_INCIDENT is set but is not an incident id: a
     *                      read meant for an incident is refused rather than recorded under none
     */
    public Caller tagged(Caller caller) throws AfsException {
        if (caller.incident().isPresent() || caller.pid() <= 0) {
            return caller;
        }
        Optional<String> value = environment(caller.pid(), INCIDENT_VARIABLE);
        if (value.isEmpty() || value.get().isEmpty()) {
            return caller;
        }
        Optional<String> problem = IncidentId.problem(value.get());
        if (problem.isPresent()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, INCIDENT_VARIABLE + " in the environment of "
                    + command(caller.pid()) + " (pid " + caller.pid() + ") " + problem.get()
                    + "; set it to the incident's id or unset it");
        }
        return caller.withIncident(value.get());
    }

    /** One variable of {@code pid}'s initial environment; empty when unset or unreadable. */
    private Optional<String> environment(long pid, String name) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(proc.resolve(Long.toString(pid)).resolve("environ"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone, or another user's process and this daemon is not root
        }
        byte[] prefix = (name + "=").getBytes(StandardCharsets.UTF_8);
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == 0) {
                if (i - start >= prefix.length && java.util.Arrays.equals(raw, start, start + prefix.length, prefix, 0, prefix.length)) {
                    return Optional.of(new String(raw, start + prefix.length, i - start - prefix.length, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return Optional.empty();
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
