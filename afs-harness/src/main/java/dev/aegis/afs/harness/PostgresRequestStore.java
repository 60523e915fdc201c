package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The store on a shared PostgreSQL database ({@code store: postgresql}): several harness
 * replicas, each with its own pool. Three things keep them from stepping on each other:
 * <ul>
 *   <li>a ledger append holds a transaction-level advisory lock and reads the head inside it,
 *       so the hash chain stays one line (and {@code ledger.seq} is the primary key besides);</li>
 *   <li>queued actions are claimed with {@code SELECT ... FOR UPDATE SKIP LOCKED} before their
 *       intent is signed, and leased only under that claim, so each goes to one agent poll only,
 *       and polls do not wait for each other;</li>
 *   <li>a replica runs a request's steps only while it holds the request's claim (a
 *       compare-and-set on {@code requests.runner}), so two replicas resuming the same request
 *       never both execute it.</li>
 * </ul>
 * A lost connection is {@link RequestStore.Unavailable}: the step fails closed and nothing runs.
 */
public final class PostgresRequestStore extends JdbcRequestStore {

    /** The advisory lock key of ledger appends ("afs-ledger" in ASCII, as a number). */
    static final long LEDGER_LOCK = 0x6166732d6c6564L;

    private final PostgresDatabase db;

    public PostgresRequestStore(PostgresDatabase db, Ledger ledger, Clock clock) {
        super(ledger, clock);
        this.db = requireNonNull(db, "db is null");
    }

    @Override
    <T> T transaction(Sql<T> sql) throws SQLException {
        try (Connection c = db.connection()) {
            try {
                T result = sql.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone; the server rolls back what it did not commit
                }
                throw e;
            }
        } catch (RequestStore.Unavailable e) {
            throw e;
        } catch (SQLException e) {
            throw Unavailable.is(e) ? db.unavailable(e) : e;
        }
    }

    @Override
    <T> T writeTransaction(Sql<T> sql) throws SQLException {
        // the ledger lock first, before any row lock: two writers never wait on each other crosswise
        return transaction(c -> {
            lockLedger(c);
            return sql.run(c);
        });
    }

    @Override
    void lockLedger(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, LEDGER_LOCK);
            ps.execute();
        }
    }

    @Override
    String claimSql() {
        // rows another replica is claiming right now are skipped, not waited for
        return claimSql(" FOR UPDATE SKIP LOCKED");
    }

    @Override
    public boolean claim(String id, String runner, long untilMillis) throws SQLException {
        long now = now();
        return transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE requests SET runner = ?, runner_until_ms = ? WHERE id = ? "
                    + "AND (runner IS NULL OR runner = ? OR runner_until_ms < ?)")) {
                bind(ps, runner, untilMillis, id, runner, now);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void release(String id, String runner) throws SQLException {
        transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE requests SET runner = NULL, runner_until_ms = NULL WHERE id = ? AND runner = ?")) {
                bind(ps, id, runner);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public List<String> stalled(long now, long quietSinceMillis) throws SQLException {
        return transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM requests r WHERE (state IN ('SUBMITTED', 'VALIDATING', "
                    + "'APPROVED', 'VERIFYING') OR (state = 'EXECUTING' AND NOT EXISTS (SELECT 1 FROM actions a WHERE "
                    + "a.request_id = r.id AND a.status IN ('QUEUED', 'LEASED')))) AND (runner IS NULL OR runner_until_ms <= ?) "
                    + "AND updated_ms < ? ORDER BY created_ms, id LIMIT 1000")) {
                bind(ps, now, quietSinceMillis);
                List<String> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void close() {
        db.close();
    }
}
