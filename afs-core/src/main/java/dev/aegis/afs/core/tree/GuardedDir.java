package dev.aegis.afs.core.tree;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import java.time.Instant;
import java.util.List;

/**
 * A fixed directory whose children are shown only to callers allowed in: forbidden children are
 * hidden from listings and refused (ACCESS_DENIED, with the reason) on a direct lookup.
 */
public final class GuardedDir extends StaticDir {

    /** Decides access to one child for one caller. */
    public interface Guard {
        boolean allows(Caller caller, String child);

        /** Throws ACCESS_DENIED with the reason and the fix. */
        void check(Caller caller, String child) throws AfsException;
    }

    private final Guard guard;

    public GuardedDir(String name, Instant modified, List<? extends Node> children, Guard guard) {
        super(name, modified, children);
        this.guard = guard;
    }

    @Override
    public List<Node> list(Caller caller) {
        return super.list(caller).stream().filter(n -> guard.allows(caller, n.name())).toList();
    }

    @Override
    public Node child(String childName, Caller caller) throws AfsException {
        Node child = super.child(childName, caller);
        guard.check(caller, childName);
        return child;
    }
}
