package dev.aegis.afs.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the daemon may learn about the process behind a FUSE request: its command line and
 * working directory (to push plain {@code grep}/{@code tail} down), and whether it is gone (so a
 * read blocked for {@code ?follow=1} gives up). The FUSE context names a thread id; /proc
 * answers for thread ids too. Only processes in the daemon's PID namespace are visible.
 */
public interface CallerProcesses {

    /** A caller's command line (argv[0] first) and working directory. */
    record CallerProcess(List<String> argv, Path cwd) {
        public CallerProcess {
            argv = List.copyOf(argv);
            Objects.requireNonNull(cwd, "cwd is null");
        }
    }

    /** Knows no process: nothing is pushed down, and blocked reads wait for data only. */
    CallerProcesses NONE = new CallerProcesses() {
        @Override
        public Optional<CallerProcess> describe(long pid) {
            return Optional.empty();
        }

        @Override
        public boolean gone(long pid) {
            return false;
        }
    };

    /** The command line and cwd of {@code pid}; empty when it is gone or cannot be read. */
    Optional<CallerProcess> describe(long pid);

    /** True when {@code pid} has exited or a fatal signal (e.g. Ctrl-C's SIGINT) is pending for it. */
    boolean gone(long pid);

    /** Reads /proc. */
    static CallerProcesses proc() {
        return new ProcFs(Path.of("/proc"));
    }

    /** {@link CallerProcesses} from a procfs mounted at {@code root}. */
    final class ProcFs implements CallerProcesses {

        /** The kernel turns a fatal signal into a pending SIGKILL (signal 9: bit 8 of the masks). */
        private static final long SIGKILL_BIT = 1L << 8;

        private final Path root;

        public ProcFs(Path root) {
            this.root = Objects.requireNonNull(root, "root is null");
        }

        @Override
        public Optional<CallerProcess> describe(long pid) {
            if (pid <= 0) {
                return Optional.empty();
            }
            try {
                byte[] raw = Files.readAllBytes(root.resolve(Long.toString(pid)).resolve("cmdline"));
                List<String> argv = new ArrayList<>();
                int start = 0;
                for (int i = 0; i < raw.length; i++) {
                    if (raw[i] == 0) {
                        argv.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                        start = i + 1;
                    }
                }
                if (start < raw.length) {
                    argv.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
                }
                Path cwd = Files.readSymbolicLink(root.resolve(Long.toString(pid)).resolve("cwd"));
                return argv.isEmpty() ? Optional.empty() : Optional.of(new CallerProcess(argv, cwd));
            } catch (IOException | RuntimeException e) {
                return Optional.empty(); // gone, a kernel thread, or another PID namespace
            }
        }

        @Override
        public boolean gone(long pid) {
            try {
                for (String line : Files.readAllLines(root.resolve(Long.toString(pid)).resolve("status"))) {
                    if (line.startsWith("State:") && (line.contains("Z") || line.contains("X"))) {
                        return true;
                    }
                    if ((line.startsWith("SigPnd:") || line.startsWith("ShdPnd:"))
                            && (Long.parseUnsignedLong(line.substring(7).trim(), 16) & SIGKILL_BIT) != 0) {
                        return true;
                    }
                }
                return false;
            } catch (IOException | RuntimeException e) {
                return true;
            }
        }
    }
}
