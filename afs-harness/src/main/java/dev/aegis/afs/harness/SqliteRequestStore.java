package dev.aegis.afs.harness;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The embedded store ({@code data_dir/harness.db}): one connection, one transaction at a time.
 * One harness owns the file, so the ledger needs no lock beyond this object's and a request is
 * never claimed by anyone else.
 */
public final class SqliteRequestStore extends JdbcRequestStore {

    private static final String SCHEMA = """
            CREATE TABLE IF NOT EXISTS requests(
              id TEXT PRIMARY KEY, incident TEXT NOT NULL, team TEXT NOT NULL, env TEXT NOT NULL,
              submitter TEXT NOT NULL, submitter_person TEXT NOT NULL, state TEXT NOT NULL, mode TEXT NOT NULL, document TEXT NOT NULL,
              doc_sha TEXT NOT NULL, required_approvals INTEGER NOT NULL DEFAULT 0, reasons TEXT NOT NULL DEFAULT '[]',
              created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS requests_incident ON requests(incident, created_ms);
            CREATE TABLE IF NOT EXISTS plan_approvals(request_id TEXT NOT NULL, person TEXT NOT NULL,
              principal TEXT NOT NULL, plan_sha TEXT NOT NULL, at_ms INTEGER NOT NULL,
              PRIMARY KEY(request_id, person, plan_sha));
            CREATE TABLE IF NOT EXISTS actions(request_id TEXT NOT NULL, idx INTEGER NOT NULL,
              idempotency_key TEXT NOT NULL UNIQUE, tool TEXT NOT NULL, target TEXT NOT NULL, status TEXT NOT NULL,
              before_state TEXT, marker TEXT, outcome TEXT, PRIMARY KEY(request_id, idx));
            CREATE TABLE IF NOT EXISTS gate_reports(request_id TEXT PRIMARY KEY, report TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS feedback(incident TEXT NOT NULL, step TEXT NOT NULL,
              verdict TEXT NOT NULL CHECK (verdict IN ('useful', 'useless', 'dangerous')), principal TEXT NOT NULL,
              person TEXT NOT NULL, team TEXT NOT NULL, env TEXT NOT NULL, at_ms INTEGER NOT NULL,
              PRIMARY KEY(incident, step, principal, at_ms));
            CREATE INDEX IF NOT EXISTS feedback_incident ON feedback(incident, at_ms);
            CREATE TABLE IF NOT EXISTS risk_reports(request_id TEXT PRIMARY KEY, report TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS ledger(seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, line TEXT NOT NULL,
              team TEXT NOT NULL DEFAULT '', env TEXT NOT NULL DEFAULT '');
            CREATE TABLE IF NOT EXISTS intents(jti TEXT PRIMARY KEY, request_id TEXT NOT NULL, idx INTEGER NOT NULL,
              cluster TEXT NOT NULL, sha256 TEXT NOT NULL, key_id TEXT NOT NULL, iat_ms INTEGER NOT NULL, exp_ms INTEGER NOT NULL,
              result TEXT, outcome TEXT, reason TEXT);
            CREATE INDEX IF NOT EXISTS intents_action ON intents(request_id, idx);
            CREATE TABLE IF NOT EXISTS incidents(id TEXT PRIMARY KEY, state TEXT NOT NULL, severity TEXT NOT NULL,
              team TEXT NOT NULL, env TEXT NOT NULL, title TEXT NOT NULL, source TEXT NOT NULL, source_key TEXT,
              context TEXT NOT NULL, escalation TEXT, opened_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS incidents_source ON incidents(source, source_key);
            CREATE TABLE IF NOT EXISTS incident_usage(incident TEXT NOT NULL, kind TEXT NOT NULL, amount INTEGER NOT NULL,
              PRIMARY KEY(incident, kind));
            CREATE TABLE IF NOT EXISTS incident_repeats(incident TEXT NOT NULL, fingerprint TEXT NOT NULL,
              seen INTEGER NOT NULL, last_ms INTEGER NOT NULL, PRIMARY KEY(incident, fingerprint));
            CREATE TABLE IF NOT EXISTS notifications(id TEXT PRIMARY KEY, incident TEXT NOT NULL, event TEXT NOT NULL,
              channel TEXT NOT NULL, attempt INTEGER NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL, at_ms INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS notifications_incident ON notifications(incident, at_ms);
            """;

    private final Connection db;

    public SqliteRequestStore(Path file, Ledger ledger, Clock clock) throws SQLException {
        super(ledger, clock);
        this.db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement s = db.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA busy_timeout=5000");
            for (String sql : SCHEMA.split(";")) {
                if (!sql.isBlank()) {
                    s.execute(sql);
                }
            }
            addMissingColumns(s);
        }
        db.setAutoCommit(false);
        db.commit();
    }

    /** Columns added after the first release: a data_dir of an older harness gets them at start. */
    private static final Map<String, String> ADDED_ACTION_COLUMNS = new LinkedHashMap<>();

    static {
        ADDED_ACTION_COLUMNS.put("cluster", "TEXT");
        ADDED_ACTION_COLUMNS.put("queued_ms", "INTEGER");
        ADDED_ACTION_COLUMNS.put("lease_expires_ms", "INTEGER");
        ADDED_ACTION_COLUMNS.put("claimed_by", "TEXT");
        ADDED_ACTION_COLUMNS.put("claimed_until_ms", "INTEGER");
    }

    private static void addMissingColumns(Statement s) throws SQLException {
        Set<String> have = new HashSet<>();
        try (ResultSet rs = s.executeQuery("PRAGMA table_info(actions)")) {
            while (rs.next()) {
                have.add(rs.getString("name"));
            }
        }
        for (Map.Entry<String, String> c : ADDED_ACTION_COLUMNS.entrySet()) {
            if (!have.contains(c.getKey())) {
                s.execute("ALTER TABLE actions ADD COLUMN " + c.getKey() + " " + c.getValue());
            }
        }
        s.execute("CREATE INDEX IF NOT EXISTS actions_queue ON actions(cluster, status, queued_ms)");
    }

    /** Nested calls (a gate reading the store inside a lease) join the open transaction. */
    private int depth;

    @Override
    synchronized <T> T transaction(Sql<T> sql) throws SQLException {
        if (depth > 0) {
            return sql.run(db);
        }
        depth++;
        try {
            T result = sql.run(db);
            db.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            depth--;
        }
    }

    @Override
    void lockLedger(Connection c) {
        // one connection, one transaction at a time: the head cannot move under us
    }

    @Override
    String claimSql() {
        return claimSql(""); // one writer: nothing to skip
    }

    @Override
    public boolean claim(String id, String runner, long untilMillis) {
        return true;
    }

    @Override
    public void release(String id, String runner) {
        // nothing was claimed
    }

    @Override
    public List<String> stalled(long now, long quietSinceMillis) {
        return List.of(); // the only harness on this file resumes its own requests at start
    }

    @Override
    public synchronized void close() throws SQLException {
        db.close();
    }
}
