package dev.aegis.afs.core;

/**
 * Every way an operation can fail, once. The FUSE adapter maps each to an errno and the CLI to
 * an exit code, each in one place. USER errors are the caller's to fix; EXTERNAL ones are a
 * backend's or the machine's.
 */
public enum AfsError {
    NOT_FOUND("ENOENT", Type.USER),
    ACCESS_DENIED("EACCES", Type.USER),
    INVALID_QUERY("EINVAL", Type.USER),
    INVALID_ARGUMENT("EINVAL", Type.USER),
    READ_ONLY("EROFS", Type.USER),
    NOT_A_DIRECTORY("ENOTDIR", Type.USER),
    IS_A_DIRECTORY("EISDIR", Type.USER),
    ALREADY_EXISTS("EEXIST", Type.USER),
    TOO_LARGE("EFBIG", Type.USER),
    NAME_TOO_LONG("ENAMETOOLONG", Type.USER),
    NO_SUCH_ATTRIBUTE("ENODATA", Type.USER),
    /** A blocked read ({@code ?follow=1}) given up because its reader is gone or was interrupted. */
    INTERRUPTED("EINTR", Type.USER),
    BACKEND_FAILURE("EIO", Type.EXTERNAL),
    UNAVAILABLE("EIO", Type.EXTERNAL),
    NO_SPACE("ENOSPC", Type.EXTERNAL),
    QUOTA_EXCEEDED("EDQUOT", Type.USER),
    READ_BUDGET_EXCEEDED("ETIMEDOUT", Type.USER),
    INTERNAL("EIO", Type.EXTERNAL);

    public enum Type { USER, EXTERNAL }

    private final String errno;
    private final Type type;

    AfsError(String errno, Type type) {
        this.errno = errno;
        this.type = type;
    }

    /** The errno name, e.g. {@code ENOENT}. */
    public String errno() {
        return errno;
    }

    public Type type() {
        return type;
    }
}
