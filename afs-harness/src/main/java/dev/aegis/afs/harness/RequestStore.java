package dev.aegis.afs.harness;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the harness persists: change requests and their states, approvals, actions, the
 * ledger rows, and the tasks leased to cluster agents. Every change happens in one transaction
 * together with the ledger entry that records it, so after {@code kill -9} the database and
 * the ledger agree and nothing committed is lost.
 *
 * <p>Two implementations: {@link SqliteRequestStore} (embedded, one harness per data_dir, the
 * default) and {@link PostgresRequestStore} ({@code store: postgresql}, several harness
 * replicas on one database). Both speak the same SQL; {@link Tx#update} takes only statements
 * that run on both.
 */
public interface RequestStore extends AutoCloseable {

    /** Work done inside one transaction; may add ledger entries. */
    interface Work<T> {
        T run(Tx tx) throws SQLException;
    }

    /** The open transaction: SQL plus ledger entries sealed into it. */
    interface Tx {
        /** The transaction's connection, for statements that run on SQLite and PostgreSQL alike. */
        Connection connection();

        /** Seals a ledger entry into this transaction (its team/env taken from the request). */
        void record(String requestId, String event, String actor, ObjectNode detail) throws SQLException;

        /**
         * Seals an entry that names its team/env itself (a refused submission has no request
         * row). Every entry carries its team/env, so a tenant's view can show other envs'
         * entries as their hashes only.
         */
        void recordFor(String requestId, String team, String env, String event, String actor, ObjectNode detail)
                throws SQLException;

        /** Moves {@code id} from {@code from} to {@code to} (checked against the table) and records it. */
        default void transition(String id, State from, State to, String actor, ObjectNode detail) throws SQLException {
            transition(id, from, Optional.empty(), to, actor, detail);
        }

        /**
         * As {@link #transition(String, State, State, String, ObjectNode)}, and only while the plan
         * is still the one with {@code planSha} (a conditional UPDATE): a plan amended between a
         * check and the move makes the move fail instead of running an unchecked plan.
         */
        void transition(String id, State from, Optional<String> planSha, State to, String actor, ObjectNode detail)
                throws SQLException;

        /** Queues action {@code index} for the agent of {@code cluster} (it must be PLANNED); {@link #claimQueued} finds it. */
        void queueAction(String requestId, int index, String cluster) throws SQLException;

        /**
         * Marks a claimed action LEASED with its intent valid until {@code expiresMillis}: false
         * (and nothing changed) when {@code claimant} no longer holds the claim, so the intent
         * signed meanwhile is never handed out.
         */
        boolean leaseAction(String requestId, int index, String claimant, long expiresMillis) throws SQLException;

        /** Keeps the newest gate report of {@code id}: what its status and the web page show. */
        void saveGates(String id, GateReport report) throws SQLException;

        /** Keeps the newest risk report of {@code id} (YAML): every replica serves it as {@code <id>.risk}. */
        void saveRisk(String id, String yaml) throws SQLException;

        /** One statement in SQL that SQLite and PostgreSQL both run (no {@code INSERT OR REPLACE}). */
        void update(String sql, Object... args) throws SQLException;

        /**
         * Runs {@code task} once this transaction has committed (never when it rolls back): for
         * what must not happen for a change that did not happen, such as a notification.
         */
        void afterCommit(Runnable task);
    }

    /**
     * Told of every change request state change, inside the transaction that makes it, so what
     * follows from it (the incident's state) commits or rolls back with it.
     */
    interface TransitionListener {
        void moved(Tx tx, String requestId, State from, State to, String actor) throws SQLException;

        TransitionListener NONE = (tx, id, from, to, actor) -> { };
    }

    /** Sets the one listener of request transitions (the incidents). */
    void onTransition(TransitionListener listener);

    /** Runs {@code work} in a read-only transaction: it must not record ledger entries. */
    <T> T read(Work<T> work) throws SQLException;

    /** The request was not in the expected state: someone else moved it first. */
    final class ConcurrentChange extends SQLException {
        ConcurrentChange(String id, State expected) {
            super("request " + id + " is no longer " + expected);
        }
    }

    /**
     * The database cannot be reached: nothing was changed by the step that met it (or, for a
     * commit cut off on the way, the database says after it is back). The harness fails closed.
     */
    final class Unavailable extends SQLException {
        public Unavailable(String message, Throwable cause) {
            super(message, "08006", cause);
        }

        /**
         * Whether {@code e} says the connection failed (SQL state class 08, or a pool timeout) or
         * the server is going away (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot
         * connect now: what a client meets while PostgreSQL is stopped or restarted).
         */
        static boolean is(SQLException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.net.ConnectException
                        || (t instanceof SQLException s && s.getSQLState() != null
                                && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P")))) {
                    return true;
                }
                if (t.getCause() == t) {
                    break;
                }
            }
            return false;
        }
    }

    /** One ledger row: its line, hash and the team/env it belongs to (empty for harness-wide entries). */
    record LedgerRow(long seq, String hash, String line, String team, String env) {
        /**
         * The entry as someone who may not see it gets it: seq, prev, hash and the ledger key's
         * signature of the hash, so the chain still links and verifies, and nothing of another
         * team's plans, hypotheses or targets is told.
         */
        String hiddenLine() {
            com.fasterxml.jackson.databind.node.ObjectNode hidden = Ledger.JSON.createObjectNode();
            hidden.put("seq", seq);
            String prev = "";
            String sig = "";
            try {
                com.fasterxml.jackson.databind.JsonNode full = Ledger.JSON.readTree(line);
                prev = full.path("prev").asText();
                sig = full.path("sig").asText();
            } catch (java.io.IOException e) {
                // a line the database holds was written by the harness; an unreadable one shows no prev
            }
            hidden.put("prev", prev);
            hidden.put("hash", hash);
            hidden.put("sig", sig);
            hidden.put("hidden", "another env's entry: only its hash is shown");
            return hidden.toString();
        }
    }

    /** Runs {@code work} in one transaction, then appends its ledger entries to the file. */
    <T> T inTransaction(Work<T> work) throws SQLException;

    /** Appends ledger rows the file does not hold yet (after a crash between commit and append, or another replica's). */
    void flushLedger() throws SQLException;

    /** Ledger head (count, hash) as the database knows it. */
    Optional<Ledger.Sealed> ledgerHead() throws SQLException;

    /** Ledger lines from {@code fromSeq} (1-based), at most {@code limit}. */
    List<String> ledgerLines(long fromSeq, int limit) throws SQLException;

    /** Ledger rows from {@code fromSeq} (1-based), at most {@code limit}. */
    List<LedgerRow> ledgerRows(long fromSeq, int limit) throws SQLException;

    /** The ledger lines of one request, oldest first: its timeline. */
    List<String> ledgerOf(String requestId) throws SQLException;

    /**
     * What a human said about one step of an incident's timeline ({@code useful}, {@code useless},
     * {@code dangerous}), who said it and the team/env of the step (a reader sees only steps of
     * envs it may read).
     */
    record Feedback(String incident, String step, String verdict, String principal, String person, String team,
                    String env, long atMillis) {
    }

    /** The change requests of one incident ({@code incident:} of the document), oldest first. */
    List<StoredRequest> ofIncident(String incident) throws SQLException;

    /** The feedback left on one incident's steps, oldest first. */
    List<Feedback> feedback(String incident) throws SQLException;

    /** Every incident named by a request, with the team/env of that request: {@code [incident, team, env]}. */
    List<List<String>> incidentEnvs() throws SQLException;

    /** How many requests are in each state now (the metrics gauge). */
    java.util.Map<State, Long> countByState() throws SQLException;

    Optional<StoredRequest> get(String id) throws SQLException;

    /** The newest risk report of {@code id} (YAML), empty before its first validation. */
    Optional<String> risk(String id) throws SQLException;

    /** Newest first. */
    List<StoredRequest> list(int limit) throws SQLException;

    /** Requests something still has to happen to, oldest first (resumed at start). */
    List<StoredRequest> unfinished() throws SQLException;

    /**
     * An intent leased to a cluster's agent (execution: agents): which action it carries, the
     * sha256 of its compact JWS, its validity, and the agent's signed result once it came.
     */
    record LeasedIntent(String jti, String requestId, int index, String cluster, String sha256, String keyId,
                        long issuedMillis, long expiresMillis, Optional<String> result, Optional<String> outcome,
                        Optional<String> reason) {
    }

    Optional<LeasedIntent> intent(String jti) throws SQLException;

    /** The intents of one request, in the order they were leased. */
    List<LeasedIntent> intentsOf(String requestId) throws SQLException;

    /** Requests in EXECUTING, oldest first: the ones whose actions may be leased to agents. */
    List<StoredRequest> executing() throws SQLException;

    /** An action of an EXECUTING request that one replica has claimed, to lease it to its cluster's agent. */
    record ClaimedAction(String requestId, int index, String status) {
    }

    /**
     * Claims, for {@code claimant} until {@code untilMillis}, up to {@code max} actions queued for
     * {@code cluster} (status QUEUED, or LEASED with its intent expired before
     * {@code expiredBefore}) of requests still EXECUTING, oldest first. The rows are picked with
     * {@code SELECT ... FOR UPDATE SKIP LOCKED}: however many replicas poll at once, each action
     * goes to one claimant, and none waits for another. The claimant signs the intent, then
     * {@link Tx#leaseAction} records it; a claim not used lapses at {@code untilMillis}.
     */
    List<ClaimedAction> claimQueued(String cluster, String claimant, int max, long expiredBefore, long untilMillis)
            throws SQLException;

    /**
     * Whether {@link #claimQueued} could claim anything for {@code cluster} now: a read only, so
     * the polls that find nothing (nearly all of them) take no write and no control thread.
     */
    boolean hasClaimable(String cluster, long expiredBefore) throws SQLException;

    /** The request that already holds an idempotency key, if any. */
    Optional<String> requestWithKey(String key) throws SQLException;

    /** Actions of this incident's live or finished requests created since {@code sinceMillis}. */
    int actionsForIncident(String incident, long sinceMillis, String excludeId) throws SQLException;

    /**
     * Executed (not shadow) requests since {@code sinceMillis} with an action of {@code tool} on a
     * target starting with {@code targetPrefix} (e.g. {@code payments/Deployment/}) that ran (not
     * refused by an agent, not left unrun): how many finished, and how many of those failed or
     * were rolled back.
     */
    record Outcomes(long finished, long failed) {
    }

    Outcomes outcomes(String tool, String targetPrefix, long sinceMillis, String excludeId) throws SQLException;

    /** Earlier requests (not rejected or cancelled) with an action of this tool on this target since {@code sinceMillis}. */
    List<StoredRequest> withSameAction(String tool, String target, long sinceMillis, String excludeId) throws SQLException;

    /** Earlier actions with the same tool on the same target since {@code sinceMillis}. */
    int sameActionCount(String tool, String target, long sinceMillis, String excludeId) throws SQLException;

    /**
     * Takes the right to run the next step of request {@code id} for {@code runner} until
     * {@code untilMillis}: false while another replica holds it. With one harness per database
     * (SQLite) there is no one else, and it is always true.
     */
    boolean claim(String id, String runner, long untilMillis) throws SQLException;

    /** Gives up a {@link #claim}, so another replica may pick the request up at once. */
    void release(String id, String runner) throws SQLException;

    /**
     * Requests with a step to take that no replica is taking: in SUBMITTED, VALIDATING, APPROVED
     * or VERIFYING, or EXECUTING with no action queued or leased to an agent; with no claim, or
     * a claim that lapsed at or before {@code now} (its replica died); and unchanged since
     * {@code quietSinceMillis} (a live replica moves them on sooner). Oldest first. With one
     * harness per database (SQLite) there is no other replica, and it is empty: that harness
     * resumes its own requests at start.
     */
    List<String> stalled(long now, long quietSinceMillis) throws SQLException;

    long now();

    @Override
    void close() throws SQLException;

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
}
