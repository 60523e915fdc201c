package dev.aegis.afs.fuse;

import dev.aegis.afs.core.AfsError;
import java.util.EnumMap;
import java.util.Map;
import ru.serce.jnrfuse.ErrorCodes;

/** The one place an {@link AfsError} becomes an errno: through its errno name, by jnr's platform table. */
final class Errno {

    private static final Map<AfsError, Integer> CODES = new EnumMap<>(AfsError.class);

    static {
        for (AfsError error : AfsError.values()) {
            CODES.put(error, code(error.errno()));
        }
    }

    private Errno() {
    }

    /** The positive errno for {@code error}, e.g. 2 for NOT_FOUND. */
    static int of(AfsError error) {
        return CODES.get(error);
    }

    private static int code(String name) {
        return switch (name) {
            case "ENOENT" -> ErrorCodes.ENOENT();
            case "EACCES" -> ErrorCodes.EACCES();
            case "EINVAL" -> ErrorCodes.EINVAL();
            case "EROFS" -> ErrorCodes.EROFS();
            case "ENOTDIR" -> ErrorCodes.ENOTDIR();
            case "EISDIR" -> ErrorCodes.EISDIR();
            case "EEXIST" -> ErrorCodes.EEXIST();
            case "EFBIG" -> ErrorCodes.EFBIG();
            case "ENAMETOOLONG" -> ErrorCodes.ENAMETOOLONG();
            case "ENODATA" -> ErrorCodes.ENODATA();
            case "ENOSPC" -> ErrorCodes.ENOSPC();
            case "EDQUOT" -> ErrorCodes.EDQUOT();
            case "EPERM" -> ErrorCodes.EPERM();
            case "EBUSY" -> ErrorCodes.EBUSY();
            case "EAGAIN" -> ErrorCodes.EAGAIN();
            case "ETIMEDOUT" -> ErrorCodes.ETIMEDOUT();
            case "EIO" -> ErrorCodes.EIO();
            case "EINTR" -> ErrorCodes.EINTR();
            default -> throw new IllegalStateException("no errno mapping for " + name + "; add it to Errno");
        };
    }
}
