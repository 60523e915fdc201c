package dev.aegis.afs.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a path under a mounted afs (e.g. {@code /mnt/afs/teams/p/prod/logs/api.log}) into a
 * tree path ({@code /teams/p/prod/logs/api.log}), so the CLI accepts either.
 */
public final class MountedPaths {

    private MountedPaths() {
    }

    /** The tree path for {@code path}; a path that is already a tree path is returned as is. */
    public static String toTreePath(String path) {
        return toTreePath(path, mountpoints(Path.of("/proc/mounts")));
    }

    /** As {@link #toTreePath(String)}, against the given mountpoints. */
    public static String toTreePath(String path, List<String> mountpoints) {
        String best = null;
        for (String mp : mountpoints) {
            if ((path.equals(mp) || path.startsWith(mp + "/")) && (best == null || mp.length() > best.length())) {
                best = mp;
            }
        }
        if (best == null) {
            return path;
        }
        String rest = path.substring(best.length());
        return rest.isEmpty() ? "/" : rest;
    }

    /** Mountpoints of afs file systems (fsname afs) listed in {@code mounts}. */
    public static List<String> mountpoints(Path mounts) {
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(mounts)) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[0].equals("afs") && f[2].startsWith("fuse")) {
                    out.add(f[1].replace("\\040", " "));
                }
            }
        } catch (IOException e) {
            // no /proc: nothing is mounted as far as we can tell
        }
        return out;
    }
}
