package dev.aegis.afs.fuse;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.core.tree.OpenFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** A small tree for adapter tests: static files, live files (size known only when open), a writable dir. */
final class TestTree implements TreeResolver {

    static final Instant MODIFIED = Instant.parse("2026-11-21T10:00:00Z");

    final Dir root = new Dir("");

    @Override
    public Node resolve(String path, Caller caller) throws AfsException {
        Node node = root;
        for (String segment : path.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (!(node instanceof DirNode dir)) {
                throw new AfsException(AfsError.NOT_A_DIRECTORY, path + ": not a directory");
            }
            node = dir.child(segment, caller);
        }
        return node;
    }

    static final class Dir implements DirNode {
        final String name;
        final Map<String, Node> children = new LinkedHashMap<>();
        /** Answers {@code name?query} children; null when queries are not supported here. */
        Function<String, Node> queries;
        boolean writable;

        Dir(String name) {
            this.name = name;
        }

        Dir dir(String child) {
            Dir d = new Dir(child);
            children.put(child, d);
            return d;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public NodeAttributes attributes(Caller caller) {
            int subdirs = (int) children.values().stream().filter(n -> n instanceof DirNode).count();
            return NodeAttributes.dir(MODIFIED, subdirs);
        }

        @Override
        public List<Node> list(Caller caller) {
            return new ArrayList<>(children.values());
        }

        @Override
        public Node child(String child, Caller caller) throws AfsException {
            Node node = children.get(child);
            if (node == null && queries != null && child.contains("?")) {
                node = queries.apply(child);
            }
            if (node == null) {
                throw AfsException.notFound(child);
            }
            return node;
        }

        @Override
        public OpenFile create(String child, Caller caller) throws AfsException {
            if (!writable) {
                return DirNode.super.create(child, caller);
            }
            Written file = new Written(child);
            children.put(child, file);
            return file.openForWrite(caller, true);
        }

        @Override
        public void remove(String child, Caller caller) throws AfsException {
            if (!writable) {
                DirNode.super.remove(child, caller);
            }
            if (children.remove(child) == null) {
                throw AfsException.notFound(child);
            }
        }
    }

    /** A file with fixed content; {@code live} ones report size 0 until open. */
    static final class Text implements FileNode {
        final String name;
        final byte[] content;
        final boolean live;
        final Map<String, String> xattrs = new LinkedHashMap<>();

        Text(String name, String content, boolean live) {
            this.name = name;
            this.content = content.getBytes(StandardCharsets.UTF_8);
            this.live = live;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public NodeAttributes attributes(Caller caller) {
            return NodeAttributes.file(live ? 0 : content.length, MODIFIED);
        }

        @Override
        public OpenFile open(Caller caller) {
            return new Bytes(content, live);
        }

        @Override
        public List<String> xattrNames(Caller caller) {
            return List.copyOf(xattrs.keySet());
        }

        @Override
        public Optional<String> xattr(String attribute, Caller caller) {
            return Optional.ofNullable(xattrs.get(attribute));
        }
    }

    /** A file that fails to open with the given error, like a malformed query. */
    record Failing(String name, AfsError error, String reason) implements FileNode {
        @Override
        public NodeAttributes attributes(Caller caller) {
            return NodeAttributes.file(0, MODIFIED);
        }

        @Override
        public OpenFile open(Caller caller) throws AfsException {
            throw new AfsException(error, reason);
        }
    }

    /** A writable file (stands in for the harness's change requests). */
    static final class Written implements FileNode {
        final String name;
        volatile byte[] content = new byte[0];

        Written(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public NodeAttributes attributes(Caller caller) {
            return new NodeAttributes(false, 0644, content.length, MODIFIED, 1);
        }

        @Override
        public OpenFile open(Caller caller) {
            return new Bytes(content, false);
        }

        @Override
        public OpenFile openForWrite(Caller caller, boolean truncate) throws AfsException {
            if (truncate) {
                content = new byte[0];
            }
            return new OpenFile() {
                @Override
                public long size() {
                    return content.length;
                }

                @Override
                public int read(long offset, ByteBuffer dst) {
                    return new Bytes(content, false).read(offset, dst);
                }

                @Override
                public int write(long offset, ByteBuffer src) throws AfsException {
                    String text = StandardCharsets.UTF_8.decode(src.duplicate()).toString();
                    if (text.contains("forbidden")) {
                        throw new AfsException(AfsError.ACCESS_DENIED, name + ": 'forbidden' may not be written; remove it");
                    }
                    int n = src.remaining();
                    byte[] next = java.util.Arrays.copyOf(content, (int) Math.max(content.length, offset + n));
                    src.get(next, (int) offset, n);
                    content = next;
                    return n;
                }
            };
        }
    }

    record Bytes(byte[] content, boolean live) implements OpenFile {
        @Override
        public long size() {
            return content.length;
        }

        @Override
        public boolean sizeKnownOnlyWhenOpen() {
            return live;
        }

        @Override
        public int read(long offset, ByteBuffer dst) {
            if (offset >= content.length) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), content.length - offset);
            dst.put(content, (int) offset, n);
            return n;
        }
    }
}
