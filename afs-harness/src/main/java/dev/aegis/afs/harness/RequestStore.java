package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.harness.StoredRequest.StoredAction;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Request state in embedded SQLite. Every change happens in one transaction together with
 * the ledger entry that records it, so after {@code kill -9} the database and the ledger agree
 * and nothing committed is lost.
 */
public final class RequestStore implements AutoCloseable {

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
            CREATE TABLE IF NOT EXISTS ledger(seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, line TEXT NOT NULL,
              team TEXT NOT NULL DEFAULT '', env TEXT NOT NULL DEFAULT '');
            CREATE TABLE IF NOT EXISTS intents(jti TEXT PRIMARY KEY, request_id TEXT NOT NULL, idx INTEGER NOT NULL,
              cluster TEXT NOT NULL, sha256 TEXT NOT NULL, key_id TEXT NOT NULL, iat_ms INTEGER NOT NULL, exp_ms INTEGER NOT NULL,
              result TEXT, outcome TEXT, reason TEXT);
            CREATE INDEX IF NOT EXISTS intents_action ON intents(request_id, idx);
            """;

    private final Connection db;
    private final Ledger ledger;
    private final Clock clock;

    public RequestStore(Path file, Ledger ledger, Clock clock) throws SQLException {
        this.ledger = requireNonNull(ledger, "ledger is null");
        this.clock = requireNonNull(clock, "clock is null");
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
        }
        db.setAutoCommit(false);
        db.commit();
    }

    /** Work done inside one transaction; may add ledger entries. */
    public interface Work<T> {
        T run(Tx tx) throws SQLException;
    }

    /** The open transaction: SQL plus ledger entries sealed into it. */
    public final class Tx {
        final List<Ledger.Sealed> sealed = new ArrayList<>();

        public Connection connection() {
            return db;
        }

        /** Seals a ledger entry into this transaction. */
        public void record(String requestId, String event, String actor, ObjectNode detail) throws SQLException {
            String team = "";
            String env = "";
            try (PreparedStatement ps = db.prepareStatement("SELECT team, env FROM requests WHERE id = ?")) {
                ps.setString(1, requestId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        team = rs.getString(1);
                        env = rs.getString(2);
                    }
                }
            }
            recordFor(requestId, team, env, event, actor, detail);
        }

        /**
         * Seals an entry that names its team/env itself (a refused submission has no request
         * row). Every entry carries its team/env, so a tenant's view can show other envs'
         * entries as their hashes only.
         */
        public void recordFor(String requestId, String team, String env, String event, String actor, ObjectNode detail)
                throws SQLException {
            long seq;
            String prev;
            try (Statement s = db.createStatement();
                 ResultSet rs = s.executeQuery("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")) {
                if (rs.next()) {
                    seq = rs.getLong(1) + 1;
                    prev = rs.getString(2);
                } else {
                    seq = 1;
                    prev = Ledger.GENESIS;
                }
            }
            ObjectNode body = Ledger.JSON.createObjectNode();
            body.put("at", clock.instant().toString());
            body.put("request", requestId);
            body.put("team", team);
            body.put("env", env);
            body.put("event", event);
            body.put("actor", actor);
            body.set("detail", detail);
            Ledger.Sealed e = ledger.seal(seq, prev, body);
            try (PreparedStatement ps = db.prepareStatement("INSERT INTO ledger(seq, hash, line, team, env) VALUES (?, ?, ?, ?, ?)")) {
                ps.setLong(1, e.seq());
                ps.setString(2, e.hash());
                ps.setString(3, e.line());
                ps.setString(4, team);
                ps.setString(5, env);
                ps.executeUpdate();
            }
            sealed.add(e);
        }

        /** Moves {@code id} from {@code from} to {@code to} (checked against the table) and records it. */
        public void transition(String id, State from, State to, String actor, ObjectNode detail) throws SQLException {
            transition(id, from, Optional.empty(), to, actor, detail);
        }

        /**
         * As {@link #transition(String, State, State, String, ObjectNode)}, and only while the plan
         * is still the one with {@code planSha} (a conditional UPDATE): a plan amended between a
         * check and the move makes the move fail instead of running an unchecked plan.
         */
        public void transition(String id, State from, Optional<String> planSha, State to, String actor, ObjectNode detail)
                throws SQLException {
            from.requireMoveTo(to);
            try (PreparedStatement ps = db.prepareStatement(
                    "UPDATE requests SET state = ?, updated_ms = ? WHERE id = ? AND state = ? AND doc_sha = COALESCE(?, doc_sha)")) {
                ps.setString(1, to.name());
                ps.setLong(2, clock.millis());
                ps.setString(3, id);
                ps.setString(4, from.name());
                ps.setString(5, planSha.orElse(null));
                if (ps.executeUpdate() != 1) {
                    throw new ConcurrentChange(id, from);
                }
            }
            ObjectNode d = Ledger.JSON.createObjectNode();
            d.put("from", from.name());
            d.put("to", to.name());
            if (detail != null) {
                d.setAll(detail);
            }
            record(id, "transition", actor, d);
        }

        public void update(String sql, Object... args) throws SQLException {
            try (PreparedStatement ps = db.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                ps.executeUpdate();
            }
        }
    }

    /** The request was not in the expected state: someone else moved it first. */
    public static final class ConcurrentChange extends SQLException {
        ConcurrentChange(String id, State expected) {
            super("request " + id + " is no longer " + expected);
        }
    }

    /** Runs {@code work} in one transaction, then appends its ledger entries to the file. */
    public synchronized <T> T inTransaction(Work<T> work) throws SQLException {
        Tx tx = new Tx();
        T result;
        try {
            result = work.run(tx);
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        }
        flushLedger();
        return result;
    }

    /** Appends ledger rows the file does not hold yet (after a crash between commit and append). */
    public synchronized void flushLedger() throws SQLException {
        List<Ledger.Sealed> missing = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT seq, hash, line FROM ledger WHERE seq > ? ORDER BY seq")) {
            ps.setLong(1, ledger.count());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    missing.add(new Ledger.Sealed(rs.getLong(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        db.commit();
        try {
            ledger.append(missing);
        } catch (java.io.IOException e) {
            throw new SQLException("cannot append to the ledger " + ledger.file() + ": " + e.getMessage()
                    + "; the entries are kept in the database and appended on the next start", e);
        }
    }

    /** Ledger head (count, hash) as the database knows it. */
    public synchronized Optional<Ledger.Sealed> ledgerHead() throws SQLException {
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT seq, hash, line FROM ledger ORDER BY seq DESC LIMIT 1")) {
            Optional<Ledger.Sealed> out = rs.next()
                    ? Optional.of(new Ledger.Sealed(rs.getLong(1), rs.getString(2), rs.getString(3))) : Optional.empty();
            db.commit();
            return out;
        }
    }

    /** Ledger lines from {@code fromSeq} (1-based), at most {@code limit}. */
    public synchronized List<String> ledgerLines(long fromSeq, int limit) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT line FROM ledger WHERE seq >= ? ORDER BY seq LIMIT ?")) {
            ps.setLong(1, fromSeq);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        db.commit();
        return out;
    }

    /** One ledger row: its line, hash and the team/env it belongs to (empty for harness-wide entries). */
    public record LedgerRow(long seq, String hash, String line, String team, String env) {
    }

    /** Ledger rows from {@code fromSeq} (1-based), at most {@code limit}. */
    public synchronized List<LedgerRow> ledgerRows(long fromSeq, int limit) throws SQLException {
        List<LedgerRow> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT seq, hash, line, team, env FROM ledger WHERE seq >= ? ORDER BY seq LIMIT ?")) {
            ps.setLong(1, fromSeq);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new LedgerRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                }
            }
        }
        db.commit();
        return out;
    }

    public synchronized Optional<StoredRequest> get(String id) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT * FROM requests WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                Optional<StoredRequest> out = rs.next() ? Optional.of(row(rs)) : Optional.empty();
                db.commit();
                return out;
            }
        }
    }

    /** Newest first. */
    public synchronized List<StoredRequest> list(int limit) throws SQLException {
        return query("SELECT * FROM requests ORDER BY created_ms DESC, id DESC LIMIT ?", limit);
    }

    /** Requests something still has to happen to, oldest first (resumed at start). */
    public synchronized List<StoredRequest> unfinished() throws SQLException {
        return query("SELECT * FROM requests WHERE state IN ('SUBMITTED','VALIDATING','APPROVED','EXECUTING',"
                + "'VERIFYING','FAILED') ORDER BY created_ms, id");
    }

    /**
     * An intent leased to a cluster's agent (execution: agents): which action it carries, the
     * sha256 of its compact JWS, its validity, and the agent's signed result once it came.
     */
    public record LeasedIntent(String jti, String requestId, int index, String cluster, String sha256, String keyId,
                               long issuedMillis, long expiresMillis, Optional<String> result, Optional<String> outcome,
                               Optional<String> reason) {
    }

    public synchronized Optional<LeasedIntent> intent(String jti) throws SQLException {
        List<LeasedIntent> l = intents("SELECT * FROM intents WHERE jti = ?", jti);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    /** The intents of one request, in the order they were leased. */
    public synchronized List<LeasedIntent> intentsOf(String requestId) throws SQLException {
        return intents("SELECT * FROM intents WHERE request_id = ? ORDER BY iat_ms, rowid", requestId);
    }

    /** Requests in EXECUTING, oldest first: the ones whose actions may be leased to agents. */
    public synchronized List<StoredRequest> executing() throws SQLException {
        return query("SELECT * FROM requests WHERE state = 'EXECUTING' ORDER BY created_ms, id");
    }

    private List<LeasedIntent> intents(String sql, Object arg) throws SQLException {
        List<LeasedIntent> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            ps.setObject(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new LeasedIntent(rs.getString("jti"), rs.getString("request_id"), rs.getInt("idx"),
                            rs.getString("cluster"), rs.getString("sha256"), rs.getString("key_id"), rs.getLong("iat_ms"),
                            rs.getLong("exp_ms"), Optional.ofNullable(rs.getString("result")),
                            Optional.ofNullable(rs.getString("outcome")), Optional.ofNullable(rs.getString("reason"))));
                }
            }
        }
        db.commit();
        return out;
    }

    /** The request that already holds an idempotency key, if any. */
    public synchronized Optional<String> requestWithKey(String key) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT request_id FROM actions WHERE idempotency_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                Optional<String> out = rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                db.commit();
                return out;
            }
        }
    }

    /** Actions of this incident's live or finished requests created since {@code sinceMillis}. */
    public synchronized int actionsForIncident(String incident, long sinceMillis, String excludeId) throws SQLException {
        return count("SELECT COUNT(*) FROM actions a JOIN requests r ON r.id = a.request_id WHERE r.incident = ? "
                + "AND r.created_ms >= ? AND r.id <> ? AND r.state NOT IN ('REJECTED','CANCELLED')", incident, sinceMillis, excludeId);
    }

    /** Earlier actions with the same tool on the same target since {@code sinceMillis}. */
    public synchronized int sameActionCount(String tool, String target, long sinceMillis, String excludeId) throws SQLException {
        return count("SELECT COUNT(*) FROM actions a JOIN requests r ON r.id = a.request_id WHERE a.tool = ? AND a.target = ? "
                + "AND r.created_ms >= ? AND r.id <> ? AND r.state NOT IN ('REJECTED','CANCELLED')", tool, target, sinceMillis, excludeId);
    }

    private int count(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int n = rs.getInt(1);
                db.commit();
                return n;
            }
        }
    }

    private List<StoredRequest> query(String sql, Object... args) throws SQLException {
        List<StoredRequest> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
        }
        db.commit();
        return out;
    }

    private StoredRequest row(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        List<String> reasons = new ArrayList<>();
        try {
            Ledger.JSON.readTree(rs.getString("reasons")).forEach(n -> reasons.add(n.asText()));
        } catch (JsonProcessingException e) {
            reasons.add("(unreadable reasons)");
        }
        List<StoredRequest.Approval> approvals = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT person, principal, plan_sha, at_ms FROM plan_approvals "
                + "WHERE request_id = ? ORDER BY at_ms, person")) {
            ps.setString(1, id);
            try (ResultSet a = ps.executeQuery()) {
                while (a.next()) {
                    approvals.add(new StoredRequest.Approval(a.getString(1), a.getString(2), a.getString(3), a.getLong(4)));
                }
            }
        }
        List<StoredAction> actions = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT * FROM actions WHERE request_id = ? ORDER BY idx")) {
            ps.setString(1, id);
            try (ResultSet a = ps.executeQuery()) {
                while (a.next()) {
                    actions.add(new StoredAction(a.getInt("idx"), a.getString("idempotency_key"), a.getString("tool"),
                            a.getString("target"), a.getString("status"), Optional.ofNullable(a.getString("before_state")),
                            Optional.ofNullable(a.getString("marker")), Optional.ofNullable(a.getString("outcome"))));
                }
            }
        }
        return new StoredRequest(id, rs.getString("incident"), rs.getString("team"), rs.getString("env"),
                rs.getString("submitter"), rs.getString("submitter_person"), State.valueOf(rs.getString("state")), ChangePolicy.Mode.valueOf(rs.getString("mode")),
                rs.getString("document"), rs.getString("doc_sha"), rs.getInt("required_approvals"), reasons,
                rs.getLong("created_ms"), rs.getLong("updated_ms"), approvals, actions);
    }

    static String json(List<String> reasons) {
        ArrayNode a = Ledger.JSON.createArrayNode();
        reasons.forEach(a::add);
        return a.toString();
    }

    static ObjectNode detail(Object... kv) {
        ObjectNode n = Ledger.JSON.createObjectNode();
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        m.forEach((k, v) -> n.set(k, Ledger.JSON.valueToTree(v)));
        return n;
    }

    public long now() {
        return clock.millis();
    }

    @Override
    public synchronized void close() throws SQLException {
        db.close();
    }
}
