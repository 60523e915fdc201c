package dev.aegis.afs.core.prometheus;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.evidence.Captures;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.evidence.EvidenceStore;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Captures for tests: every capture runs (no cache) and is stored in a real EvidenceStore. */
public final class RecordingCaptures implements Captures {

    private final EvidenceStore store;
    private final Map<String, EvidenceRecord> newest = new ConcurrentHashMap<>();

    public RecordingCaptures(Path dir, Clock clock) {
        this.store = new EvidenceStore(dir, Duration.ofHours(1), 64L * 1024 * 1024, clock);
    }

    @Override
    public EvidenceRecord capture(Caller caller, String treePath, long cacheTtlMillis, SnapshotProducer producer)
            throws AfsException {
        String base = treePath.contains("?") ? treePath.substring(0, treePath.indexOf('?')) : treePath;
        EvidenceRecord record = store.capture(base.substring(base.lastIndexOf('/') + 1), treePath, producer);
        newest.put(base, record);
        return record;
    }

    @Override
    public Optional<EvidenceRecord> newest(Caller caller, String treePath) {
        String base = treePath.contains("?") ? treePath.substring(0, treePath.indexOf('?')) : treePath;
        return Optional.ofNullable(newest.get(base));
    }

    @Override
    public EvidenceStore store() {
        return store;
    }
}
