package dev.aegis.afs.fuse;

import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * Sets bits of {@code fuse_file_info} that jnr-fuse cannot: its struct declares the bit fields as
 * padding at the wrong place. In libfuse 2 the word after {@code flags}, {@code fh_old} and
 * {@code writepage} sits at byte 20; bit 0 is {@code direct_io}, bit 1 {@code keep_cache}.
 */
final class FileInfoFlags {

    static final int BITS_OFFSET = 20;
    static final int DIRECT_IO = 1;
    static final int KEEP_CACHE = 2;

    private FileInfoFlags() {
    }

    /**
     * Makes the kernel bypass its page cache and read until we return 0: needed when stat shows
     * size 0 but the open handle has content (live files).
     */
    static void setDirectIo(FuseFileInfo fi) {
        Pointer mem = Struct.getMemory(fi);
        mem.putInt(BITS_OFFSET, mem.getInt(BITS_OFFSET) | DIRECT_IO);
    }

    /** Lets the kernel keep the file's pages across opens: only for content that never changes. */
    static void setKeepCache(FuseFileInfo fi) {
        Pointer mem = Struct.getMemory(fi);
        mem.putInt(BITS_OFFSET, mem.getInt(BITS_OFFSET) | KEEP_CACHE);
    }
}
