package dev.aegis.afs.core.tree.incidents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.harness.HarnessClient;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.core.tree.OpenFile;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /incidents/<id>/evidence/}: the snapshots the incident read or its plans cited, as
 * {@code <day>_<name>} for {@code /evidence/<day>/<name>}: the same file (bytes and
 * {@code user.afs.*} attributes), like a hard link. Only snapshots this mount holds and the caller
 * may read are shown (another mount's snapshot is in the shared store, not here).
 */
final class TimelineEvidenceDir implements DirNode {

    private final String incident;
    private final DirNode evidence;
    private final HarnessClient harness;
    private final Clock clock;

    TimelineEvidenceDir(String incident, DirNode evidence, HarnessClient harness, Clock clock) {
        this.incident = incident;
        this.evidence = evidence;
        this.harness = harness;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "evidence";
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return NodeAttributes.dir(clock.instant(), 0);
    }

    @Override
    public List<Node> list(Caller caller) throws AfsException {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode e : harness.timeline(incident, caller).path("entries")) {
            if (e.hasNonNull("evidence")) {
                ids.add(e.path("evidence").asText());
            }
            e.path("cites").forEach(c -> ids.add(c.asText()));
        }
        List<Node> out = new ArrayList<>();
        for (String id : ids) {
            snapshot(id, caller).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        for (Node n : list(caller)) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        throw AfsException.notFound("/incidents/" + incident + "/evidence/" + name);
    }

    /** The /evidence file of {@code id} under its flat name; empty when this mount does not hold it or the caller may not read it. */
    private Optional<Node> snapshot(String id, Caller caller) {
        int slash = id.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        try {
            Node day = evidence.child(id.substring(0, slash), caller);
            if (day instanceof DirNode d && d.child(id.substring(slash + 1), caller) instanceof FileNode f) {
                return Optional.of(new Named(id.replace('/', '_'), f));
            }
        } catch (AfsException e) {
            // not held by this mount, or not the caller's to read: not listed
        }
        return Optional.empty();
    }

    /** A file shown under another name: the same node otherwise. */
    private record Named(String name, FileNode file) implements FileNode {
        @Override
        public NodeAttributes attributes(Caller caller) throws AfsException {
            return file.attributes(caller);
        }

        @Override
        public OpenFile open(Caller caller) throws AfsException {
            return file.open(caller);
        }

        @Override
        public List<String> xattrNames(Caller caller) throws AfsException {
            return file.xattrNames(caller);
        }

        @Override
        public Optional<String> xattr(String attribute, Caller caller) throws AfsException {
            return file.xattr(attribute, caller);
        }
    }
}
