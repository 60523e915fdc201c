package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.harness.StoredRequest.StoredAction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The SQL both stores share. A subclass says how a transaction gets its connection (one
 * connection under a lock for SQLite, a pool for PostgreSQL) and how the ledger append is
 * kept to one writer at a time.
 */
abstract class JdbcRequestStore implements RequestStore {

    /** Statements inside one transaction on one connection. */
    interface Sql<T> {
        T run(Connection c) throws SQLException;
    }

    private final Ledger ledger;
    private final Clock clock;

    JdbcRequestStore(Ledger ledger, Clock clock) {
        this.ledger = requireNonNull(ledger, "ledger is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Runs {@code sql} in one transaction: committed when it returns, rolled back when it throws. */
    abstract <T> T transaction(Sql<T> sql) throws SQLException;

    /** A transaction that may append to the ledger; PostgreSQL takes the ledger lock first. */
    <T> T writeTransaction(Sql<T> sql) throws SQLException {
        return transaction(sql);
    }

    /**
     * Called in a transaction before it reads the ledger head to append: afterwards no other
     * transaction, in this process or another replica, appends until this one ends.
     */
    abstract void lockLedger(Connection c) throws SQLException;

    private volatile TransitionListener listener = TransitionListener.NONE;

    @Override
    public void onTransition(TransitionListener l) {
        this.listener = requireNonNull(l, "listener is null");
    }

    @Override
    public <T> T read(Work<T> work) throws SQLException {
        JdbcTx[] holder = new JdbcTx[1];
        T result = transaction(c -> {
            holder[0] = new JdbcTx(c, false, true);
            return work.run(holder[0]);
        });
        holder[0].committed();
        return result;
    }

    final class JdbcTx implements Tx {
        private final Connection db;
        private boolean ledgerLocked;
        private final boolean readOnly;
        private final List<Runnable> afterCommit = new ArrayList<>();

        JdbcTx(Connection db, boolean ledgerLocked) {
            this(db, ledgerLocked, false);
        }

        JdbcTx(Connection db, boolean ledgerLocked, boolean readOnly) {
            this.db = db;
            this.ledgerLocked = ledgerLocked;
            this.readOnly = readOnly;
        }

        @Override
        public void afterCommit(Runnable task) {
            afterCommit.add(requireNonNull(task, "task is null"));
        }

        void committed() {
            for (Runnable r : afterCommit) {
                r.run();
            }
        }

        @Override
        public Connection connection() {
            return db;
        }

        @Override
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

        @Override
        public void recordFor(String requestId, String team, String env, String event, String actor, ObjectNode detail)
                throws SQLException {
            if (readOnly) {
                throw new IllegalStateException("a read-only transaction cannot record ledger entries");
            }
            if (!ledgerLocked) {
                lockLedger(db);
                ledgerLocked = true;
            }
            long seq;
            String prev;
            // read inside the lock: the head cannot move until this transaction ends
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
        }

        @Override
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
            listener.moved(this, id, from, to, actor);
        }

        @Override
        public void queueAction(String requestId, int index, String cluster) throws SQLException {
            update("UPDATE actions SET status = 'QUEUED', cluster = ?, queued_ms = ? WHERE request_id = ? AND idx = ? "
                    + "AND status = 'PLANNED'", cluster, clock.millis(), requestId, index);
        }

        @Override
        public boolean leaseAction(String requestId, int index, String claimant, long expiresMillis) throws SQLException {
            try (PreparedStatement ps = db.prepareStatement("UPDATE actions SET status = CASE WHEN status LIKE 'ROLLBACK_%' "
                    + "THEN 'ROLLBACK_LEASED' ELSE 'LEASED' END, lease_expires_ms = ?, claimed_by = NULL, claimed_until_ms = NULL "
                    + "WHERE request_id = ? AND idx = ? AND claimed_by = ? AND claimed_until_ms >= ? "
                    + "AND status IN ('QUEUED', 'LEASED', 'ROLLBACK_QUEUED', 'ROLLBACK_LEASED')")) {
                bind(ps, expiresMillis, requestId, index, claimant, clock.millis());
                return ps.executeUpdate() == 1;
            }
        }

        @Override
        public void saveGates(String id, GateReport report) throws SQLException {
            // ON CONFLICT ... DO UPDATE: the one upsert SQLite and PostgreSQL both speak
            update("INSERT INTO gate_reports(request_id, report) VALUES (?, ?) ON CONFLICT (request_id) "
                    + "DO UPDATE SET report = excluded.report", id, report.json().toString());
        }

        @Override
        public void saveRisk(String id, String yaml) throws SQLException {
            update("INSERT INTO risk_reports(request_id, report) VALUES (?, ?) ON CONFLICT (request_id) "
                    + "DO UPDATE SET report = excluded.report", id, yaml);
        }

        @Override
        public void update(String sql, Object... args) throws SQLException {
            try (PreparedStatement ps = db.prepareStatement(sql)) {
                bind(ps, args);
                ps.executeUpdate();
            }
        }
    }

    @Override
    public <T> T inTransaction(Work<T> work) throws SQLException {
        JdbcTx[] holder = new JdbcTx[1];
        T result = writeTransaction(c -> {
            holder[0] = new JdbcTx(c, true); // a retried transaction starts with nothing to run after it
            return work.run(holder[0]);
        });
        flushLedger();
        holder[0].committed();
        return result;
    }

    @Override
    public void flushLedger() throws SQLException {
        // one flush at a time: the file is appended in order and only what it lacks
        synchronized (ledger) {
            long count = ledger.count();
            List<Ledger.Sealed> missing = transaction(c -> {
                List<Ledger.Sealed> out = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash, line FROM ledger WHERE seq > ? ORDER BY seq")) {
                    ps.setLong(1, count);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(new Ledger.Sealed(rs.getLong(1), rs.getString(2), rs.getString(3)));
                        }
                    }
                }
                return out;
            });
            try {
                ledger.append(missing);
            } catch (java.io.IOException e) {
                throw new SQLException("cannot append to the ledger " + ledger.file() + ": " + e.getMessage()
                        + "; the entries are kept in the database and appended on the next start", e);
            }
        }
    }

    @Override
    public Optional<Ledger.Sealed> ledgerHead() throws SQLException {
        return transaction(c -> {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT seq, hash, line FROM ledger ORDER BY seq DESC LIMIT 1")) {
                return rs.next() ? Optional.of(new Ledger.Sealed(rs.getLong(1), rs.getString(2), rs.getString(3))) : Optional.empty();
            }
        });
    }

    @Override
    public List<String> ledgerLines(long fromSeq, int limit) throws SQLException {
        return ledgerRows(fromSeq, limit).stream().map(LedgerRow::line).toList();
    }

    @Override
    public List<LedgerRow> ledgerRows(long fromSeq, int limit) throws SQLException {
        return transaction(c -> {
            List<LedgerRow> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash, line, team, env FROM ledger WHERE seq >= ? ORDER BY seq LIMIT ?")) {
                ps.setLong(1, fromSeq);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new LedgerRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public List<String> ledgerOf(String requestId) throws SQLException {
        // entries are JCS JSON: "request":"<id>" appears once, outside any string (quotes inside are escaped)
        String pattern = "%\"request\":\"" + requestId.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "\"%";
        return transaction(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT line FROM ledger WHERE line LIKE ? ESCAPE '!' ORDER BY seq")) {
                ps.setString(1, pattern);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public List<StoredRequest> ofIncident(String incident) throws SQLException {
        return query("SELECT * FROM requests WHERE incident = ? ORDER BY created_ms, id", incident);
    }

    @Override
    public List<Feedback> feedback(String incident) throws SQLException {
        return transaction(c -> {
            List<Feedback> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT incident, step, verdict, principal, person, team, env, at_ms "
                    + "FROM feedback WHERE incident = ? ORDER BY at_ms, step, principal")) {
                ps.setString(1, incident);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Feedback(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getString(6), rs.getString(7), rs.getLong(8)));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public List<List<String>> incidentEnvs() throws SQLException {
        return transaction(c -> {
            List<List<String>> out = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT DISTINCT incident, team, env FROM requests ORDER BY incident, team, env")) {
                while (rs.next()) {
                    out.add(List.of(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            return out;
        });
    }

    @Override
    public java.util.Map<State, Long> countByState() throws SQLException {
        return transaction(c -> {
            java.util.Map<State, Long> out = new java.util.EnumMap<>(State.class);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT state, COUNT(*) FROM requests GROUP BY state")) {
                while (rs.next()) {
                    out.put(State.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
            return out;
        });
    }

    @Override
    public Optional<StoredRequest> get(String id) throws SQLException {
        List<StoredRequest> found = query("SELECT * FROM requests WHERE id = ?", id);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public Optional<String> risk(String id) throws SQLException {
        return transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT report FROM risk_reports WHERE request_id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<StoredRequest> list(int limit) throws SQLException {
        return query("SELECT * FROM requests ORDER BY created_ms DESC, id DESC LIMIT ?", limit);
    }

    @Override
    public List<StoredRequest> unfinished() throws SQLException {
        return query("SELECT * FROM requests WHERE state IN ('SUBMITTED','VALIDATING','APPROVED','EXECUTING',"
                + "'VERIFYING','FAILED') ORDER BY created_ms, id");
    }

    @Override
    public Optional<String> requestWithKey(String key) throws SQLException {
        return transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT request_id FROM actions WHERE idempotency_key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public int actionsForIncident(String incident, long sinceMillis, String excludeId) throws SQLException {
        return count("SELECT COUNT(*) FROM actions a JOIN requests r ON r.id = a.request_id WHERE r.incident = ? "
                + "AND r.created_ms >= ? AND r.id <> ? AND r.state NOT IN ('REJECTED','CANCELLED')", incident, sinceMillis, excludeId);
    }

    @Override
    public Outcomes outcomes(String tool, String targetPrefix, long sinceMillis, String excludeId) throws SQLException {
        // substr, not LIKE: a name's '_' would be a wildcard; both databases count from 1. Only
        // actions that ran count: one an agent refused (a forged intent, its local policy) or that
        // never started says nothing about how the action fares on such targets.
        String where = " FROM requests r WHERE r.mode = 'EXECUTE' AND r.created_ms >= ? AND r.id <> ? AND EXISTS (SELECT 1"
                + " FROM actions a WHERE a.request_id = r.id AND a.tool = ? AND substr(a.target, 1, ?) = ?"
                + " AND a.status NOT IN ('PLANNED','REFUSED','NOT_RUN')) AND r.state IN ";
        Object[] args = {sinceMillis, excludeId, tool, targetPrefix.length(), targetPrefix};
        return new Outcomes(count("SELECT COUNT(*)" + where + "('SUCCEEDED','FAILED','ROLLED_BACK')", args),
                count("SELECT COUNT(*)" + where + "('FAILED','ROLLED_BACK')", args));
    }

    @Override
    public List<StoredRequest> withSameAction(String tool, String target, long sinceMillis, String excludeId) throws SQLException {
        return query("SELECT * FROM requests r WHERE EXISTS (SELECT 1 FROM actions a WHERE a.request_id = r.id AND a.tool = ? "
                + "AND a.target = ?) AND r.created_ms >= ? AND r.id <> ? AND r.state NOT IN ('REJECTED','CANCELLED') "
                + "ORDER BY r.created_ms", tool, target, sinceMillis, excludeId);
    }

    @Override
    public int sameActionCount(String tool, String target, long sinceMillis, String excludeId) throws SQLException {
        return count("SELECT COUNT(*) FROM actions a JOIN requests r ON r.id = a.request_id WHERE a.tool = ? AND a.target = ? "
                + "AND r.created_ms >= ? AND r.id <> ? AND r.state NOT IN ('REJECTED','CANCELLED')", tool, target, sinceMillis, excludeId);
    }

    @Override
    public List<ClaimedAction> claimQueued(String cluster, String claimant, int max, long expiredBefore, long untilMillis)
            throws SQLException {
        requireNonNull(cluster, "cluster is null");
        requireNonNull(claimant, "claimant is null");
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, not " + max);
        }
        long now = clock.millis();
        return transaction(c -> {
            List<ClaimedAction> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(claimSql())) {
                bind(ps, claimant, untilMillis, cluster, expiredBefore, expiredBefore, now, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ClaimedAction(rs.getString(1), rs.getInt(2), rs.getString(3)));
                    }
                }
            }
            out.sort(Comparator.comparing(ClaimedAction::requestId).thenComparing(ClaimedAction::index));
            return out;
        });
    }

    @Override
    public boolean hasClaimable(String cluster, long expiredBefore) throws SQLException {
        requireNonNull(cluster, "cluster is null");
        long now = clock.millis();
        return count("SELECT COUNT(*) FROM (SELECT 1 FROM actions WHERE cluster = ? AND " + CLAIMABLE
                + " LIMIT 1) AS claimable", cluster, expiredBefore, expiredBefore, now) > 0;
    }

    /**
     * What an agent's poll may lease: an action of an EXECUTING request, or the rollback of an
     * action of a FAILED one; queued, or leased and expired; not claimed by a replica right now.
     * Parameters: expiredBefore, expiredBefore, now.
     */
    static final String CLAIMABLE = "((status = 'QUEUED' OR (status = 'LEASED' AND lease_expires_ms < ?)) "
            + "AND EXISTS (SELECT 1 FROM requests r WHERE r.id = actions.request_id AND r.state = 'EXECUTING') "
            + "OR (status = 'ROLLBACK_QUEUED' OR (status = 'ROLLBACK_LEASED' AND lease_expires_ms < ?)) "
            + "AND EXISTS (SELECT 1 FROM requests r WHERE r.id = actions.request_id AND r.state = 'FAILED')) "
            + "AND (claimed_until_ms IS NULL OR claimed_until_ms < ?)";

    /**
     * The claim: parameters claimant, untilMillis, cluster, expiredBefore, now, max; returns
     * request_id, idx, status of the claimed rows.
     */
    static String claimSql(String lock) {
        return "UPDATE actions SET claimed_by = ?, claimed_until_ms = ? WHERE (request_id, idx) IN ("
                + "SELECT request_id, idx FROM actions WHERE cluster = ? AND " + CLAIMABLE + " "
                + "ORDER BY queued_ms, request_id, idx LIMIT ?" + lock + ") RETURNING request_id, idx, status";
    }

    abstract String claimSql();

    @Override
    public Optional<LeasedIntent> intent(String jti) throws SQLException {
        List<LeasedIntent> l = intents("SELECT * FROM intents WHERE jti = ?", jti);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    @Override
    public List<LeasedIntent> intentsOf(String requestId) throws SQLException {
        return intents("SELECT * FROM intents WHERE request_id = ? ORDER BY iat_ms, jti", requestId);
    }

    @Override
    public List<StoredRequest> executing() throws SQLException {
        return query("SELECT * FROM requests WHERE state = 'EXECUTING' ORDER BY created_ms, id");
    }

    private List<LeasedIntent> intents(String sql, Object arg) throws SQLException {
        return transaction(c -> {
            List<LeasedIntent> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
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
            return out;
        });
    }

    @Override
    public long now() {
        return clock.millis();
    }

    int count(String sql, Object... args) throws SQLException {
        return transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    private List<StoredRequest> query(String sql, Object... args) throws SQLException {
        return transaction(c -> {
            List<StoredRequest> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(c, rs));
                    }
                }
            }
            return out;
        });
    }

    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    private static StoredRequest row(Connection db, ResultSet rs) throws SQLException {
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
        Optional<GateReport> gates = Optional.empty();
        try (PreparedStatement ps = db.prepareStatement("SELECT report FROM gate_reports WHERE request_id = ?")) {
            ps.setString(1, id);
            try (ResultSet g = ps.executeQuery()) {
                if (g.next()) {
                    gates = Optional.of(GateReport.parse(Ledger.JSON.readTree(g.getString(1))));
                }
            } catch (JsonProcessingException | RuntimeException e) {
                gates = Optional.empty(); // an unreadable report is shown as none; the ledger keeps the decisions
            }
        }
        return new StoredRequest(id, rs.getString("incident"), rs.getString("team"), rs.getString("env"),
                rs.getString("submitter"), rs.getString("submitter_person"), State.valueOf(rs.getString("state")),
                ChangePolicy.Mode.valueOf(rs.getString("mode")), rs.getString("document"), rs.getString("doc_sha"),
                rs.getInt("required_approvals"), reasons, rs.getLong("created_ms"), rs.getLong("updated_ms"), approvals, actions,
                gates);
    }
}
