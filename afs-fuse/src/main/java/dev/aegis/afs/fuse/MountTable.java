package dev.aegis.afs.fuse;

import dev.aegis.afs.core.MountedPaths;
import java.nio.file.Path;
import java.util.List;

/** The afs mounts listed in {@code /proc/mounts} (fsname {@code afs}, type {@code fuse.afs}). */
public final class MountTable {

    public static final Path PROC_MOUNTS = Path.of("/proc/mounts");

    private final Path mountsFile;

    public MountTable(Path mountsFile) {
        this.mountsFile = mountsFile;
    }

    public static MountTable system() {
        return new MountTable(PROC_MOUNTS);
    }

    /** Mountpoints of afs file systems, as absolute paths. */
    public List<Path> afsMounts() {
        return MountedPaths.mountpoints(mountsFile).stream().map(Path::of).toList();
    }

    public boolean isAfsMount(Path mountpoint) {
        return afsMounts().contains(mountpoint.toAbsolutePath().normalize());
    }
}
