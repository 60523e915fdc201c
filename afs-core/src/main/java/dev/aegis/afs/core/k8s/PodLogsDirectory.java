package dev.aegis.afs.core.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.query.path.PathQuery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code k8s/pods/<pod>/logs/}: {@code <container>.log} for every container and init container,
 * and {@code <container>.previous.log} (the run before the last restart) for those that
 * restarted. A previous log can be looked up for any container; the API says when there is none.
 */
final class PodLogsDirectory implements DirNode {

    static final String LOG = ".log";
    static final String PREVIOUS = ".previous";

    private final ClusterView view;
    private final String pod;
    private final Instant modified;

    PodLogsDirectory(ClusterView view, String pod, Instant modified) {
        this.view = view;
        this.pod = pod;
        this.modified = modified;
    }

    @Override
    public String name() {
        return "logs";
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return NodeAttributes.dir(modified, 0);
    }

    @Override
    public List<Node> list(Caller caller) throws AfsException {
        JsonNode object = view.find(Kind.PODS, pod);
        List<Node> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> container : containers(object).entrySet()) {
            String c = container.getKey();
            out.add(PodLogFile.file(view, pod, c, false, c + LOG, PathQuery.EMPTY));
            if (container.getValue().path("restartCount").asInt(0) > 0) {
                out.add(PodLogFile.file(view, pod, c, true, c + PREVIOUS + LOG, PathQuery.EMPTY));
            }
        }
        return out;
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        NameWithQuery n = NameWithQuery.parse(name);
        if (!n.base().endsWith(LOG)) {
            throw AfsException.notFound(view.treePath("pods/" + pod + "/logs/" + name));
        }
        String stem = n.base().substring(0, n.base().length() - LOG.length());
        Map<String, JsonNode> containers = containers(view.find(Kind.PODS, pod));
        if (containers.containsKey(stem)) {
            return PodLogFile.lookup(view, pod, stem, false, name, n.query());
        }
        if (stem.endsWith(PREVIOUS) && containers.containsKey(stem.substring(0, stem.length() - PREVIOUS.length()))) {
            return PodLogFile.lookup(view, pod, stem.substring(0, stem.length() - PREVIOUS.length()), true, name,
                    n.query());
        }
        throw new AfsException(AfsError.NOT_FOUND, view.treePath("pods/" + pod + "/logs/" + name)
                + ": pod " + pod + " has no container '" + stem + "' (containers: "
                + String.join(", ", containers.keySet()) + ")");
    }

    /** Container name -> its status (a missing node when the pod has not reported one), init containers first. */
    static Map<String, JsonNode> containers(JsonNode pod) {
        Map<String, JsonNode> statuses = new LinkedHashMap<>();
        for (String field : new String[] {"initContainerStatuses", "containerStatuses"}) {
            for (JsonNode status : pod.path("status").path(field)) {
                statuses.put(status.path("name").asText(), status);
            }
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String field : new String[] {"initContainers", "containers"}) {
            for (JsonNode container : pod.path("spec").path(field)) {
                String name = container.path("name").asText();
                out.put(name, statuses.getOrDefault(name, MissingNode.getInstance()));
            }
        }
        return out;
    }
}
