package dev.aegis.afs.evidence.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Instant;

/**
 * A shared store whose content a privileged caller may purge (a secret redaction missed): the
 * content goes, the signed records stay, marked purged with who, when and why.
 */
public interface PurgeableStore {

    /** Who purged a snapshot's content, when and why. */
    record Purge(String id, String by, Instant at, String reason) {
        public Purge {
            requireNonNull(id, "id is null");
            requireNonNull(by, "by is null");
            requireNonNull(at, "at is null");
            requireNonNull(reason, "reason is null");
            if (reason.isBlank()) {
                throw new IllegalArgumentException("a purge needs a reason: say why the content must go (--reason TEXT)");
            }
        }

        /** What verification says about the purged snapshot. */
        public String describe() {
            return "purged by " + by + " at " + at + ": " + reason;
        }
    }

    /**
     * Removes the content of evidence {@code purge.id()} (shared by every record of the same
     * content in its team/env) and keeps the records, marked purged.
     *
     * @throws IOException when there is no such evidence, it is already purged, or the store refuses
     */
    void purge(Purge purge) throws IOException;

    /** Reading purged content fails with this, naming the purge. */
    final class PurgedException extends IOException {
        private final Purge purge;

        public PurgedException(String what, Purge purge) {
            super(what + " was " + purge.describe());
            this.purge = purge;
        }

        public Purge purge() {
            return purge;
        }
    }
}
