package dev.aegis.afs.core.tree.disk;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.core.tree.OpenFile;
import dev.aegis.afs.core.tree.SnapshotFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/** A file on disk served as it is (a runbook, a skill): static, so not recorded as evidence. */
public final class DiskFile implements FileNode {

    private final String name;
    private final Path file;

    public DiskFile(String name, Path file) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.file = Objects.requireNonNull(file, "file is null");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            size = 0;
        }
        return NodeAttributes.file(size, modified(file));
    }

    @Override
    public OpenFile open(Caller caller) throws AfsException {
        return SnapshotFile.of(file);
    }

    static Instant modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }
}
