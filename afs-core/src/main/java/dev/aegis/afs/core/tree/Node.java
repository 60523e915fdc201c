package dev.aegis.afs.core.tree;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import java.util.List;
import java.util.Optional;

/**
 * A file or directory of the tree. Knows nothing of FUSE: the FUSE adapter, the CLI and later
 * front ends (MCP) all walk these nodes.
 */
public sealed interface Node permits DirNode, FileNode {

    /** The last path segment, e.g. {@code api.log}. */
    String name();

    NodeAttributes attributes(Caller caller) throws AfsException;

    /** Extended attribute names (e.g. {@code user.afs.sha256}) this node answers. */
    default List<String> xattrNames(Caller caller) throws AfsException {
        return List.of();
    }

    /** One extended attribute; empty when the node has no such attribute. */
    default Optional<String> xattr(String name, Caller caller) throws AfsException {
        return Optional.empty();
    }
}
