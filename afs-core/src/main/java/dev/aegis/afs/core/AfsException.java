package dev.aegis.afs.core;

import java.io.IOException;
import java.util.Objects;

/**
 * A failed operation with its {@link AfsError} and a reason a person can act on: what is wrong
 * and how to fix it. Reasons never contain credentials.
 */
public class AfsException extends IOException {

    private final AfsError error;

    public AfsException(AfsError error, String reason) {
        super(Objects.requireNonNull(reason, "reason is null"));
        this.error = Objects.requireNonNull(error, "error is null");
    }

    public AfsException(AfsError error, String reason, Throwable cause) {
        super(Objects.requireNonNull(reason, "reason is null"), cause);
        this.error = Objects.requireNonNull(error, "error is null");
    }

    public AfsError error() {
        return error;
    }

    public static AfsException notFound(String path) {
        return new AfsException(AfsError.NOT_FOUND, path + ": no such file or directory");
    }

    public static AfsException readOnly(String path, String why) {
        return new AfsException(AfsError.READ_ONLY, path + ": read-only: " + why);
    }
}
