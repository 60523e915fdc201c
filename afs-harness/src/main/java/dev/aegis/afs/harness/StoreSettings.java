package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the harness keeps its state: {@code store: sqlite} (the default; {@code data_dir/harness.db},
 * one harness) or {@code store: postgresql} with a {@code postgresql:} section (several replicas
 * on one database).
 */
public sealed interface StoreSettings {

    /** The embedded default: SQLite files in data_dir. */
    record Sqlite() implements StoreSettings {
    }

    /**
     * A shared PostgreSQL database.
     *
     * @param url            JDBC URL, {@code jdbc:postgresql://host:5432/afs}
     * @param passwordFile   a file holding the password (its first line); empty for trust or
     *                       certificate authentication
     * @param poolSize       connections this replica keeps (HikariCP)
     * @param connectTimeout how long a step waits for a connection before it fails closed
     */
    record Postgres(String url, String user, Optional<Path> passwordFile, int poolSize, Duration connectTimeout)
            implements StoreSettings {

        public static final int DEFAULT_POOL_SIZE = 10;
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

        public Postgres {
            requireNonNull(url, "url is null");
            requireNonNull(user, "user is null");
            requireNonNull(passwordFile, "passwordFile is null");
            requireNonNull(connectTimeout, "connectTimeout is null");
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("'" + url + "' is not a PostgreSQL JDBC URL; write e.g. "
                        + "jdbc:postgresql://db.internal:5432/afs");
            }
            if (poolSize < 1 || poolSize > 1000) {
                throw new IllegalArgumentException("pool_size " + poolSize + " is out of range; use 1 to 1000 (default "
                        + DEFAULT_POOL_SIZE + ")");
            }
            if (connectTimeout.toMillis() < 250) {
                throw new IllegalArgumentException("connect_timeout " + connectTimeout + " is too short; use at least 250ms");
            }
        }

        public Postgres(String url, String user, Optional<Path> passwordFile) {
            this(url, user, passwordFile, DEFAULT_POOL_SIZE, DEFAULT_CONNECT_TIMEOUT);
        }
    }

    StoreSettings SQLITE = new Sqlite();
}
