package dev.aegis.afs.core.tree.evidence;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.core.tree.OpenFile;
import dev.aegis.afs.core.tree.SnapshotFile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One snapshot under /evidence: its bytes, and its metadata as {@code user.afs.*} attributes. */
public final class EvidenceFile implements FileNode {

    /** The capture stat that holds a pushed-down command line, shown as {@code user.afs.pushdown}. */
    public static final String PUSHDOWN_STAT = "pushdown";

    private final EvidenceRecord record;
    private final java.util.function.Function<String, Optional<Boolean>> replicated;

    EvidenceFile(EvidenceRecord record, java.util.function.Function<String, Optional<Boolean>> replicated) {
        this.record = record;
        this.replicated = replicated;
    }

    @Override
    public String name() {
        return record.file().getFileName().toString();
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return NodeAttributes.file(record.size(), record.capturedAt());
    }

    @Override
    public OpenFile open(Caller caller) throws AfsException {
        return SnapshotFile.ofEvidence(record);
    }

    private Map<String, String> xattrs() {
        Map<String, String> x = new LinkedHashMap<>();
        x.put("user.afs.sha256", record.sha256());
        x.put("user.afs.captured_at", record.capturedAt().toString());
        x.put("user.afs.source", record.source());
        x.put("user.afs.query", record.query());
        x.put("user.afs.backend", record.backend());
        x.put("user.afs.lines", Long.toString(record.lines()));
        x.put("user.afs.truncated", record.truncation().orElse("false"));
        x.put("user.afs.caller", record.caller());
        record.incident().ifPresent(i -> x.put("user.afs.incident", i));
        x.put("user.afs.key_id", record.keyId());
        x.put("user.afs.signature", record.signature());
        // only with a shared store: false while the snapshot waits in the local spool (the harness refuses it then)
        replicated.apply(record.id()).ifPresent(r -> x.put("user.afs.replicated", Boolean.toString(r)));
        record.stats().forEach((k, v) -> {
            if (k.equals(PUSHDOWN_STAT)) {
                x.put("user.afs.pushdown", v); // the plain grep/tail/head command this read was compiled from
            } else {
                x.put("user.afs.stats." + k, v);
            }
        });
        return x;
    }

    @Override
    public List<String> xattrNames(Caller caller) {
        return List.copyOf(xattrs().keySet());
    }

    @Override
    public Optional<String> xattr(String name, Caller caller) {
        return Optional.ofNullable(xattrs().get(name));
    }
}
