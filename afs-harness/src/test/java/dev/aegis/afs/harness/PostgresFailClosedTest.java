package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.ALICE;
import static dev.aegis.afs.harness.HarnessFixture.joined;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static dev.aegis.afs.harness.HarnessFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.testkit.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database dies under a running harness ({@code store: postgresql}): nothing reaches the
 * API server while it is away, the caller is told why, and once it is back the work goes on
 * from where it stood, without running an action twice.
 */
class PostgresFailClosedTest {

    @TempDir
    Path dir;
    PostgresServer pg;
    HarnessFixture f;
    EvidenceRecord ev;

    @BeforeEach
    void setUp() throws Exception {
        pg = PostgresServer.start();
        f = new HarnessFixture(dir, TestDatabases.fresh(pg));
        ev = f.snapshot(20);
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            f.close();
        } finally {
            pg.close();
        }
    }

    @Test
    void anApprovalWhileTheDatabaseIsDownIsRefusedAndChangesNothingThenWorksOnceItIsBack() throws Exception {
        f.open();
        StoredRequest r = f.submit(plan("prod", 0.3, pointer(ev, "1-2"), scale("api", 5, "down-1"), ""), AGENT).request();
        assertEquals(State.PENDING_APPROVAL, f.get(r.id()).state());
        long writes = f.writes("payments", "api");

        pg.kill();
        AfsException e = assertThrows(AfsException.class, () -> f.harness.approve(r.id(), f.p(ALICE)));
        assertEquals(AfsError.UNAVAILABLE, e.error(), e.getMessage());
        assertTrue(e.getMessage().contains("the harness database " + ((StoreSettings.Postgres) f.store).url() + " is unreachable"), e.getMessage());
        AfsException submit = assertThrows(AfsException.class, () -> f.harness.submit(
                plan("prod", 0.9, pointer(ev, "1-2"), scale("api", 6, "down-2"), "").getBytes(), f.p(AGENT)));
        assertEquals(AfsError.UNAVAILABLE, submit.error(), submit.getMessage());
        assertEquals(AfsError.UNAVAILABLE, assertThrows(AfsException.class, () -> f.harness.get(r.id())).error());
        assertEquals(3, f.replicas("payments", "api"));
        assertEquals(writes, f.writes("payments", "api"), "nothing reached the API server");

        pg.restart();
        awaitReconnected(r.id());
        f.harness.approve(r.id(), f.p(ALICE));
        StoredRequest done = f.get(r.id());
        assertEquals(State.SUCCEEDED, done.state(), joined(done));
        assertEquals(5, f.replicas("payments", "api"));
        assertEquals(writes + 1, f.writes("payments", "api"));
        f.closeHarness();
        LedgerVerifier.Result v = LedgerVerifier.verify(Harness.ledgerPath(dir.resolve("data")),
                SigningKey.publicKeyHex(Harness.ledgerPublicKey(dir.resolve("data"))).orElseThrow());
        assertTrue(v.ok(), v.problem().orElse(""));
    }

    /** The pool reconnects by itself once the server is back (its recovery and the pool's backoff take a moment). */
    private void awaitReconnected(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                f.harness.get(id);
                return;
            } catch (AfsException e) {
                if (e.error() != AfsError.UNAVAILABLE || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    @Test
    void theDatabaseLostAfterTheKubernetesCallIsConfirmedAfterwardsAndTheActionNotRunAgain() throws Exception {
        f.probe = (point, id, index) -> {
            if (point.equals("after_execute")) {
                pg.kill(); // the write went out; recording it as done fails
            }
        };
        f.open();
        StoredRequest r = f.submit(plan("prod", 0.9, pointer(ev, "1-2"), scale("api", 5, "lost-1"), ""), AGENT).request();
        f.harness.awaitIdle();
        assertEquals(5, f.replicas("payments", "api"));
        long writes = f.writes("payments", "api");
        f.closeHarness();

        pg.restart();
        f.probe = Harness.Probe.NONE;
        f.open();
        StoredRequest done = f.get(r.id());
        assertEquals(State.SUCCEEDED, done.state(), joined(done));
        assertEquals(writes, f.writes("payments", "api"), "resuming must not scale a second time");
        assertTrue(done.actions().get(0).outcome().orElseThrow().contains("confirmed_after_restart"));
    }
}
