package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;

/**
 * The connection pool to a shared PostgreSQL database, its schema brought to this harness's
 * version by Flyway ({@code db/harness/V*.sql}, history in {@code flyway_harness_history} so other
 * components may keep their own migrations in the same database). Opening fails with the fix
 * named when the database cannot be reached, and when its schema is newer than this code: an
 * older harness must not write into tables it does not know.
 */
public final class PostgresDatabase implements AutoCloseable {

    static final String HISTORY_TABLE = "flyway_harness_history";
    static final String MIGRATIONS = "classpath:db/harness";

    private final HikariDataSource pool;
    private final StoreSettings.Postgres settings;

    private PostgresDatabase(HikariDataSource pool, StoreSettings.Postgres settings) {
        this.pool = pool;
        this.settings = settings;
    }

    /** Connects, migrates, and checks the schema is not newer than this harness. */
    public static PostgresDatabase open(StoreSettings.Postgres s) throws IOException {
        requireNonNull(s, "settings is null");
        HikariConfig c = new HikariConfig();
        c.setPoolName("afs-harness");
        c.setJdbcUrl(s.url());
        c.setUsername(s.user());
        c.setPassword(password(s).orElse(null));
        c.setMaximumPoolSize(s.poolSize());
        c.setMinimumIdle(Math.min(2, s.poolSize()));
        c.setAutoCommit(false);
        c.setConnectionTimeout(s.connectTimeout().toMillis());
        c.setValidationTimeout(Math.min(s.connectTimeout().toMillis(), 5_000));
        // a dead server is noticed by the next query, not by a query that hangs
        c.addDataSourceProperty("connectTimeout", Math.max(1, s.connectTimeout().toSeconds()));
        c.addDataSourceProperty("tcpKeepAlive", true);
        c.addDataSourceProperty("ApplicationName", "afs-harness");
        // the ledger file is appended after the commit: a commit must not be lost by a server crash
        // (synchronous_commit off or local is raised to on; remote_write/remote_apply stay)
        c.setConnectionInitSql("SELECT set_config('synchronous_commit', CASE WHEN current_setting('synchronous_commit') "
                + "IN ('off', 'local') THEN 'on' ELSE current_setting('synchronous_commit') END, false)");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(c);
        } catch (RuntimeException e) {
            throw new IOException("cannot reach the harness database " + s.url() + " as " + s.user() + ": "
                    + rootMessage(e) + "; check that PostgreSQL runs and accepts connections there, and postgresql.url, "
                    + "postgresql.user and postgresql.password_file in harness.yaml", e);
        }
        try {
            migrate(pool, s);
            return new PostgresDatabase(pool, s);
        } catch (IOException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static void migrate(DataSource ds, StoreSettings.Postgres s) throws IOException {
        Flyway flyway = Flyway.configure().dataSource(ds).locations(MIGRATIONS).table(HISTORY_TABLE)
                // another component's tables may already be in the schema: start our history at 0
                .baselineOnMigrate(true).baselineVersion("0")
                .load();
        try {
            MigrationInfo[] all = flyway.info().all();
            List<MigrationInfo> future = java.util.Arrays.stream(all)
                    .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED)
                    .toList();
            if (!future.isEmpty()) {
                String newest = future.stream().max(Comparator.comparing(MigrationInfo::getVersion)).orElseThrow()
                        .getVersion().getVersion();
                String known = java.util.Arrays.stream(all).filter(m -> m.getState().isResolved())
                        .max(Comparator.comparing(MigrationInfo::getVersion)).map(m -> m.getVersion().getVersion()).orElse("none");
                throw new IOException("the harness database " + s.url() + " has schema version " + newest
                        + ", newer than this harness knows (up to " + known + "): a newer harness migrated it. Run that newer "
                        + "harness version on every replica, or point this one at a database of its own version");
            }
            flyway.migrate();
        } catch (FlywayException e) {
            throw new IOException("cannot bring the harness database " + s.url() + " to this harness's schema: "
                    + e.getMessage() + "; see the " + HISTORY_TABLE + " table", e);
        }
    }

    private static Optional<String> password(StoreSettings.Postgres s) throws IOException {
        if (s.passwordFile().isEmpty()) {
            return Optional.empty();
        }
        try {
            String text = Files.readString(s.passwordFile().get(), StandardCharsets.UTF_8);
            return Optional.of(text.lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new IOException("cannot read postgresql.password_file " + s.passwordFile().get() + ": " + e.getMessage()
                    + "; it holds the database password on its first line", e);
        }
    }

    public DataSource dataSource() {
        return pool;
    }

    public StoreSettings.Postgres settings() {
        return settings;
    }

    /** A pooled connection; a failure to get one is {@link RequestStore.Unavailable}, named as such. */
    Connection connection() throws SQLException {
        try {
            return pool.getConnection();
        } catch (SQLTransientConnectionException e) {
            throw unavailable(e);
        } catch (SQLException e) {
            throw RequestStore.Unavailable.is(e) ? unavailable(e) : e;
        }
    }

    RequestStore.Unavailable unavailable(SQLException e) {
        return new RequestStore.Unavailable("the harness database " + settings.url() + " is unreachable (" + rootMessage(e)
                + "); nothing is changed until it is back, and the step is retried then", e);
    }

    /** The innermost message there is (a socket's EOFException has none; the driver's wrapper says what happened). */
    static String rootMessage(Throwable e) {
        String message = e.getMessage();
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return String.valueOf(message);
    }

    @Override
    public void close() {
        pool.close();
    }
}
