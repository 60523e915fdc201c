package dev.aegis.afs.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A real PostgreSQL 15 server for one test class: Debian's {@code postgresql-15} binaries, a fresh
 * cluster in a temporary directory, listening on 127.0.0.1 at a free port. initdb and postgres
 * refuse to run as root, so both run as the {@code postgres} user (via {@code runuser}) when the
 * test runs as root. {@link #close()} stops the server and deletes the directory.
 *
 * <pre>{@code
 * try (PostgresServer pg = PostgresServer.start()) {
 *     String url = pg.createDatabase("harness");   // jdbc:postgresql://127.0.0.1:<port>/harness
 * }
 * }</pre>
 */
public final class PostgresServer implements AutoCloseable {
    /** Where Debian's postgresql-15 puts its server binaries; override with AFS_PG_BIN. */
    public static final Path DEFAULT_BIN = Path.of("/usr/lib/postgresql/15/bin");
    public static final String SUPERUSER = "postgres";

    private final Path bin;
    private final Path dataDir;
    private final int port;
    private final boolean asPostgresUser;
    private Process server;

    private PostgresServer(Path bin, Path dataDir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dataDir = dataDir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** Whether the binaries are installed ({@code bin/setup} installs postgresql-15). */
    public static boolean installed() {
        return Files.isExecutable(bin().resolve("postgres"));
    }

    /** Starts a new cluster; fails with the fix named when postgresql-15 is missing. */
    public static PostgresServer start() throws IOException {
        Path bin = bin();
        if (!installed()) {
            throw new IllegalStateException("PostgreSQL 15 is not installed at " + bin
                    + ": run bin/setup (it installs Debian's postgresql-15), or set AFS_PG_BIN");
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("afs-pg-");
        Path data = dir.resolve("data");
        PostgresServer pg = new PostgresServer(bin, data, freePort(), root);
        try {
            if (root) {
                run(List.of("chown", "-R", SUPERUSER + ":" + SUPERUSER, dir.toString()), Duration.ofSeconds(10));
            }
            pg.initdb();
            pg.launch();
            pg.awaitReady(Duration.ofSeconds(60));
            return pg;
        } catch (IOException | RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    /** The temporary directory holding the cluster and its log ({@code postgres.log}). */
    public Path directory() {
        return dataDir.getParent();
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of a database; the superuser connects without a password (trust on loopback). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + requireNonNull(database, "database is null");
    }

    /** Creates a database owned by the superuser and returns its JDBC URL. */
    public String createDatabase(String name) throws SQLException {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("database name must be lower-case letters, digits and _: " + name);
        }
        execute("postgres", "CREATE DATABASE " + name);
        return jdbcUrl(name);
    }

    /** Creates a login role with a password (for tests of least-privilege roles). */
    public void createRole(String name, String password) throws SQLException {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("role name must be lower-case letters, digits and _: " + name);
        }
        execute("postgres", "CREATE ROLE " + name + " LOGIN PASSWORD '" + password.replace("'", "''") + "'");
    }

    /** Runs one statement as the superuser in a database. */
    public void execute(String database, String sql) throws SQLException {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** A superuser connection to a database. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, "");
    }

    /**
     * Stops the server at once, cutting every client off (as an outage would), but keeps the data;
     * {@link #restart()} brings it back.
     */
    public void kill() {
        if (server != null && server.isAlive()) {
            // under runuser the postmaster is runuser's child: killing runuser would orphan it, so
            // stop the postmaster itself, cutting every client off. "fast", not "immediate": with
            // fsync and synchronous_commit off, an immediate stop loses committed transactions
            try {
                run(command(bin.resolve("pg_ctl").toString(), "stop", "-D", dataDir.toString(), "-m", "fast", "-w"),
                        Duration.ofSeconds(30));
            } catch (IOException e) {
                // not running any more, or pg_ctl failed: fall back to killing what we started
            }
            server.destroyForcibly();
            try {
                server.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts the server again on the same port and data directory. */
    public void restart() throws IOException {
        kill();
        launch();
        awaitReady(Duration.ofSeconds(60));
    }

    @Override
    public void close() {
        kill();
        Path dir = dataDir.getParent();
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir we could not fully remove is left for the OS to clean
        }
    }

    private void initdb() throws IOException {
        run(command(bin.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", SUPERUSER,
                "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"), Duration.ofSeconds(120));
    }

    private void launch() throws IOException {
        // fsync off: a test cluster is thrown away; unix sockets in the data dir, not /var/run
        List<String> cmd = command(bin.resolve("postgres").toString(), "-D", dataDir.toString(),
                "-h", "127.0.0.1", "-p", Integer.toString(port), "-k", dataDir.toString(),
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                "-c", "max_connections=200", "-c", "shared_buffers=64MB");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dataDir.getParent().resolve("postgres.log").toFile());
        server = pb.start();
    }

    private void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IOException("postgres exited with " + server.exitValue() + ": " + log());
            }
            try (Connection c = connect("postgres")) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            sleep(100);
        }
        throw new IOException("postgres did not accept connections within " + timeout + ": " + last + "; " + log());
    }

    private String log() {
        try {
            return Files.readString(dataDir.getParent().resolve("postgres.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        if (asPostgresUser) {
            cmd.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void run(List<String> cmd, Duration timeout) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd.get(0) + " did not finish within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): "
                    + new String(p.getInputStream().readAllBytes()));
        }
    }

    private static Path bin() {
        String override = System.getenv("AFS_PG_BIN");
        return override == null || override.isBlank() ? DEFAULT_BIN : Path.of(override);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
