package dev.aegis.afs.core.tree;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A directory whose children are fixed when the tree is built (teams, envs, sections). */
public class StaticDir implements DirNode {

    private final String name;
    private final Instant modified;
    private final Map<String, Node> children;

    public StaticDir(String name, Instant modified, List<? extends Node> children) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.modified = Objects.requireNonNull(modified, "modified is null");
        Map<String, Node> byName = new LinkedHashMap<>();
        for (Node child : children) {
            byName.put(child.name(), child);
        }
        this.children = byName;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        int subdirs = (int) children.values().stream().filter(n -> n instanceof DirNode).count();
        return NodeAttributes.dir(modified, subdirs);
    }

    @Override
    public List<Node> list(Caller caller) {
        return new ArrayList<>(children.values());
    }

    @Override
    public Node child(String childName, Caller caller) throws AfsException {
        Node child = children.get(childName);
        if (child == null) {
            throw AfsException.notFound(childName);
        }
        return child;
    }
}
