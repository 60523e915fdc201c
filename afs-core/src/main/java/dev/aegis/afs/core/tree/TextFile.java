package dev.aegis.afs.core.tree;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;

/** A small generated text file (status, errors): rendered for the caller when opened. */
public final class TextFile implements FileNode {

    /** Renders the content for one caller. */
    @FunctionalInterface
    public interface Content {
        String render(Caller caller) throws AfsException;
    }

    private final String name;
    private final Clock clock;
    private final Content content;

    public TextFile(String name, Clock clock, Content content) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.content = Objects.requireNonNull(content, "content is null");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return NodeAttributes.file(0, clock.instant());
    }

    @Override
    public OpenFile open(Caller caller) throws AfsException {
        byte[] bytes = content.render(caller).getBytes(StandardCharsets.UTF_8);
        return new OpenFile() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public boolean sizeKnownOnlyWhenOpen() {
                return true;
            }

            @Override
            public int read(long offset, ByteBuffer dst) {
                if (offset >= bytes.length) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), bytes.length - offset);
                dst.put(bytes, (int) offset, n);
                return n;
            }
        };
    }
}
