package dev.aegis.afs.fuse;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.ErrorJournal;
import dev.aegis.afs.core.metrics.MountMetrics;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.core.tree.OpenFile;
import dev.aegis.afs.core.tree.incidents.IncidentsDir;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import jnr.ffi.Pointer;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The FUSE operations, as a thin adapter over the tree: every operation resolves a node and
 * delegates; it knows nothing of backends. Failures are turned into an errno, recorded in the
 * {@link ErrorJournal} (with caller, operation and path) and logged in one place, {@link #guard}.
 * Called from libfuse's worker threads concurrently: the only shared state is {@link OpenHandles}.
 */
public class AfsFuse extends FuseStubFS {

    private static final Logger LOG = Logger.getLogger("afs.fuse");

    private static final int O_ACCMODE = 3;
    private static final int O_RDONLY = 0;
    private static final int O_TRUNC = 01000;
    private static final int W_OK = 2;
    /** Extended attributes we answer live in the user namespace; everything else is ENODATA at once. */
    private static final String USER_XATTRS = "user.";

    private final TreeResolver tree;
    private final ErrorJournal errors;
    private final OpenHandles handles = new OpenHandles();
    private final Clock clock;
    private final MountMetrics metrics;
    private final int ownerUid;
    private final int ownerGid;

    /** What an operation's outcome is reported to: null on success, else the error. */
    @FunctionalInterface
    private interface Outcome {
        void of(AfsError error);
    }

    private static final Outcome UNCOUNTED = error -> { };

    /** A FUSE operation body; returns 0 or a byte count, throws for failures. */
    @FunctionalInterface
    private interface Operation {
        int run(Caller caller) throws AfsException;
    }

    public AfsFuse(TreeResolver tree, ErrorJournal errors) {
        this(tree, errors, Clock.systemUTC());
    }

    /** @param clock the modification time of a file just created and not listed yet */
    public AfsFuse(TreeResolver tree, ErrorJournal errors, Clock clock) {
        this(tree, errors, clock, new MountMetrics());
    }

    /** @param metrics counts reads by file type and outcome, and failures by errno */
    public AfsFuse(TreeResolver tree, ErrorJournal errors, Clock clock, MountMetrics metrics) {
        this.tree = Objects.requireNonNull(tree, "tree is null");
        this.errors = Objects.requireNonNull(errors, "errors is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
        Caller self = Caller.self();
        this.ownerUid = Math.max(self.uid(), 0);
        this.ownerGid = Math.max(self.gid(), 0);
    }

    /** Open handles not yet released (for tests and the status page). */
    public int openHandles() {
        return handles.size();
    }

    // ---- the one place that catches ----

    private int guard(String operation, String path, Operation body) {
        return guard(operation, path, callerFor(path), body);
    }

    /** The caller of this request, working under the incident the path names ({@code /incidents/<id>/teams/...}). */
    private Caller callerFor(String path) {
        return IncidentsDir.tag(path, callerFromContext());
    }

    private int guard(String operation, String path, Caller caller, Operation body) {
        return guard(operation, path, caller, body, UNCOUNTED);
    }

    private int guard(String operation, String path, Caller caller, Operation body, Outcome outcome) {
        try {
            int result = body.run(caller);
            outcome.of(null);
            return result;
        } catch (AfsException e) {
            // the kernel looks names up before every create: a missing name there is no user's mistake
            if (!(e.error() == AfsError.NOT_FOUND && operation.equals("getattr"))) {
                errors.record(caller, operation, path, e);
                metrics.fuseError(operation, e.error());
            }
            outcome.of(e.error());
            return -Errno.of(e.error());
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, operation + " " + dev.aegis.afs.core.LogText.escape(path) + " failed unexpectedly", e);
            errors.record(caller, operation, path, new AfsException(AfsError.INTERNAL,
                    "internal error (" + e + "); see the daemon log", e));
            metrics.fuseError(operation, AfsError.INTERNAL);
            outcome.of(AfsError.INTERNAL);
            return -Errno.of(AfsError.INTERNAL);
        }
    }

    /** The calling process, from libfuse's context of the current request. */
    protected Caller callerFromContext() {
        FuseContext ctx = getContext();
        return new Caller(ctx.uid.intValue(), ctx.gid.intValue(), ctx.pid.longValue());
    }

    // ---- attributes and directories ----

    /**
     * A live file shows size 0 (its size is only known once read), except to a process holding it
     * open: {@code fstat} arrives here as a getattr on the path, and that reader must see the size
     * of its snapshot ({@code tail -f} would otherwise say "file truncated").
     */
    @Override
    public int getattr(String path, FileStat stat) {
        return guard("getattr", path, caller -> {
            NodeAttributes attributes = tree.resolve(path, caller).attributes(caller);
            Optional<OpenHandles.Handle> open = attributes.directory() ? Optional.empty()
                    : handles.newestOpen(path, caller.pid());
            if (open.isPresent()) {
                OpenFile file = open.get().file();
                fill(stat, withModified(attributes, file), file.size());
            } else {
                fill(stat, attributes, attributes.directory() ? 0 : attributes.size());
            }
            return 0;
        });
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        return guard("fgetattr", path, caller -> {
            OpenHandles.Handle handle = handles.get(fi.fh.get());
            // the open handle knows its exact size, even when stat on the path shows 0
            NodeAttributes attributes;
            try {
                attributes = tree.resolve(path, caller).attributes(caller);
            } catch (AfsException e) {
                if (e.error() != AfsError.NOT_FOUND) {
                    throw e;
                }
                // just created and not listed yet: describe the handle itself
                attributes = new NodeAttributes(false, handle.writable() ? 0644 : 0444, 0, clock.instant(), 1);
            }
            fill(stat, withModified(attributes, handle.file()), handle.file().size());
            return 0;
        });
    }

    /** A handle that grows while open (a follow) has its own mtime: tail -f watches it. */
    private static NodeAttributes withModified(NodeAttributes attributes, OpenFile file) {
        return file.modified().map(t -> new NodeAttributes(attributes.directory(), attributes.mode(), attributes.size(),
                t, attributes.links())).orElse(attributes);
    }

    private void fill(FileStat stat, NodeAttributes attributes, long size) {
        stat.st_mode.set((attributes.directory() ? FileStat.S_IFDIR : FileStat.S_IFREG) | attributes.mode());
        stat.st_nlink.set(attributes.links());
        stat.st_size.set(size);
        stat.st_blocks.set((size + 511) / 512);
        stat.st_blksize.set(4096);
        stat.st_uid.set(ownerUid);
        stat.st_gid.set(ownerGid);
        setTime(stat.st_mtim, attributes.modified());
        setTime(stat.st_ctim, attributes.modified());
        setTime(stat.st_atim, attributes.modified());
    }

    private static void setTime(Timespec time, Instant instant) {
        time.tv_sec.set(instant.getEpochSecond());
        time.tv_nsec.set(instant.getNano());
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        return guard("readdir", path, caller -> {
            DirNode dir = directory(path, caller);
            List<Node> children = dir.list(caller);
            filler.apply(buf, ".", null, 0);
            filler.apply(buf, "..", null, 0);
            for (Node child : children) {
                if (filler.apply(buf, child.name(), null, 0) != 0) {
                    break; // the kernel's buffer is full
                }
            }
            return 0;
        });
    }

    @Override
    public int access(String path, int mask) {
        return guard("access", path, caller -> {
            Node node = tree.resolve(path, caller);
            if ((mask & W_OK) != 0 && (node.attributes(caller).mode() & 0222) == 0) {
                throw AfsException.readOnly(path, "nothing here is writable; changes go through /change_requests");
            }
            return 0;
        });
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        stbuf.f_bsize.set(4096);
        stbuf.f_frsize.set(4096);
        stbuf.f_namemax.set(255);
        return 0;
    }

    // ---- reading ----

    @Override
    public int open(String path, FuseFileInfo fi) {
        int flags = fi.flags.get();
        boolean reading = (flags & O_ACCMODE) == O_RDONLY;
        return guard("open", path, callerFor(path), caller -> {
            Node node = tree.resolve(path, caller);
            if (!(node instanceof FileNode file)) {
                throw new AfsException(AfsError.IS_A_DIRECTORY, path + ": is a directory");
            }
            boolean writable = (flags & O_ACCMODE) != O_RDONLY;
            // the expensive part (a live read) runs here, once; reads serve its snapshot
            OpenFile open = writable ? file.openForWrite(caller, (flags & O_TRUNC) != 0) : file.open(caller);
            register(fi, open, caller, path, writable);
            return 0;
        }, reading ? error -> metrics.read(path, error) : UNCOUNTED);
    }

    private void register(FuseFileInfo fi, OpenFile open, Caller caller, String path, boolean writable) {
        if (open.sizeKnownOnlyWhenOpen()) {
            FileInfoFlags.setDirectIo(fi);
        } else if (open.immutable()) {
            FileInfoFlags.setKeepCache(fi);
        }
        fi.fh.set(handles.register(new OpenHandles.Handle(open, caller, path, writable)));
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return guard("read", path, caller -> {
            OpenFile file = handles.get(fi.fh.get()).file();
            ByteBuffer dst = ByteBuffer.allocate((int) Math.min(size, Integer.MAX_VALUE));
            int n = file.read(offset, dst);
            if (n <= 0) {
                return 0;
            }
            buf.put(0, dst.array(), 0, n);
            return n;
        });
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        OpenHandles.Handle handle = handles.remove(fi.fh.get());
        if (handle == null) {
            return 0;
        }
        // no caller context in release: record against whoever opened it
        return guard("release", path, handle.caller(), caller -> {
            handle.file().close();
            return 0;
        });
    }

    @Override
    public int flush(String path, FuseFileInfo fi) {
        // close(2) of a written file: a change request is submitted here, so cat and cp see a refusal
        return guard("flush", path, caller -> {
            OpenHandles.Handle handle = handles.get(fi.fh.get());
            if (handle.writable()) {
                handle.file().flush(caller);
            }
            return 0;
        });
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return 0;
    }

    // ---- extended attributes ----

    @Override
    public int getxattr(String path, String name, Pointer value, @size_t long size) {
        if (!name.startsWith(USER_XATTRS)) {
            return -ErrorCodes.ENODATA(); // security.*, system.*: asked on every ls -l
        }
        return guard("getxattr", path, caller -> {
            Optional<String> text = tree.resolve(path, caller).xattr(name, caller);
            if (text.isEmpty()) {
                return -ErrorCodes.ENODATA(); // the normal answer, not a failure worth recording
            }
            return copyOut(text.get().getBytes(StandardCharsets.UTF_8), value, size);
        });
    }

    @Override
    public int listxattr(String path, Pointer list, @size_t long size) {
        return guard("listxattr", path, caller -> {
            StringBuilder names = new StringBuilder();
            for (String name : tree.resolve(path, caller).xattrNames(caller)) {
                names.append(name).append('\0');
            }
            return copyOut(names.toString().getBytes(StandardCharsets.UTF_8), list, size);
        });
    }

    /** The xattr protocol: size 0 asks for the length; too small a buffer is ERANGE. */
    private static int copyOut(byte[] bytes, Pointer out, long size) {
        if (size == 0) {
            return bytes.length;
        }
        if (size < bytes.length) {
            return -ErrorCodes.ERANGE();
        }
        out.put(0, bytes, 0, bytes.length);
        return bytes.length;
    }

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return refuse("setxattr", path, "extended attributes are set by afs itself");
    }

    @Override
    public int removexattr(String path, String name) {
        return refuse("removexattr", path, "extended attributes are set by afs itself");
    }

    // ---- writing: delegated to the nodes, which refuse unless they are writable ----

    @Override
    public int create(String path, @mode_t long mode, FuseFileInfo fi) {
        return guard("create", path, caller -> {
            String name = name(path);
            OpenFile open = directory(parent(path), caller).create(name, caller);
            register(fi, open, caller, path, true);
            return 0;
        });
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return guard("write", path, caller -> {
            OpenHandles.Handle handle = handles.get(fi.fh.get());
            byte[] bytes = new byte[(int) size];
            buf.get(0, bytes, 0, bytes.length);
            return handle.file().write(offset, ByteBuffer.wrap(bytes));
        });
    }

    @Override
    public int truncate(String path, @off_t long size) {
        return guard("truncate", path, caller -> {
            if (size != 0) {
                throw new AfsException(AfsError.INVALID_ARGUMENT, path
                        + ": only truncation to 0 bytes is supported; rewrite the file instead");
            }
            Node node = tree.resolve(path, caller);
            if (!(node instanceof FileNode file)) {
                throw new AfsException(AfsError.IS_A_DIRECTORY, path + ": is a directory");
            }
            file.openForWrite(caller, true).close();
            return 0;
        });
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return guard("ftruncate", path, caller -> {
            OpenHandles.Handle handle = handles.get(fi.fh.get());
            if (!handle.writable()) {
                throw AfsException.readOnly(path, "opened read-only");
            }
            if (size != handle.file().size()) {
                throw new AfsException(AfsError.INVALID_ARGUMENT, path
                        + ": cannot resize an open file; open it with O_TRUNC (e.g. > in the shell) instead");
            }
            return 0;
        });
    }

    @Override
    public int unlink(String path) {
        return guard("unlink", path, caller -> {
            directory(parent(path), caller).remove(name(path), caller);
            return 0;
        });
    }

    @Override
    public int mkdir(String path, @mode_t long mode) {
        return refuse("mkdir", path, "directories come from namespaces.yaml; edit it and remount");
    }

    @Override
    public int rmdir(String path) {
        return refuse("rmdir", path, "directories come from namespaces.yaml; edit it and remount");
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return refuse("rename", oldpath, "files cannot be renamed or moved");
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return refuse("symlink", newpath, "links cannot be created; copy the file elsewhere instead");
    }

    @Override
    public int link(String oldpath, String newpath) {
        return refuse("link", newpath, "links cannot be created; copy the file elsewhere instead");
    }

    @Override
    public int mknod(String path, @mode_t long mode, long rdev) {
        return refuse("mknod", path, "special files cannot be created");
    }

    @Override
    public int chmod(String path, @mode_t long mode) {
        return refuse("chmod", path, "modes are set by afs; access is configured in namespaces.yaml");
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return refuse("chown", path, "owners are set by afs; access is configured in namespaces.yaml");
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return guard("utimens", path, caller -> {
            Node node = tree.resolve(path, caller);
            if ((node.attributes(caller).mode() & 0222) != 0) {
                return 0; // a writable file: times follow its content, accept touch silently
            }
            throw AfsException.readOnly(path, "times follow the source; afs files cannot be touched");
        });
    }

    private int refuse(String operation, String path, String why) {
        return guard(operation, path, caller -> {
            throw AfsException.readOnly(path, why);
        });
    }

    // ---- paths ----

    private DirNode directory(String path, Caller caller) throws AfsException {
        Node node = tree.resolve(path, caller);
        if (!(node instanceof DirNode dir)) {
            throw new AfsException(AfsError.NOT_A_DIRECTORY, path + ": not a directory");
        }
        return dir;
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
