package dev.aegis.afs.fuse;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.tree.Node;

/**
 * Resolves a path as the kernel hands it ({@code /teams/p/prod/logs/api.log?tail=50}) to a node.
 * In the daemon this is {@code afs::resolve}; tests pass a small tree of their own.
 */
@FunctionalInterface
public interface TreeResolver {

    /** The node at {@code path}; NOT_FOUND when there is none. */
    Node resolve(String path, Caller caller) throws AfsException;
}
