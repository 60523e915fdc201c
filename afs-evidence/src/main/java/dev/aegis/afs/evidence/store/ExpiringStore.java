package dev.aegis.afs.evidence.store;

import java.io.IOException;
import java.time.Instant;
import java.util.Set;

/**
 * A shared store the control plane's retention sweep may prune: records captured before a cutoff
 * go, unless held, and then the blobs no remaining record points at.
 */
public interface ExpiringStore {

    /** What one sweep did: records deleted, blobs deleted, expired records kept because held. */
    record Swept(int records, int blobs, int held) {
    }

    /**
     * Deletes the records captured before {@code cutoff} whose id is not in {@code held}, then
     * every blob no record (of any age) points at any more.
     */
    Swept expire(Instant cutoff, Set<String> held) throws IOException;
}
