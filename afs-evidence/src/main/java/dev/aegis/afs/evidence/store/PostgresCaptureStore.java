package dev.aegis.afs.evidence.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.ContentHash;
import dev.aegis.afs.evidence.SignedCapture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * Evidence in PostgreSQL (schema {@code evidence}, see {@code db/evidence/V*.sql}):
 * content once per team/env in 1 MiB chunks, the signed record of each capture beside it, indexed
 * by team/env, source, captured_at, caller and incident. A mount writes with a role that may only insert
 * (member of {@code afs_evidence_writer}); the harness migrates and reads.
 *
 * <p>{@link #put} is one transaction, committed before it returns: the read it serves is durable.
 * Content of one chunk or less is put in a single statement (one round trip to the database).
 * The content is hashed while it is uploaded and must match the record, so a store never holds a
 * blob under a wrong name.
 */
public final class PostgresCaptureStore implements CaptureStore, ExpiringStore, PurgeableStore {

    /** Chunk size: well under bytea's 1 GB cap and small enough to stream. */
    static final int CHUNK = 1 << 20;
    /** The schema that holds the tables and the migration history (its own, beside the harness's). */
    public static final String SCHEMA = "evidence";
    public static final String HISTORY_TABLE = "flyway_evidence_history";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HikariDataSource pool;
    private final String where;

    private PostgresCaptureStore(HikariDataSource pool, String where) {
        this.pool = requireNonNull(pool, "pool is null");
        this.where = requireNonNull(where, "where is null");
    }

    /**
     * Opens a pool to {@code url}. A mount opens it even while the database is down (its reads
     * then fail closed, or spool); {@code migrate} (the control plane) applies the schema first
     * and fails when it cannot.
     */
    public static PostgresCaptureStore open(String url, Optional<String> user, Optional<String> password, boolean migrate)
            throws IOException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        user.ifPresent(config::setUsername);
        password.ifPresent(config::setPassword);
        config.setPoolName("afs-evidence-store");
        config.setMaximumPoolSize(8);
        config.setMinimumIdle(0);
        // a store that does not answer fails the read within seconds instead of holding the reader,
        // and the harness's gate answers a submit before the mount's 10 s request timeout (a pool
        // this short can time out under heavy load: bench/README.md, shared evidence store)
        config.setConnectionTimeout(3_000);
        config.setValidationTimeout(2_000);
        config.setInitializationFailTimeout(-1);
        config.addDataSourceProperty("connectTimeout", "3");
        config.addDataSourceProperty("socketTimeout", "60");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        HikariDataSource pool = new HikariDataSource(config);
        String where = describe(url, user);
        if (migrate) {
            try {
                migrate(pool);
            } catch (RuntimeException e) {
                pool.close();
                throw new IOException("cannot migrate the evidence store " + where + ": " + e.getMessage()
                        + "; the migrating user needs CREATE on the database and CREATEROLE (or create the roles"
                        + " afs_evidence_writer and afs_evidence_reader first)", e);
            }
        }
        return new PostgresCaptureStore(pool, where);
    }

    /** Applies the evidence schema's migrations (own schema, own history table). */
    static void migrate(javax.sql.DataSource ds) {
        Flyway.configure().dataSource(ds).schemas(SCHEMA).table(HISTORY_TABLE).createSchemas(true)
                .locations("classpath:db/evidence").load().migrate();
    }

    private static String describe(String url, Optional<String> user) {
        String bare = url.replaceFirst("^jdbc:", "").replaceAll("[?].*$", "");
        return user.map(u -> bare.replaceFirst("://", "://" + u + "@")).orElse(bare);
    }

    @Override
    public String describe() {
        return where;
    }

    @Override
    public void put(SignedCapture capture, Path content, Map<String, String> stats) throws IOException {
        if (Files.size(content) <= CHUNK) {
            putOneChunk(capture, Files.readAllBytes(content), stats);
            return;
        }
        CaptureRecord r = capture.record();
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                Optional<SignedCapture> existing = record(c, r.id());
                if (existing.isPresent()) {
                    c.rollback();
                    if (DirCaptureStore.same(existing.get(), capture)) {
                        return;
                    }
                    throw new IOException("another record is stored under " + r.id() + " in " + where
                            + "; evidence is never overwritten");
                }
                if (!blobExists(c, r.team(), r.env(), r.sha256())) {
                    uploadBlob(c, r, content);
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO evidence.captures (id, team, env, sha256, source, captured_at, caller, key_id, record,
                          signature, stats, incident) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING""")) {
                    bindCapture(ps, 1, capture, stats);
                    if (ps.executeUpdate() == 0) {
                        // another writer stored this id between our look and our insert
                        Optional<SignedCapture> raced = record(c, r.id());
                        if (raced.isEmpty() || !DirCaptureStore.same(raced.get(), capture)) {
                            throw new IOException("another record was stored under " + r.id() + " in " + where
                                    + " at the same moment; evidence is never overwritten");
                        }
                    }
                }
                c.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw unreachable(e);
        }
    }

    /**
     * A capture whose content fits one chunk (a {@code tail=50} read and most others) in one
     * statement, so one round trip: the blob and its chunk when new, and the record, committed
     * together (autocommit). A record already under the id is compared afterwards, which is rare
     * (a replayed spool).
     */
    private void putOneChunk(SignedCapture capture, byte[] bytes, Map<String, String> stats) throws IOException {
        CaptureRecord r = capture.record();
        String actual = HexFormat.of().formatHex(ContentHash.digest().digest(bytes));
        if (!actual.equals(r.sha256()) || bytes.length != r.size()) {
            throw changed(r, actual, bytes.length);
        }
        boolean inserted;
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     WITH blob AS (
                       INSERT INTO evidence.blobs (team, env, sha256, size, chunks) VALUES (?,?,?,?,1)
                       ON CONFLICT DO NOTHING RETURNING team, env, sha256),
                     chunk AS (
                       INSERT INTO evidence.chunks (team, env, sha256, seq, data) SELECT team, env, sha256, 0, ? FROM blob
                       ON CONFLICT DO NOTHING),
                     capture AS (
                       INSERT INTO evidence.captures (id, team, env, sha256, source, captured_at, caller, key_id, record,
                         signature, stats, incident) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING RETURNING id)
                     SELECT count(*) FROM capture""")) {
            ps.setString(1, r.team());
            ps.setString(2, r.env());
            ps.setString(3, r.sha256());
            ps.setLong(4, bytes.length);
            ps.setBytes(5, bytes);
            bindCapture(ps, 6, capture, stats);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                inserted = rs.getInt(1) == 1;
            }
        } catch (SQLException e) {
            throw unreachable(e);
        }
        if (!inserted) {
            Optional<SignedCapture> existing = record(r.id());
            if (existing.isEmpty() || !DirCaptureStore.same(existing.get(), capture)) {
                throw new IOException("another record is stored under " + r.id() + " in " + where
                        + "; evidence is never overwritten");
            }
        }
    }

    /** Binds the capture row's twelve columns (id ... stats, incident) from {@code first} on. */
    private static void bindCapture(PreparedStatement ps, int first, SignedCapture capture, Map<String, String> stats)
            throws SQLException, IOException {
        CaptureRecord r = capture.record();
        ps.setString(first, r.id());
        ps.setString(first + 1, r.team());
        ps.setString(first + 2, r.env());
        ps.setString(first + 3, r.sha256());
        ps.setString(first + 4, r.source());
        ps.setTimestamp(first + 5, Timestamp.from(r.capturedAt()));
        ps.setString(first + 6, r.caller().toString());
        ps.setString(first + 7, r.keyId());
        ps.setString(first + 8, new String(r.canonical(), StandardCharsets.UTF_8));
        ps.setString(first + 9, capture.signature());
        ObjectNode s = JSON.createObjectNode();
        stats.forEach(s::put);
        ps.setString(first + 10, JSON.writeValueAsString(s));
        ps.setString(first + 11, r.incident().orElse(null));
    }

    private static IOException changed(CaptureRecord r, String actual, long size) {
        return new IOException("the content of " + r.id() + " hashes to " + actual + " (" + size + " bytes), not the"
                + " recorded " + r.sha256() + " (" + r.size() + " bytes): it changed after capture, so it was not stored");
    }

    private void uploadBlob(Connection c, CaptureRecord r, Path content) throws SQLException, IOException {
        MessageDigest digest = ContentHash.digest();
        long size = 0;
        int seq = 0;
        try (InputStream in = Files.newInputStream(content);
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO evidence.chunks (team, env, sha256, seq, data) VALUES (?,?,?,?,?)
                     ON CONFLICT DO NOTHING""")) {
            byte[] buffer = new byte[CHUNK];
            while (true) {
                int n = in.readNBytes(buffer, 0, CHUNK);
                if (n == 0 && seq > 0) {
                    break;
                }
                digest.update(buffer, 0, n);
                size += n;
                if (n > 0) {
                    ps.setString(1, r.team());
                    ps.setString(2, r.env());
                    ps.setString(3, r.sha256());
                    ps.setInt(4, seq++);
                    ps.setBytes(5, n == CHUNK ? buffer : Arrays.copyOf(buffer, n));
                    ps.executeUpdate();
                }
                if (n < CHUNK) {
                    break;
                }
            }
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(r.sha256()) || size != r.size()) {
            throw changed(r, actual, size);
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO evidence.blobs (team, env, sha256, size, chunks) VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING""")) {
            ps.setString(1, r.team());
            ps.setString(2, r.env());
            ps.setString(3, r.sha256());
            ps.setLong(4, size);
            ps.setInt(5, seq);
            ps.executeUpdate();
        }
    }

    private static boolean blobExists(Connection c, String team, String env, String sha) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM evidence.blobs WHERE team = ? AND env = ? AND sha256 = ?")) {
            ps.setString(1, team);
            ps.setString(2, env);
            ps.setString(3, sha);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public Optional<SignedCapture> record(String id) throws IOException {
        try (Connection c = pool.getConnection()) {
            return record(c, id);
        } catch (SQLException e) {
            throw unreachable(e);
        }
    }

    private Optional<SignedCapture> record(Connection c, String id) throws SQLException, IOException {
        try (PreparedStatement ps = c.prepareStatement("SELECT record, signature FROM evidence.captures WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                try {
                    return Optional.of(new SignedCapture(CaptureRecord.fromJson(JSON.readTree(rs.getString(1))), rs.getString(2)));
                } catch (IllegalArgumentException e) {
                    throw new IOException("the record of " + id + " in " + where + " is malformed: " + e.getMessage(), e);
                }
            }
        }
    }

    @Override
    public Map<String, String> stats(String id) throws IOException {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT stats FROM evidence.captures WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                Map<String, String> out = new LinkedHashMap<>();
                if (rs.next()) {
                    JsonNode json = JSON.readTree(rs.getString(1));
                    json.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
                }
                return out;
            }
        } catch (SQLException e) {
            throw unreachable(e);
        }
    }

    @Override
    public InputStream content(String team, String env, String sha256) throws IOException {
        int chunks;
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT b.chunks, p.id, p.purged_by, p.purged_at, p.reason FROM evidence.blobs b
                     LEFT JOIN evidence.purges p USING (team, env, sha256)
                     WHERE b.team = ? AND b.env = ? AND b.sha256 = ?""")) {
            ps.setString(1, team);
            ps.setString(2, env);
            ps.setString(3, sha256);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new NoSuchFileException("no content " + team + "/" + env + "/" + sha256 + " in " + where);
                }
                if (rs.getString(2) != null) {
                    throw new PurgedException("the content " + team + "/" + env + "/" + sha256 + " in " + where,
                            new Purge(rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(), rs.getString(5)));
                }
                chunks = rs.getInt(1);
            }
        } catch (SQLException e) {
            throw unreachable(e);
        }
        return new ChunkStream(team, env, sha256, chunks);
    }

    @Override
    public List<String> ids() throws IOException {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id FROM evidence.captures ORDER BY id")) {
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw unreachable(e);
        }
    }

    /**
     * One transaction: expired, unheld records first, then the blobs (and their chunks) no record
     * points at, so a blob a newer capture of the same content still cites is never deleted. A
     * mount storing a capture of a blob at the moment it is deleted fails on the foreign key
     * (its read fails closed, or spools and retries) rather than citing missing content.
     */
    @Override
    public Swept expire(java.time.Instant cutoff, java.util.Set<String> held) throws IOException {
        requireNonNull(cutoff, "cutoff is null");
        requireNonNull(held, "held is null");
        return inTransaction(c -> {
            java.sql.Array heldIds = c.createArrayOf("text", held.toArray());
            int records;
            int kept;
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM evidence.captures WHERE captured_at < ? AND NOT (id = ANY (?))")) {
                ps.setTimestamp(1, Timestamp.from(cutoff));
                ps.setArray(2, heldIds);
                records = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*) FROM evidence.captures WHERE captured_at < ? AND id = ANY (?)")) {
                ps.setTimestamp(1, Timestamp.from(cutoff));
                ps.setArray(2, heldIds);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    kept = rs.getInt(1);
                }
            }
            // a purge mark goes with the last record of its content (the blob row it points at goes next)
            try (PreparedStatement ps = c.prepareStatement("""
                    DELETE FROM evidence.purges p WHERE NOT EXISTS (SELECT 1 FROM evidence.captures k
                      WHERE k.team = p.team AND k.env = p.env AND k.sha256 = p.sha256)""")) {
                ps.executeUpdate();
            }
            int blobs;
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH gone AS (
                      DELETE FROM evidence.blobs b WHERE NOT EXISTS (SELECT 1 FROM evidence.captures k
                        WHERE k.team = b.team AND k.env = b.env AND k.sha256 = b.sha256)
                      RETURNING team, env, sha256),
                    chunks AS (
                      DELETE FROM evidence.chunks ch USING gone g
                      WHERE ch.team = g.team AND ch.env = g.env AND ch.sha256 = g.sha256)
                    SELECT count(*) FROM gone""")) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    blobs = rs.getInt(1);
                }
            }
            return new Swept(records, blobs, kept);
        });
    }

    /**
     * One transaction: the purge row first (its primary key refuses a second purge of the same
     * content), then the chunks. The blob row and the signed records stay, so every citation of the
     * content reads as purged, with who and why, rather than as missing. Needs DELETE on the chunks:
     * the harness's login, never a mount's.
     */
    @Override
    public void purge(Purge purge) throws IOException {
        inTransaction(c -> {
            CaptureRecord r = record(c, purge.id()).orElseThrow(() -> new NoSuchFileException(
                    "no evidence " + purge.id() + " in " + where + "; check the id with afs evidence ls")).record();
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO evidence.purges (team, env, sha256, id, purged_by, purged_at, reason)
                    VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING""")) {
                ps.setString(1, r.team());
                ps.setString(2, r.env());
                ps.setString(3, r.sha256());
                ps.setString(4, purge.id());
                ps.setString(5, purge.by());
                ps.setTimestamp(6, Timestamp.from(purge.at()));
                ps.setString(7, purge.reason());
                if (ps.executeUpdate() == 0) {
                    throw new IOException("the content of " + purge.id() + " in " + where + " is already purged");
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM evidence.chunks WHERE team = ? AND env = ? AND sha256 = ?")) {
                ps.setString(1, r.team());
                ps.setString(2, r.env());
                ps.setString(3, r.sha256());
                ps.executeUpdate();
            }
            return null;
        });
    }

    private interface InTransaction<T> {
        T run(Connection c) throws SQLException, IOException;
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    private <T> T inTransaction(InTransaction<T> work) throws IOException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T out = work.run(c);
                c.commit();
                return out;
            } catch (SQLException | IOException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw unreachable(e);
        }
    }

    private IOException unreachable(SQLException e) {
        return new IOException("the evidence store " + where + " cannot be reached or refused the request ("
                + e.getMessage() + ")", e);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // the connection is gone; nothing was committed
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /** A blob read one chunk at a time, each chunk its own query, so a large blob never sits in memory whole. */
    private final class ChunkStream extends InputStream {
        private final String team;
        private final String env;
        private final String sha;
        private final int chunks;
        private int next;
        private byte[] current = new byte[0];
        private int pos;

        ChunkStream(String team, String env, String sha, int chunks) {
            this.team = team;
            this.env = env;
            this.sha = sha;
            this.chunks = chunks;
        }

        private boolean fill() throws IOException {
            while (pos >= current.length) {
                if (next >= chunks) {
                    return false;
                }
                try (Connection c = pool.getConnection();
                     PreparedStatement ps = c.prepareStatement(
                             "SELECT data FROM evidence.chunks WHERE team = ? AND env = ? AND sha256 = ? AND seq = ?")) {
                    ps.setString(1, team);
                    ps.setString(2, env);
                    ps.setString(3, sha);
                    ps.setInt(4, next);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new IOException("chunk " + next + " of " + team + "/" + env + "/" + sha + " is missing from " + where);
                        }
                        current = rs.getBytes(1);
                    }
                } catch (SQLException e) {
                    throw unreachable(e);
                }
                next++;
                pos = 0;
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            return fill() ? current[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
