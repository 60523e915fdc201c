package dev.aegis.afs.core.k8s;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.k8s.ObjectSelector;
import dev.aegis.afs.query.k8s.SelectorTerms;
import dev.aegis.afs.query.path.PathQuery;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /teams/<team>/<env>/k8s}: a directory per configured kind, and {@code events.log}.
 * Looking up {@code <kind>?label=...&field=...} gives a directory listing only the matching
 * objects; it is not listed itself (there is one per query).
 */
final class K8sDirectory implements DirNode {

    private final ClusterView view;

    K8sDirectory(ClusterView view) {
        this.view = view;
    }

    @Override
    public String name() {
        return "k8s";
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return NodeAttributes.dir(view.loaded(), view.kinds().size());
    }

    @Override
    public List<Node> list(Caller caller) {
        List<Node> out = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            if (view.kinds().contains(kind)) {
                out.add(new KindDirectory(view, kind, ObjectSelector.ALL, kind.plural));
            }
        }
        if (view.kinds().contains(Kind.EVENTS)) {
            out.add(EventsLog.file(view, "events.log", ObjectSelector.ALL, PathQuery.EMPTY));
        }
        return out;
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        NameWithQuery n = NameWithQuery.parse(name);
        if (n.base().equals("events.log") && view.kinds().contains(Kind.EVENTS)) {
            return EventsLog.lookup(view, name, n.query());
        }
        Kind kind = Kind.named(n.base()).filter(view.kinds()::contains).orElse(null);
        if (kind == null) {
            if (n.base().equals("secrets")) {
                throw new AfsException(AfsError.NOT_FOUND, name + ": Secrets are never shown in the tree");
            }
            throw AfsException.notFound(view.treePath(name));
        }
        try {
            ObjectSelector selector = new SelectorTerms(kind.shorthands).compile(n.query());
            return new KindDirectory(view, kind, selector, name);
        } catch (QuerySyntaxException e) {
            throw NameWithQuery.invalid(name, e);
        }
    }
}
