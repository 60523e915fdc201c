package dev.aegis.afs.core;

import dev.aegis.afs.core.evidence.EvidenceRecord;
import java.util.Objects;

/**
 * What {@code afs sh} and {@code afs grep} ran: the evidence of the read and the pipeline's exit
 * status, as bash with GNU tools would give it (the last command's: grep 0 when it selected a
 * line, 1 when none; tail, head, cat and wc 0).
 */
public record ShellRun(EvidenceRecord evidence, int status) {

    public ShellRun {
        Objects.requireNonNull(evidence, "evidence is null");
    }
}
