package dev.aegis.afs.core.tree;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import java.util.List;

/** A directory: lists what is configured and resolves names (including {@code name?query}). */
public non-sealed interface DirNode extends Node {

    List<Node> list(Caller caller) throws AfsException;

    /** The child called {@code name}; NOT_FOUND when there is none. */
    Node child(String name, Caller caller) throws AfsException;

    /** Creates a file for writing; directories are read-only unless they say otherwise. */
    default OpenFile create(String name, Caller caller) throws AfsException {
        throw new AfsException(AfsError.READ_ONLY, name + ": this directory is read-only");
    }

    /** Removes a file; read-only unless the directory says otherwise. */
    default void remove(String name, Caller caller) throws AfsException {
        throw new AfsException(AfsError.READ_ONLY, name + ": this directory is read-only");
    }
}
