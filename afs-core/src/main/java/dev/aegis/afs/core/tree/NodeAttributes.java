package dev.aegis.afs.core.tree;

import java.time.Instant;
import java.util.Objects;

/**
 * What {@code stat} shows. {@code size} is 0 for live files whose size is only known once open.
 *
 * @param mode permission bits only (e.g. 0444); the type is {@code directory}
 */
public record NodeAttributes(boolean directory, int mode, long size, Instant modified, int links) {

    public NodeAttributes {
        Objects.requireNonNull(modified, "modified is null");
    }

    public static NodeAttributes dir(Instant modified, int subdirectories) {
        return new NodeAttributes(true, 0555, 0, modified, 2 + subdirectories);
    }

    public static NodeAttributes file(long size, Instant modified) {
        return new NodeAttributes(false, 0444, size, modified, 1);
    }
}
