package dev.aegis.afs.core.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.query.k8s.ObjectSelector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code k8s/<kind>/} (or {@code k8s/<kind>?<selector>/}): per object {@code <name>.yaml} and
 * {@code <name>.describe}; for pods also the directory {@code <name>/} holding {@code logs/}. The
 * names never collide (an object name has no dot-suffix of ours), so {@code pods/x.yaml} and
 * {@code pods/x/logs/} live side by side. Files under a selector directory are the same files,
 * with the same tree paths, as under the plain kind directory.
 */
final class KindDirectory implements DirNode {

    static final String YAML = ".yaml";
    static final String DESCRIBE = ".describe";

    private final ClusterView view;
    private final Kind kind;
    private final ObjectSelector selector;
    private final String name;

    KindDirectory(ClusterView view, Kind kind, ObjectSelector selector, String name) {
        this.view = view;
        this.kind = kind;
        this.selector = selector;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return NodeAttributes.dir(view.loaded(), 0);
    }

    @Override
    public List<Node> list(Caller caller) throws AfsException {
        List<Node> out = new ArrayList<>();
        for (JsonNode object : view.list(kind, selector)) {
            String objectName = ObjectFields.name(object);
            Instant changed = ObjectFields.lastChange(object);
            out.add(ObjectFile.yaml(view, kind, objectName, () -> changed));
            out.add(ObjectFile.describe(view, kind, objectName, () -> changed));
            if (kind == Kind.PODS) {
                out.add(new PodDirectory(view, objectName, changed));
            }
        }
        return out;
    }

    @Override
    public Node child(String childName, Caller caller) throws AfsException {
        NameWithQuery n = NameWithQuery.parse(childName);
        String base = n.base();
        String path = view.treePath(kind.plural + "/" + childName);
        if (base.endsWith(YAML) || base.endsWith(DESCRIBE)) {
            boolean yaml = base.endsWith(YAML);
            String objectName = base.substring(0, base.length() - (yaml ? YAML : DESCRIBE).length());
            n.requireNoTerms(yaml ? "an object's YAML" : "a describe file");
            view.requireListed(kind, selector, objectName, path);
            return yaml ? ObjectFile.yaml(view, kind, objectName, () -> modified(objectName))
                    : ObjectFile.describe(view, kind, objectName, () -> modified(objectName));
        }
        if (kind == Kind.PODS && n.query().isEmpty()) {
            view.requireListed(kind, selector, base, path);
            return new PodDirectory(view, base, modified(base));
        }
        throw AfsException.notFound(path);
    }

    /** The object's last change, from the (cached) listing; the epoch when it cannot be read. */
    private Instant modified(String objectName) {
        try {
            return ObjectFields.lastChange(view.find(kind, objectName));
        } catch (AfsException e) {
            return Instant.EPOCH;
        }
    }
}
