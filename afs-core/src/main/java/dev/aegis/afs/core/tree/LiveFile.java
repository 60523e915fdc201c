package dev.aegis.afs.core.tree;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.evidence.Captures;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A file whose content comes from a backend. {@code stat} shows size 0 (unknown until read);
 * {@code open} runs the read once, records it as evidence, and serves exactly that snapshot.
 * {@code user.afs.evidence} names the caller's newest snapshot of this path.
 */
public final class LiveFile implements FileNode {

    public static final String XATTR_EVIDENCE = "user.afs.evidence";
    public static final String XATTR_TRUNCATED = "user.afs.truncated";

    private final String name;
    private final String treePath;
    private final Supplier<Instant> modified;
    private final long cacheTtlMillis;
    private final Captures captures;
    private final SnapshotProducer producer;
    private final Opening opening;

    /**
     * How a live file is opened when it is more than its snapshot (a plain tool's pushed-down
     * read, a follow); {@link #snapshot} otherwise.
     */
    @FunctionalInterface
    public interface Opening {
        OpenFile open(LiveFile file, Caller caller) throws AfsException;
    }

    /**
     * @param treePath the full tree path with its query, e.g. {@code /teams/p/prod/logs/api.log?tail=50}
     * @param modified the source's modification time, for stat and {@code tail -f}
     */
    public LiveFile(String name, String treePath, Supplier<Instant> modified, long cacheTtlMillis,
                    Captures captures, SnapshotProducer producer) {
        this(name, treePath, modified, cacheTtlMillis, captures, producer, null);
    }

    /** @param opening how it is opened (null: its snapshot) */
    public LiveFile(String name, String treePath, Supplier<Instant> modified, long cacheTtlMillis,
                    Captures captures, SnapshotProducer producer, Opening opening) {
        this.opening = opening;
        this.name = Objects.requireNonNull(name, "name is null");
        this.treePath = Objects.requireNonNull(treePath, "treePath is null");
        this.modified = Objects.requireNonNull(modified, "modified is null");
        this.cacheTtlMillis = cacheTtlMillis;
        this.captures = Objects.requireNonNull(captures, "captures is null");
        this.producer = Objects.requireNonNull(producer, "producer is null");
    }

    @Override
    public String name() {
        return name;
    }

    public String treePath() {
        return treePath;
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return NodeAttributes.file(0, modified.get());
    }

    @Override
    public OpenFile open(Caller caller) throws AfsException {
        return opening == null ? snapshot(caller) : opening.open(this, caller);
    }

    /** The handle on this read's snapshot (what {@link #open} serves by default). */
    public OpenFile snapshot(Caller caller) throws AfsException {
        return SnapshotFile.ofCapture(capture(caller));
    }

    /** Runs (or reuses, within the TTL) the read and returns its snapshot. */
    public EvidenceRecord capture(Caller caller) throws AfsException {
        return captures.capture(caller, treePath, cacheTtlMillis, producer);
    }

    @Override
    public List<String> xattrNames(Caller caller) {
        return captures.newest(caller, treePath).isPresent() ? List.of(XATTR_EVIDENCE, XATTR_TRUNCATED) : List.of();
    }

    @Override
    public Optional<String> xattr(String attribute, Caller caller) {
        Optional<EvidenceRecord> newest = captures.newest(caller, treePath);
        return switch (attribute) {
            case XATTR_EVIDENCE -> newest.map(EvidenceRecord::treePath);
            case XATTR_TRUNCATED -> newest.map(r -> r.truncation().orElse("false"));
            default -> Optional.empty();
        };
    }
}
