package dev.aegis.afs.core.tree.disk;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A read-only view of a directory on disk (runbooks, skills). Nothing outside {@code root} is
 * ever served: names with '/', '..' and symlinks whose target leaves the root are refused.
 */
public final class DiskDir implements DirNode {

    private final String name;
    private final Path root;
    private final Path dir;

    public DiskDir(String name, Path root) {
        this(name, root.toAbsolutePath().normalize(), root.toAbsolutePath().normalize());
    }

    private DiskDir(String name, Path root, Path dir) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.root = root;
        this.dir = dir;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        Instant modified = DiskFile.modified(dir);
        int subdirs = 0;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                if (Files.isDirectory(p) && inside(p)) {
                    subdirs++;
                }
            }
        } catch (IOException e) {
            // a missing directory shows as empty
        }
        return NodeAttributes.dir(modified, subdirs);
    }

    @Override
    public List<Node> list(Caller caller) throws AfsException {
        List<Node> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                node(p).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new AfsException(AfsError.INTERNAL, "cannot list " + name + ": " + e.getMessage(), e);
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    @Override
    public Node child(String childName, Caller caller) throws AfsException {
        if (childName.isEmpty() || childName.contains("/") || childName.equals("..") || childName.equals(".")
                || childName.indexOf('\0') >= 0) {
            throw AfsException.notFound(childName);
        }
        return node(dir.resolve(childName)).orElseThrow(() -> AfsException.notFound(childName));
    }

    private java.util.Optional<Node> node(Path p) {
        String n = p.getFileName().toString();
        if (n.startsWith(".") || !inside(p)) {
            return java.util.Optional.empty();
        }
        if (Files.isDirectory(p)) {
            return java.util.Optional.of(new DiskDir(n, root, p));
        }
        if (Files.isRegularFile(p)) {
            return java.util.Optional.of(new DiskFile(n, p));
        }
        return java.util.Optional.empty();
    }

    /** True when {@code p}, with symlinks resolved, lies under the root. */
    private boolean inside(Path p) {
        try {
            Path real = p.toRealPath();
            return real.startsWith(root.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }
}
