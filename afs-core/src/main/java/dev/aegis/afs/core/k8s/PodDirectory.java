package dev.aegis.afs.core.k8s;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import java.time.Instant;
import java.util.List;

/** {@code k8s/pods/<pod>/}: holds {@code logs/} (next to the files {@code <pod>.yaml} and {@code <pod>.describe}). */
final class PodDirectory implements DirNode {

    private final ClusterView view;
    private final String pod;
    private final Instant modified;

    PodDirectory(ClusterView view, String pod, Instant modified) {
        this.view = view;
        this.pod = pod;
        this.modified = modified;
    }

    @Override
    public String name() {
        return pod;
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return NodeAttributes.dir(modified, 1);
    }

    @Override
    public List<Node> list(Caller caller) {
        return List.of(new PodLogsDirectory(view, pod, modified));
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        if (name.equals("logs")) {
            return new PodLogsDirectory(view, pod, modified);
        }
        throw AfsException.notFound(view.treePath("pods/" + pod + "/" + name));
    }
}
