package dev.aegis.afs.core.k8s;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.evidence.Captures;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.evidence.EvidenceStore;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Captures without caching: every read runs its producer and is stored, as the tests need. */
final class StoreCaptures implements Captures {

    private final EvidenceStore store;
    private final Map<String, EvidenceRecord> newest = new ConcurrentHashMap<>();

    StoreCaptures(EvidenceStore store) {
        this.store = store;
    }

    @Override
    public EvidenceRecord capture(Caller caller, String treePath, long cacheTtlMillis, SnapshotProducer producer)
            throws AfsException {
        String name = treePath.substring(treePath.lastIndexOf('/') + 1);
        EvidenceRecord record = store.capture(name, treePath, producer);
        newest.put(caller.uid() + treePath, record);
        return record;
    }

    @Override
    public Optional<EvidenceRecord> newest(Caller caller, String treePath) {
        return Optional.ofNullable(newest.get(caller.uid() + treePath));
    }

    @Override
    public EvidenceStore store() {
        return store;
    }
}
