package dev.aegis.afs.core;

import java.util.Objects;
import java.util.Optional;

/**
 * Who performs an operation: the FUSE caller's uid, gid and pid (a thread id), or for the CLI
 * the invoking user. Access lists and approvals are decided on this.
 *
 * @param incident the incident the operation is made under when the path named it
 *                 ({@code /incidents/<id>/teams/...}); otherwise the reader's {@code AFS_INCIDENT}
 *                 is looked up when a capture is recorded (see {@code CallerNames#tagged})
 */
public record Caller(int uid, int gid, long pid, Optional<String> incident) {

    public Caller {
        Objects.requireNonNull(incident, "incident is null");
    }

    public Caller(int uid, int gid, long pid) {
        this(uid, gid, pid, Optional.empty());
    }

    /** The process running this JVM (the CLI, or tests). */
    public static Caller self() {
        return new Caller(ProcessIds.uid(), ProcessIds.gid(), ProcessHandle.current().pid());
    }

    /** The same caller, working under {@code id} (already checked by whoever read it). */
    public Caller withIncident(String id) {
        return new Caller(uid, gid, pid, Optional.of(Objects.requireNonNull(id, "id is null")));
    }
}
