package dev.aegis.afs.evidence.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which evidence store to use and how to reach it: {@code evidence.store} in namespaces.yaml and
 * harness.yaml, or {@code dir:<path>} / {@code postgresql:<jdbc url>} on the command line.
 *
 * @param type              {@code dir}, {@code postgresql}, {@code s3}
 * @param dir               the evidence directory ({@code dir}; for the mount also the local copy it serves from)
 * @param url               the JDBC URL ({@code postgresql})
 * @param user              the database user; empty: the URL's or the driver's default
 * @param passwordFile      a 0600 file holding the password; empty: none (trust or the URL's)
 * @param migrate           run the schema migrations at open (the control plane's owner role; never a mount's)
 * @param spool             serve a read whose snapshot the store cannot take yet, and upload it later
 * @param spoolMaxSnapshots snapshots the spool may hold before reads fail closed again
 * @param spoolMaxBytes     bytes the spool may hold before reads fail closed again
 * @param s3                the bucket and its settings ({@code s3})
 */
public record StoreSpec(String type, Path dir, String url, Optional<String> user, Optional<Path> passwordFile,
                        boolean migrate, boolean spool, long spoolMaxSnapshots, long spoolMaxBytes, Optional<S3Spec> s3) {

    public static final String DIR = "dir";
    public static final String POSTGRESQL = "postgresql";
    public static final String S3 = "s3";
    public static final long DEFAULT_SPOOL_SNAPSHOTS = 10_000;
    public static final long DEFAULT_SPOOL_BYTES = 1L << 30;

    public StoreSpec {
        requireNonNull(type, "type is null");
        requireNonNull(dir, "dir is null");
        requireNonNull(url, "url is null");
        requireNonNull(user, "user is null");
        requireNonNull(passwordFile, "passwordFile is null");
        requireNonNull(s3, "s3 is null");
        if (!type.equals(DIR) && !type.equals(POSTGRESQL) && !type.equals(S3)) {
            throw new IllegalArgumentException("evidence store type '" + type + "' is not known; use dir, postgresql or s3");
        }
        if (type.equals(S3) != s3.isPresent()) {
            throw new IllegalArgumentException("the s3 evidence store needs its bucket settings, and only it has them");
        }
        if (type.equals(POSTGRESQL) && !url.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("the postgresql evidence store needs url: jdbc:postgresql://<host>:<port>/<database>"
                    + (url.isEmpty() ? "" : " (got '" + url + "')"));
        }
        if (spoolMaxSnapshots < 1 || spoolMaxBytes < 1) {
            throw new IllegalArgumentException("spool_max_snapshots and spool_max_bytes must be at least 1");
        }
    }

    public StoreSpec(String type, Path dir, String url, Optional<String> user, Optional<Path> passwordFile,
                     boolean migrate, boolean spool, long spoolMaxSnapshots, long spoolMaxBytes) {
        this(type, dir, url, user, passwordFile, migrate, spool, spoolMaxSnapshots, spoolMaxBytes, Optional.empty());
    }

    /** An S3 bucket as the store; {@code localDir} is the mount's local copy. */
    public static StoreSpec s3(Path localDir, S3Spec s3, boolean spool, long spoolMaxSnapshots, long spoolMaxBytes) {
        return new StoreSpec(S3, localDir, "", Optional.empty(), Optional.empty(), false, spool, spoolMaxSnapshots,
                spoolMaxBytes, Optional.of(s3));
    }

    /** The default: the local evidence directory is the store. */
    public static StoreSpec dir(Path dir) {
        return new StoreSpec(DIR, dir, "", Optional.empty(), Optional.empty(), false, false,
                DEFAULT_SPOOL_SNAPSHOTS, DEFAULT_SPOOL_BYTES);
    }

    public static StoreSpec postgresql(Path localDir, String url, Optional<String> user, Optional<Path> passwordFile,
                                       boolean migrate) {
        return new StoreSpec(POSTGRESQL, localDir, url, user, passwordFile, migrate, false,
                DEFAULT_SPOOL_SNAPSHOTS, DEFAULT_SPOOL_BYTES);
    }

    /**
     * {@code dir:<path>} or {@code postgresql:<jdbc url>} (also {@code jdbc:postgresql://...} or
     * {@code postgresql://...} as written by psql users), as {@code afs evidence migrate} takes them.
     */
    public static StoreSpec parse(String text, Path localDir, Optional<String> user, Optional<Path> passwordFile) {
        if (text.startsWith("dir:")) {
            return dir(Path.of(text.substring(4)).toAbsolutePath().normalize());
        }
        String url = text.startsWith("postgresql:jdbc:") ? text.substring("postgresql:".length())
                : text.startsWith("jdbc:postgresql:") ? text
                : text.startsWith("postgresql://") ? "jdbc:" + text
                : text.startsWith("postgresql:") ? "jdbc:postgresql:" + text.substring("postgresql:".length())
                : null;
        if (url == null) {
            throw new IllegalArgumentException("'" + text + "' names no evidence store; write dir:/var/lib/afs/evidence"
                    + " or postgresql://<host>:<port>/<database>");
        }
        return postgresql(localDir, url, user, passwordFile, true);
    }

    public boolean shared() {
        return !type.equals(DIR);
    }

    /** Opens the store this names. */
    public CaptureStore open() throws IOException {
        return switch (type) {
            case DIR -> new DirCaptureStore(dir);
            case POSTGRESQL -> PostgresCaptureStore.open(url, user, password(), migrate);
            case S3 -> S3CaptureStore.open(s3.orElseThrow());
            default -> throw new IllegalStateException(type);
        };
    }

    private Optional<String> password() throws IOException {
        if (passwordFile.isEmpty()) {
            return Optional.empty();
        }
        Path f = passwordFile.get();
        dev.aegis.afs.evidence.Keys.requirePrivate(f);
        return Optional.of(Files.readString(f, StandardCharsets.UTF_8).strip());
    }
}
