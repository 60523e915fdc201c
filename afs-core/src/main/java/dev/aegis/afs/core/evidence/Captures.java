package dev.aegis.afs.core.evidence;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.redact.Redactor;
import java.util.Optional;

/**
 * Runs live reads and records each as evidence, once: concurrent opens of the same read share
 * one backend query (single flight), and a repeat within the backend's cache TTL reuses the
 * snapshot. Remembers each caller's newest snapshot per path for {@code user.afs.evidence}.
 */
public interface Captures {

    /**
     * @param treePath the path read, with its query, e.g. {@code /teams/p/prod/logs/api.log?tail=50};
     *                 the cache key together with {@code cacheTtlMillis}
     * @param cacheTtlMillis how long a snapshot may be reused for the same path; 0 disables
     */
    EvidenceRecord capture(Caller caller, String treePath, long cacheTtlMillis, SnapshotProducer producer)
            throws AfsException;

    /**
     * Records segment {@code segment} (from 1) of a follow of {@code followPath} as a snapshot of
     * its own, never shared or cached. The follow counts once against the snapshot quota, at its
     * first segment; later segments count their bytes only.
     */
    default EvidenceRecord captureSegment(Caller caller, String followPath, int segment, SnapshotProducer producer)
            throws AfsException {
        return capture(caller, followPath + "#" + segment, 0, producer);
    }

    /** The newest snapshot {@code caller} produced by reading {@code treePath} (any query). */
    Optional<EvidenceRecord> newest(Caller caller, String treePath);

    EvidenceStore store();

    /**
     * The redaction of reads of {@code treePath} (a follow redacts each new line as it arrives,
     * before its filters see it); {@link Redactor#NONE} where nothing is redacted.
     */
    default Redactor redactor(String treePath) {
        return Redactor.NONE;
    }
}
