package dev.aegis.afs.core;

/**
 * Who performs an operation: the FUSE caller's uid, gid and pid (a thread id), or for the CLI
 * the invoking user. Access lists and approvals are decided on this.
 */
public record Caller(int uid, int gid, long pid) {

    /** The process running this JVM (the CLI, or tests). */
    public static Caller self() {
        return new Caller(ProcessIds.uid(), ProcessIds.gid(), ProcessHandle.current().pid());
    }
}
