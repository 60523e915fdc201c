package dev.aegis.afs.core.tree;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;

/** A file. Opening a live file runs its query once; the handle serves exactly that snapshot. */
public non-sealed interface FileNode extends Node {

    OpenFile open(Caller caller) throws AfsException;

    /** Opens for writing; files are read-only unless they say otherwise. */
    default OpenFile openForWrite(Caller caller, boolean truncate) throws AfsException {
        throw new AfsException(AfsError.READ_ONLY, name() + ": read-only file");
    }
}
