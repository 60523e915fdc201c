package dev.aegis.afs.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link RequestStore} must do, whatever database is behind it: run by
 * {@link SqliteRequestStoreTest} and {@link PostgresRequestStoreTest}.
 */
abstract class RequestStoreContract {

    static final String CLUSTER = "prod-eu";

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-18T12:00:00Z"));
    SigningKey key;
    Ledger ledger;
    RequestStore store;

    /** A new, empty store writing its ledger entries to {@code ledger}. */
    abstract RequestStore open(Ledger ledger, Clock clock) throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        key = SigningKey.loadOrCreate(dir.resolve("ledger.key"), new SecureRandom());
        ledger = new Ledger(dir.resolve("ledger.jsonl"), key, clock, Ledger.Witness.NONE);
        store = open(ledger, clock);
    }

    @AfterEach
    void closeStore() throws Exception {
        store.close();
    }

    /** A request in {@code state} with one action (status {@code PLANNED}), recorded in the ledger. */
    void request(String id, State state) throws SQLException {
        store.inTransaction(tx -> {
            tx.update("INSERT INTO requests(id, incident, team, env, submitter, submitter_person, state, mode, document, doc_sha, "
                    + "created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id, "INC-1", "payments", "prod",
                    "unix:1000@h", "user:agent", state.name(), "EXECUTE", "doc of " + id, "sha-" + id, clock.millis(), clock.millis());
            tx.update("INSERT INTO actions(request_id, idx, idempotency_key, tool, target, status) VALUES (?, ?, ?, ?, ?, ?)",
                    id, 0, "key-" + id, "scale", "payments/Deployment/api", "PLANNED");
            tx.record(id, "submit", "unix:1000@h", RequestStore.detail("to", state.name()));
            return null;
        });
    }

    void queue(String id) throws SQLException {
        store.inTransaction(tx -> {
            tx.queueAction(id, 0, CLUSTER);
            return null;
        });
    }

    boolean lease(String id, String claimant, long expiresMillis) throws SQLException {
        return store.inTransaction(tx -> tx.leaseAction(id, 0, claimant, expiresMillis));
    }

    /** Claims, after checking that the read-only look a poll takes first agrees with the claim. */
    List<RequestStore.ClaimedAction> claim(String claimant) throws SQLException {
        long now = clock.millis();
        boolean claimable = store.hasClaimable(CLUSTER, now);
        List<RequestStore.ClaimedAction> claimed = store.claimQueued(CLUSTER, claimant, 100, now, now + 60_000);
        assertEquals(claimable, !claimed.isEmpty(), "hasClaimable said " + claimable + ", the claim found " + claimed);
        return claimed;
    }

    LedgerVerifier.Result verifyLedger() throws Exception {
        return LedgerVerifier.verify(ledger.file(), key.publicKeyHex());
    }

    @Test
    void aTransitionMovesTheRequestAndSealsItsLedgerEntryInTheSameTransaction() throws Exception {
        request("cr-1", State.SUBMITTED);
        store.inTransaction(tx -> {
            tx.transition("cr-1", State.SUBMITTED, State.VALIDATING, "harness", null);
            return null;
        });
        assertEquals(State.VALIDATING, store.get("cr-1").orElseThrow().state());
        List<RequestStore.LedgerRow> rows = store.ledgerRows(1, 10);
        assertEquals(2, rows.size());
        assertTrue(rows.get(1).line().contains("\"to\":\"VALIDATING\""), rows.get(1).line());
        assertEquals("payments", rows.get(1).team());
        assertEquals(Files.readAllLines(ledger.file()), store.ledgerLines(1, 10), "the file holds what the database holds");
        assertEquals(2, store.ledgerHead().orElseThrow().seq());
        assertTrue(verifyLedger().ok(), verifyLedger().problem().orElse(""));
    }

    @Test
    void aMoveFromAStateTheRequestNoLongerHasIsRefusedAndRecordsNothing() throws Exception {
        request("cr-1", State.SUBMITTED);
        assertThrows(RequestStore.ConcurrentChange.class, () -> store.inTransaction(tx -> {
            tx.transition("cr-1", State.VALIDATING, State.PENDING_APPROVAL, "harness", null);
            return null;
        }));
        assertThrows(RequestStore.ConcurrentChange.class, () -> store.inTransaction(tx -> {
            tx.transition("cr-1", State.SUBMITTED, Optional.of("another plan"), State.VALIDATING, "harness", null);
            return null;
        }), "a plan amended meanwhile");
        assertEquals(State.SUBMITTED, store.get("cr-1").orElseThrow().state());
        assertEquals(1, store.ledgerLines(1, 10).size());
        assertEquals(1, Files.readAllLines(ledger.file()).size());
    }

    @Test
    void aFailedTransactionLeavesNeitherRowsNorLedgerEntries() throws Exception {
        request("cr-1", State.SUBMITTED);
        assertThrows(IllegalStateException.class, () -> store.inTransaction(tx -> {
            tx.update("UPDATE requests SET reasons = ? WHERE id = ?", RequestStore.json(List.of("half done")), "cr-1");
            tx.record("cr-1", "note", "harness", RequestStore.detail("n", 1));
            throw new IllegalStateException("crash in the middle");
        }));
        assertEquals(List.of(), store.get("cr-1").orElseThrow().reasons());
        assertEquals(1, store.ledgerLines(1, 10).size());
        // the next entry links to the last committed one
        store.inTransaction(tx -> {
            tx.record("cr-1", "note", "harness", RequestStore.detail("n", 2));
            return null;
        });
        assertTrue(verifyLedger().ok(), verifyLedger().problem().orElse(""));
    }

    @Test
    void oneApprovalPerPersonAndPlanHoweverOftenGiven() throws Exception {
        request("cr-1", State.PENDING_APPROVAL);
        for (long at : new long[] {1000, 2000}) {
            store.inTransaction(tx -> {
                tx.update("INSERT INTO plan_approvals(request_id, person, principal, plan_sha, at_ms) VALUES (?, ?, ?, ?, ?) "
                        + "ON CONFLICT (request_id, person, plan_sha) DO UPDATE SET principal = excluded.principal, at_ms = excluded.at_ms",
                        "cr-1", "user:alice", "web:alice", "sha-cr-1", at);
                return null;
            });
        }
        List<StoredRequest.Approval> a = store.get("cr-1").orElseThrow().approvals();
        assertEquals(1, a.size());
        assertEquals(2000, a.get(0).atMillis());
        assertEquals(List.of("user:alice"), store.get("cr-1").orElseThrow().validApprovers(2000, 3_600_000));
    }

    @Test
    void aQueuedActionIsClaimedByOneReplicaAndLeasedOnlyUnderItsClaim() throws Exception {
        request("cr-1", State.EXECUTING);
        assertEquals(List.of(), claim("replica-a"), "a PLANNED action is not queued yet");
        queue("cr-1");
        assertEquals(List.of(new RequestStore.ClaimedAction("cr-1", 0, "QUEUED")), claim("replica-a"));
        assertEquals(List.of(), claim("replica-b"), "claimed by another replica");
        assertFalse(lease("cr-1", "replica-b", clock.millis() + 30_000), "no claim, no lease");
        assertTrue(lease("cr-1", "replica-a", clock.millis() + 30_000));
        assertEquals("LEASED", store.get("cr-1").orElseThrow().actions().get(0).status());
        assertFalse(lease("cr-1", "replica-a", clock.millis() + 30_000), "a claim is used once");
        assertEquals(List.of(), claim("replica-b"), "a live lease is not handed out again");
    }

    @Test
    void anExpiredLeaseIsClaimedAgainAndAnUnusedClaimLapses() throws Exception {
        request("cr-1", State.EXECUTING);
        queue("cr-1");
        claim("replica-a");
        clock.advance(Duration.ofSeconds(61)); // replica-a died between claim and lease
        assertFalse(lease("cr-1", "replica-a", clock.millis() + 30_000), "its claim lapsed");
        assertEquals(1, claim("replica-b").size());
        assertTrue(lease("cr-1", "replica-b", clock.millis() + 30_000));
        clock.advance(Duration.ofSeconds(29));
        assertEquals(List.of(), claim("replica-a"), "the intent is still valid");
        clock.advance(Duration.ofSeconds(2));
        assertEquals(List.of(new RequestStore.ClaimedAction("cr-1", 0, "LEASED")), claim("replica-a"),
                "its intent expired unanswered: leased again, as a new intent");
    }

    @Test
    void actionsOfRequestsNoLongerExecutingAreNotClaimed() throws Exception {
        request("cr-1", State.EXECUTING);
        queue("cr-1");
        store.inTransaction(tx -> {
            tx.transition("cr-1", State.EXECUTING, State.FAILED, "harness", null);
            return null;
        });
        assertEquals(List.of(), claim("replica-a"));
        assertEquals(List.of(), store.claimQueued("other-cluster", "replica-a", 10, clock.millis(), clock.millis() + 1000));
        assertFalse(store.hasClaimable("other-cluster", clock.millis()));
    }

    @Test
    void entriesCommittedButMissingFromTheFileAreAppendedFromTheDatabase() throws Exception {
        request("cr-1", State.SUBMITTED);
        request("cr-2", State.SUBMITTED);
        List<String> lines = Files.readAllLines(ledger.file());
        store.close();
        Files.write(ledger.file(), lines.subList(0, 1)); // a crash after the commit, before the append
        ledger = new Ledger(ledger.file(), key, clock, Ledger.Witness.NONE);
        store = reopen(ledger);
        store.flushLedger();
        assertEquals(lines, Files.readAllLines(ledger.file()));
        assertTrue(verifyLedger().ok(), verifyLedger().problem().orElse(""));
    }

    /** The same database again, as after a restart. */
    abstract RequestStore reopen(Ledger ledger) throws Exception;
}
