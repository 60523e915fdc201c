package dev.aegis.afs.core.tree.incidents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.harness.HarnessClient;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.core.tree.TextFile;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code /incidents/<id>/requests/<request>.status}: the status of each change request of the incident. */
final class RequestsDir implements DirNode {

    private static final String SUFFIX = ".status";

    private final String incident;
    private final HarnessClient harness;
    private final Clock clock;

    RequestsDir(String incident, HarnessClient harness, Clock clock) {
        this.incident = incident;
        this.harness = harness;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "requests";
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return NodeAttributes.dir(clock.instant(), 0);
    }

    @Override
    public List<Node> list(Caller caller) throws AfsException {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode e : harness.timeline(incident, caller).path("entries")) {
            if (e.hasNonNull("request")) {
                ids.add(e.path("request").asText());
            }
        }
        List<Node> out = new ArrayList<>();
        ids.forEach(id -> out.add(status(id)));
        return out;
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        for (Node n : list(caller)) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        throw AfsException.notFound("/incidents/" + incident + "/requests/" + name);
    }

    private Node status(String id) {
        return new TextFile(id + SUFFIX, clock, c -> harness.statusText(id, c));
    }
}
