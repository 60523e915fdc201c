package dev.aegis.afs.core.tree.evidence;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.access.AccessPolicy;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.evidence.EvidenceStore;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** {@code /evidence}: one directory per UTC day, each listing that day's snapshots. */
public final class EvidenceDir implements DirNode {

    private final EvidenceStore store;
    private final AccessPolicy access;

    /** Snapshots are shown only to callers who may read the env they were read from. */
    public EvidenceDir(EvidenceStore store, AccessPolicy access) {
        this.store = store;
        this.access = access;
    }

    @Override
    public String name() {
        return "evidence";
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        List<String> days = store.days();
        Instant modified = days.isEmpty() ? Instant.EPOCH
                : LocalDate.parse(days.get(days.size() - 1)).atStartOfDay(ZoneOffset.UTC).toInstant();
        return NodeAttributes.dir(modified, days.size());
    }

    @Override
    public List<Node> list(Caller caller) {
        List<Node> out = new ArrayList<>();
        for (String day : store.days()) {
            out.add(new Day(day));
        }
        return out;
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        if (!store.days().contains(name)) {
            throw AfsException.notFound("/evidence/" + name);
        }
        return new Day(name);
    }

    private final class Day implements DirNode {
        private final String day;

        Day(String day) {
            this.day = day;
        }

        @Override
        public String name() {
            return day;
        }

        @Override
        public NodeAttributes attributes(Caller caller) {
            List<String> ids = store.ids(day);
            Instant modified = ids.isEmpty() ? LocalDate.parse(day).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : store.find(ids.get(ids.size() - 1)).map(r -> r.capturedAt()).orElse(Instant.EPOCH);
            return NodeAttributes.dir(modified, 0);
        }

        @Override
        public List<Node> list(Caller caller) {
            List<Node> out = new ArrayList<>();
            for (String id : store.ids(day)) {
                store.find(id).filter(r -> access.canReadPath(caller, r.source()))
                        .ifPresent(r -> out.add(new EvidenceFile(r, store::replicated)));
            }
            return out;
        }

        @Override
        public Node child(String name, Caller caller) throws AfsException {
            EvidenceRecord record = store.find(day + "/" + name)
                    .orElseThrow(() -> AfsException.notFound("/evidence/" + day + "/" + name));
            if (!access.canReadPath(caller, record.source())) {
                throw new AfsException(AfsError.ACCESS_DENIED, record.treePath() + ": uid " + caller.uid()
                        + " may not read evidence of " + record.source().split("[?| ]")[0]);
            }
            return new EvidenceFile(record, store::replicated);
        }
    }
}
