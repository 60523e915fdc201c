package dev.aegis.afs.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a process is being torn down by a signal. When a writer is killed mid-write the kernel
 * still closes its descriptors, and FUSE still sends a flush for each: only the dying task's
 * flags tell that close from a deliberate one. The kernel sets PF_SIGNALED (0x400) on a task
 * that dequeued a fatal signal before it closes its files (kernel/signal.c, get_signal), and
 * {@code /proc/<tid>/stat} field 9 shows the flags while the task exits.
 */
public final class ProcessExits {

    private static final long PF_SIGNALED = 0x400;

    private final Path proc;

    public ProcessExits(Path proc) {
        this.proc = java.util.Objects.requireNonNull(proc, "proc is null");
    }

    public static ProcessExits system() {
        return new ProcessExits(Path.of("/proc"));
    }

    /** True when task {@code pid} is dying of a signal; false when it is not, or cannot be told. */
    public boolean killedBySignal(long pid) {
        if (pid <= 0) {
            return false;
        }
        try {
            String stat = Files.readString(proc.resolve(Long.toString(pid)).resolve("stat"));
            // "pid (comm) state ppid pgrp session tty_nr tpgid flags ..."; comm may hold spaces and ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return (Long.parseLong(f[6]) & PF_SIGNALED) != 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
