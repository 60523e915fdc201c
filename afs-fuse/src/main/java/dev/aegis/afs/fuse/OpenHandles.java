package dev.aegis.afs.fuse;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.tree.OpenFile;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Open files keyed by the {@code long} handle FUSE carries in {@code fuse_file_info.fh}. */
final class OpenHandles {

    /** One open file, with who opened it (release has no caller context) and for which path. */
    record Handle(OpenFile file, Caller caller, String path, boolean writable) {
        Handle {
            Objects.requireNonNull(file, "file is null");
            Objects.requireNonNull(caller, "caller is null");
            Objects.requireNonNull(path, "path is null");
        }
    }

    private final Map<Long, Handle> open = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong(1);

    long register(Handle handle) {
        long fh = next.getAndIncrement();
        open.put(fh, handle);
        return fh;
    }

    Handle get(long fh) throws AfsException {
        Handle handle = open.get(fh);
        if (handle == null) {
            throw new AfsException(AfsError.INTERNAL, "unknown file handle " + fh + " (already released)");
        }
        return handle;
    }

    /** Removes and returns the handle; null when it was already released. */
    Handle remove(long fh) {
        return open.remove(fh);
    }

    /**
     * The newest handle {@code pid} holds open on {@code path}: {@code fstat} reaches FUSE as a
     * getattr on the path, and a reader must see the size (and, for a follow, the mtime) of what
     * it reads (tail -f would otherwise report "file truncated").
     */
    Optional<Handle> newestOpen(String path, long pid) {
        long newest = -1;
        Handle found = null;
        for (Map.Entry<Long, Handle> e : open.entrySet()) {
            Handle h = e.getValue();
            if (e.getKey() > newest && h.caller().pid() == pid && h.path().equals(path)) {
                newest = e.getKey();
                found = h;
            }
        }
        return Optional.ofNullable(found);
    }

    int size() {
        return open.size();
    }
}
