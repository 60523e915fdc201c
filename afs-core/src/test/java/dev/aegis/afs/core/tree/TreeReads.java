package dev.aegis.afs.core.tree;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/** Walks a path below a directory node as the mount does, and reads a live file's evidence as the caller would. */
public final class TreeReads {

    private TreeReads() {
    }

    /** {@code path} ("a/b?terms") below {@code root}, one lookup per segment. */
    public static Node resolve(DirNode root, String path) throws AfsException {
        Node node = root;
        for (String part : path.split("/")) {
            node = ((DirNode) node).child(part, Caller.self());
        }
        return node;
    }

    /** The evidence of one read of the live file at {@code path}. */
    public static EvidenceRecord capture(DirNode root, String path) throws AfsException {
        return ((LiveFile) resolve(root, path)).capture(Caller.self());
    }

    /** What one read of the live file at {@code path} serves. */
    public static String read(DirNode root, String path) throws AfsException, IOException {
        return Files.readString(capture(root, path).file(), StandardCharsets.UTF_8);
    }
}
