package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.evidence.CaptureRecord;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where {@link EvidenceRegistry} keeps the captures it accepted: {@code data_dir/evidence.db}
 * (SQLite, 0600) or the {@code evidence} table of the shared PostgreSQL database, so a capture
 * registered with one replica is citable through every other.
 */
public interface CaptureTable extends AutoCloseable {

    /** A registered capture as stored: its canonical record, signature and receipt time. */
    record Row(String record, String signature, long receivedMillis) {
    }

    Optional<Row> find(String id) throws SQLException;

    /** The captures read under {@code incident}, in the order the harness received them. */
    List<Row> forIncident(String incident) throws SQLException;

    /** Every incident captures were read under, with the team/env read: {@code [incident, team, env]}. */
    List<List<String>> incidentEnvs() throws SQLException;

    /** Inserts the capture; false when its id is taken already (the caller compares). */
    boolean insert(CaptureRecord r, String signature, long receivedMillis) throws SQLException;

    @Override
    void close();

    String INSERT = "INSERT INTO evidence (id, team, env, sha256, key_id, record, signature, received_ms, incident) "
            + "VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING";
    String FIND = "SELECT record, signature, received_ms FROM evidence WHERE id = ?";
    String FOR_INCIDENT = "SELECT record, signature, received_ms FROM evidence WHERE incident = ? ORDER BY received_ms, id";

    /** The embedded table in {@code file}, created 0600. */
    static CaptureTable sqlite(Path file) throws IOException {
        try {
            // created 0600 before SQLite opens it; its journal takes the same mode
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            dev.aegis.afs.evidence.Keys.requirePrivate(file);
        }
        try {
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS evidence (
                          id TEXT PRIMARY KEY, team TEXT NOT NULL, env TEXT NOT NULL, sha256 TEXT NOT NULL,
                          key_id TEXT NOT NULL, record TEXT NOT NULL, signature TEXT NOT NULL, received_ms INTEGER NOT NULL,
                          incident TEXT)""");
                addIncidentColumn(s);
            }
            return new Jdbc(() -> db, c -> { }, db);
        } catch (SQLException e) {
            throw new IOException("cannot open the evidence registry " + file + ": " + e.getMessage()
                    + "; check data_dir is writable", e);
        }
    }

    /** An evidence.db of a harness from before the incident tag gets the column at start (NULL: no incident). */
    private static void addIncidentColumn(Statement s) throws SQLException {
        boolean have = false;
        try (ResultSet rs = s.executeQuery("PRAGMA table_info(evidence)")) {
            while (rs.next()) {
                have |= rs.getString("name").equals("incident");
            }
        }
        if (!have) {
            s.execute("ALTER TABLE evidence ADD COLUMN incident TEXT");
        }
        s.execute("CREATE INDEX IF NOT EXISTS evidence_incident ON evidence(incident, received_ms)");
    }

    /** The {@code evidence} table of the shared database (created by its migrations). */
    static CaptureTable postgres(PostgresDatabase db) {
        requireNonNull(db, "db is null");
        return new Jdbc(db::connection, c -> {
            c.commit();
            c.close();
        }, db);
    }

    /** The same SQL on either database; {@code done} commits and returns a pooled connection. */
    final class Jdbc implements CaptureTable {
        interface Open {
            Connection get() throws SQLException;
        }

        interface Done {
            void accept(Connection c) throws SQLException;
        }

        private final Open open;
        private final Done done;
        private final AutoCloseable owned;

        Jdbc(Open open, Done done, AutoCloseable owned) {
            this.open = open;
            this.done = done;
            this.owned = owned;
        }

        @Override
        public Optional<Row> find(String id) throws SQLException {
            Connection c = open.get();
            try (PreparedStatement ps = c.prepareStatement(FIND)) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Row(rs.getString(1), rs.getString(2), rs.getLong(3))) : Optional.empty();
                }
            } finally {
                done.accept(c);
            }
        }

        @Override
        public List<Row> forIncident(String incident) throws SQLException {
            Connection c = open.get();
            try (PreparedStatement ps = c.prepareStatement(FOR_INCIDENT)) {
                ps.setString(1, incident);
                List<Row> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Row(rs.getString(1), rs.getString(2), rs.getLong(3)));
                    }
                }
                return out;
            } finally {
                done.accept(c);
            }
        }

        @Override
        public List<List<String>> incidentEnvs() throws SQLException {
            Connection c = open.get();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT incident, team, env FROM evidence "
                    + "WHERE incident IS NOT NULL ORDER BY incident, team, env");
                 ResultSet rs = ps.executeQuery()) {
                List<List<String>> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(List.of(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
                return out;
            } finally {
                done.accept(c);
            }
        }

        @Override
        public boolean insert(CaptureRecord r, String signature, long receivedMillis) throws SQLException {
            Connection c = open.get();
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                ps.setString(1, r.id());
                ps.setString(2, r.team());
                ps.setString(3, r.env());
                ps.setString(4, r.sha256());
                ps.setString(5, r.keyId());
                ps.setString(6, new String(r.canonical(), StandardCharsets.UTF_8));
                ps.setString(7, signature);
                ps.setLong(8, receivedMillis);
                ps.setString(9, r.incident().orElse(null));
                return ps.executeUpdate() == 1;
            } finally {
                done.accept(c);
            }
        }

        @Override
        public void close() {
            try {
                owned.close();
            } catch (Exception e) {
                // closing on the way out
            }
        }
    }
}
