package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.ALICE;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two harness replicas, each with its own pool, ledger file and data_dir, on one PostgreSQL
 * database: actions are claimed and leased once, the ledger stays one chain, a risk report written
 * by one is served by the other, and a database that is too new or not there stops a replica with
 * the fix named.
 */
class PostgresReplicasTest {

    static PostgresServer pg;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (pg != null) {
            pg.close();
        }
    }

    /** A replica: its own data dir and ledger file, the shared ledger key, its own pool. */
    record Replica(String name, Ledger ledger, PostgresRequestStore store) implements AutoCloseable {
        @Override
        public void close() {
            store.close();
        }
    }

    Replica replica(String name, StoreSettings.Postgres db, SigningKey key) throws Exception {
        Path data = Files.createDirectories(dir.resolve(name));
        Ledger ledger = new Ledger(data.resolve("ledger.jsonl"), key, Clock.systemUTC(), Ledger.Witness.NONE);
        return new Replica(name, ledger, new PostgresRequestStore(PostgresDatabase.open(db), ledger, Clock.systemUTC()));
    }

    @Test
    void twoReplicasLeaseAThousandActionsEachExactlyOnceAndTheLedgerStaysOneChain() throws Exception {
        StoreSettings.Postgres db = TestDatabases.fresh(pg);
        SigningKey key = SigningKey.loadOrCreate(dir.resolve("ledger.key"), new SecureRandom());
        try (Replica a = replica("a", db, key); Replica b = replica("b", db, key)) {
            // 1,000 executing requests, created by both replicas at once: concurrent appends to one chain
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> created = new ArrayList<>();
            for (Replica r : List.of(a, b)) {
                created.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        String id = "cr-" + r.name() + "-" + i;
                        r.store().inTransaction(tx -> {
                            tx.update("INSERT INTO requests(id, incident, team, env, submitter, submitter_person, state, mode, "
                                    + "document, doc_sha, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, 'EXECUTING', 'EXECUTE', "
                                    + "'doc', ?, 0, 0)", id, "INC-" + id, "payments", "prod", "unix:1000@h", "user:agent", "sha-" + id);
                            tx.update("INSERT INTO actions(request_id, idx, idempotency_key, tool, target, status) VALUES (?, 0, ?, "
                                    + "'scale', 'payments/Deployment/api', 'PLANNED')", id, "key-" + id);
                            tx.queueAction(id, 0, "prod-eu");
                            tx.record(id, "action_queued", "harness-" + r.name(), RequestStore.detail("cluster", "prod-eu"));
                            return null;
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : created) {
                f.get();
            }
            // four pollers, two per replica, claim and lease as the harness does per agent poll
            ConcurrentLinkedQueue<String> leased = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> byA = new ConcurrentLinkedQueue<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> pollers = new ArrayList<>();
            for (Replica r : List.of(a, b, a, b)) {
                pollers.add(pool.submit(() -> {
                    go.await();
                    while (true) {
                        long now = System.currentTimeMillis();
                        List<RequestStore.ClaimedAction> claimed = r.store().claimQueued("prod-eu", r.name(), 25, now,
                                now + 60_000);
                        if (claimed.isEmpty()) {
                            return null;
                        }
                        for (RequestStore.ClaimedAction c : claimed) {
                            boolean ok = r.store().inTransaction(tx -> {
                                if (!tx.leaseAction(c.requestId(), c.index(), r.name(), now + 30_000)) {
                                    return false;
                                }
                                tx.record(c.requestId(), "intent_leased", "harness-" + r.name(), RequestStore.detail("index", c.index()));
                                return true;
                            });
                            assertTrue(ok, "a claimed action is leased by its claimant");
                            leased.add(c.requestId());
                            if (r.name().equals("a")) {
                                byA.add(c.requestId());
                            }
                        }
                    }
                }));
            }
            go.countDown();
            for (Future<?> f : pollers) {
                f.get();
            }
            pool.shutdown();

            assertEquals(1000, leased.size(), "every action leased");
            assertEquals(1000, new HashSet<>(leased).size(), "none leased twice");
            assertTrue(!byA.isEmpty() && byA.size() < 1000, "both replicas leased: a took " + byA.size());
            try (Connection c = pg.connect(dbName(db)); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM actions WHERE status = 'LEASED'")) {
                rs.next();
                assertEquals(1000, rs.getInt(1));
            }

            a.store().flushLedger();
            b.store().flushLedger();
            List<String> chain = Files.readAllLines(a.ledger().file());
            assertEquals(2000, chain.size(), "1,000 queued and 1,000 leased entries");
            assertEquals(chain, Files.readAllLines(b.ledger().file()), "each replica's copy holds the one chain");
            for (Replica r : List.of(a, b)) {
                LedgerVerifier.Result v = LedgerVerifier.verify(r.ledger().file(), key.publicKeyHex());
                assertTrue(v.ok(), r.name() + ": " + v.problem().orElse(""));
            }
            Set<String> actors = new HashSet<>();
            for (String line : chain) {
                actors.add(Ledger.JSON.readTree(line).path("actor").asText());
            }
            assertEquals(Set.of("harness-a", "harness-b"), actors, "appends from both replicas");
        }
    }

    @Test
    void aDatabaseMigratedByANewerHarnessIsRefusedWithTheFix() throws Exception {
        StoreSettings.Postgres db = TestDatabases.fresh(pg);
        PostgresDatabase.open(db).close();
        pg.execute(dbName(db), "INSERT INTO " + PostgresDatabase.HISTORY_TABLE + " (installed_rank, version, description, type, "
                + "script, checksum, installed_by, execution_time, success) VALUES (99, '99', 'from the future', 'SQL', "
                + "'V99__future.sql', 0, 'postgres', 1, true)");
        IOException e = assertThrows(IOException.class, () -> PostgresDatabase.open(db));
        assertTrue(e.getMessage().contains("has schema version 99, newer than this harness knows (up to "), e.getMessage());
        assertTrue(e.getMessage().contains("Run that newer harness version on every replica"), e.getMessage());
    }

    @Test
    void aDatabaseThatCannotBeReachedStopsTheStartWithTheSettingsToCheck() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        StoreSettings.Postgres nowhere = new StoreSettings.Postgres("jdbc:postgresql://127.0.0.1:" + closed + "/afs", "afs",
                Optional.empty(), 2, Duration.ofSeconds(1));
        IOException e = assertThrows(IOException.class, () -> PostgresDatabase.open(nowhere));
        assertTrue(e.getMessage().startsWith("cannot reach the harness database jdbc:postgresql://127.0.0.1:" + closed
                + "/afs as afs: "), e.getMessage());
        assertTrue(e.getMessage().contains("postgresql.url, postgresql.user and postgresql.password_file in harness.yaml"),
                e.getMessage());

        Path missing = dir.resolve("no-such-password");
        IOException p = assertThrows(IOException.class, () -> PostgresDatabase.open(new StoreSettings.Postgres(
                pg.jdbcUrl("postgres"), "postgres", Optional.of(missing))));
        assertTrue(p.getMessage().startsWith("cannot read postgresql.password_file " + missing), p.getMessage());
    }

    static String dbName(StoreSettings.Postgres db) {
        return db.url().substring(db.url().lastIndexOf('/') + 1);
    }

    /**
     * {@code /change_requests/<id>.risk} is kept in the shared database: the report written by the
     * replica that validated the request is served, byte for byte, by another that never saw it,
     * and nothing of it is kept in the validating replica's data_dir.
     */
    @Test
    void aReplicaServesTheRiskReportAnotherWrote() throws Exception {
        try (HarnessFixture f = new HarnessFixture(dir, TestDatabases.fresh(pg))) {
            f.cluster.deployment("payments", "payment-api", 5, 5, "256Mi");
            f.open();
            String doc = plan("prod", 0.9, pointer(f.snapshot(5), "1-5"),
                    "  - {tool: restart, target: {kind: Deployment, name: payment-api}, idempotency_key: inc1-restart}\n", "");
            StoredRequest r = f.submit(doc, AGENT).request();
            assertEquals(State.PENDING_APPROVAL, f.get(r.id()).state(), HarnessFixture.joined(f.get(r.id())));
            String written = f.harness.risk(r.id(), f.p(ALICE));
            assertTrue(written.contains("target: payments/Deployment/payment-api"), written);

            try (Harness other = f.openReplica("data-b")) {
                assertEquals(written, other.risk(r.id(), f.p(ALICE)));
                AfsException none = assertThrows(AfsException.class, () -> other.risk("no-such-request", f.p(ALICE)));
                assertEquals(AfsError.NOT_FOUND, none.error());
            }
            try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
                assertTrue(files.noneMatch(p -> p.toString().contains("risk")), "no risk file in the data_dir");
            }
        }
    }
}
