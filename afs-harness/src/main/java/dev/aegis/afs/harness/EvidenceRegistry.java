package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.PinnedKeys;
import dev.aegis.afs.evidence.SignedCapture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * The captures the harness has seen registered, each with the harness's own receipt time
 * ({@code data_dir/evidence.db}, 0600). A snapshot is citable only once registered, and only
 * as registered: a record re-signed later, even with the real key, does not match and is
 * refused. Evidence age is measured from the receipt time, never from the claimed captured_at.
 */
public final class EvidenceRegistry implements AutoCloseable {

    /** A registration the harness refused, with the reason. */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /** A registered capture and when the harness received it. */
    public record Registered(SignedCapture capture, Instant receivedAt) {
        public CaptureRecord record() {
            return capture.record();
        }
    }

    private final Connection db;
    private final PinnedKeys keys;
    private final Clock clock;

    public EvidenceRegistry(Path file, PinnedKeys keys, Clock clock) throws IOException {
        this.keys = requireNonNull(keys, "keys is null");
        this.clock = requireNonNull(clock, "clock is null");
        try {
            // created 0600 before SQLite opens it; its journal takes the same mode
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            dev.aegis.afs.evidence.Keys.requirePrivate(file);
        }
        try {
            this.db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS evidence (
                          id TEXT PRIMARY KEY, team TEXT NOT NULL, env TEXT NOT NULL, sha256 TEXT NOT NULL,
                          key_id TEXT NOT NULL, record TEXT NOT NULL, signature TEXT NOT NULL, received_ms INTEGER NOT NULL)""");
            }
        } catch (SQLException e) {
            throw new IOException("cannot open the evidence registry " + file + ": " + e.getMessage()
                    + "; check data_dir is writable", e);
        }
    }

    public PinnedKeys keys() {
        return keys;
    }

    /**
     * Registers a capture: its signature must verify under a pinned key valid now, and an id
     * registered before must come with the very same record and signature (then this is a
     * repeat and the first receipt time stands).
     *
     * @throws Refused naming why
     */
    public synchronized Registered register(SignedCapture capture) throws Refused, SQLException {
        Instant now = clock.instant();
        Optional<String> bad = keys.problem(capture, now);
        if (bad.isPresent()) {
            throw new Refused("capture " + capture.record().id() + " refused: " + bad.get());
        }
        Optional<Registered> earlier = find(capture.record().id());
        if (earlier.isPresent()) {
            if (same(earlier.get().capture(), capture)) {
                return earlier.get();
            }
            throw new Refused("capture " + capture.record().id() + " refused: a different record was registered under this id at "
                    + earlier.get().receivedAt() + "; a snapshot is registered once, so a re-signed or rewritten record is not accepted");
        }
        CaptureRecord r = capture.record();
        try (PreparedStatement ps = db.prepareStatement(
                "INSERT INTO evidence (id, team, env, sha256, key_id, record, signature, received_ms) VALUES (?,?,?,?,?,?,?,?)")) {
            ps.setString(1, r.id());
            ps.setString(2, r.team());
            ps.setString(3, r.env());
            ps.setString(4, r.sha256());
            ps.setString(5, r.keyId());
            ps.setString(6, new String(r.canonical(), StandardCharsets.UTF_8));
            ps.setString(7, capture.signature());
            ps.setLong(8, now.toEpochMilli());
            ps.executeUpdate();
        }
        notifyAll();
        return new Registered(capture, now);
    }

    private static boolean same(SignedCapture a, SignedCapture b) {
        return Arrays.equals(a.record().canonical(), b.record().canonical()) && a.signature().equals(b.signature());
    }

    public synchronized Optional<Registered> find(String id) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT record, signature, received_ms FROM evidence WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                SignedCapture c = new SignedCapture(CaptureRecord.fromJson(Ledger.JSON.readTree(rs.getString(1))), rs.getString(2));
                return Optional.of(new Registered(c, Instant.ofEpochMilli(rs.getLong(3))));
            } catch (IOException e) {
                throw new SQLException("the registered record of " + id + " is not JSON: " + e.getMessage(), e);
            }
        }
    }

    /**
     * As {@link #find(String)}, waiting up to {@code grace} for a registration on its way: the
     * mount registers asynchronously, so a plan written right after a read may arrive first.
     */
    public synchronized Optional<Registered> find(String id, Duration grace) throws SQLException {
        long deadline = System.nanoTime() + grace.toNanos();
        Optional<Registered> found = find(id);
        while (found.isEmpty() && System.nanoTime() < deadline) {
            try {
                wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
            found = find(id);
        }
        return found;
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            // closing on the way out
        }
    }
}
