package dev.aegis.afs.evidence.store;

import dev.aegis.afs.evidence.SignedCapture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where evidence lives so that every mount and the harness see the same snapshots: the content
 * once per team/env under its sha256, and the signed record of each capture. Immutable: a capture
 * is put once and never changed; putting the same one again does nothing.
 *
 * <p>Implementations: {@link DirCaptureStore} (the local evidence directory, the default),
 * {@link PostgresCaptureStore}, {@link S3CaptureStore}; chosen by {@link StoreSpec}.
 */
public interface CaptureStore extends AutoCloseable {

    /** Where this store is, for messages: {@code dir:/var/lib/afs/evidence}, {@code postgresql://host:5432/afs}; never a password. */
    String describe();

    /**
     * Stores a capture durably: when this returns, the content and the record survive a crash
     * of this process and of the store's host. Idempotent for the same record and signature.
     *
     * @param content the snapshot's bytes, hashing to {@code capture.record().sha256()}
     * @param stats   the read's cost (unsigned), kept beside the record
     * @throws IOException when the store cannot be reached or refuses (another record under this id)
     */
    void put(SignedCapture capture, Path content, Map<String, String> stats) throws IOException;

    /** The signed record stored under {@code id}; empty when there is none. */
    Optional<SignedCapture> record(String id) throws IOException;

    /** The unsigned stats stored beside the record (empty map when none). */
    default Map<String, String> stats(String id) throws IOException {
        return Map.of();
    }

    /**
     * The content of a team/env's blob, read from the store (for verification: hash what you read).
     *
     * @throws java.nio.file.NoSuchFileException when the store has no such blob
     */
    InputStream content(String team, String env, String sha256) throws IOException;

    /** The content a record names, as this store serves it (by default its team/env blob). */
    default InputStream content(dev.aegis.afs.evidence.CaptureRecord record) throws IOException {
        return content(record.team(), record.env(), record.sha256());
    }

    /** Every record id, oldest first. */
    List<String> ids() throws IOException;

    @Override
    void close();
}
