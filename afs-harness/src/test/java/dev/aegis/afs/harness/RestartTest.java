package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.ALICE;
import static dev.aegis.afs.harness.HarnessFixture.joined;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static dev.aegis.afs.harness.HarnessFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.evidence.EvidenceRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness stops between transitions and restarts on the same data dir: nothing lost, nothing run twice. */
class RestartTest {

    /** Stands for the process dying at a probe point: escapes every handler like kill -9 would. */
    static final class SimulatedCrash extends Error {
        SimulatedCrash(String point) {
            super("simulated crash at " + point);
        }
    }

    @TempDir
    Path dir;
    HarnessFixture f;
    EvidenceRecord ev;

    /** The fixture on the store under test: SQLite here, PostgreSQL in {@link PostgresRestartTest}. */
    HarnessFixture fixture(Path dir) throws Exception {
        return new HarnessFixture(dir);
    }

    @BeforeEach
    void setUp() throws Exception {
        f = fixture(dir);
        ev = f.snapshot(20);
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
    }

    @AfterEach
    void tearDown() throws Exception {
        f.close();
    }

    private StoredRequest crashAt(String point) throws Exception {
        AtomicBoolean armed = new AtomicBoolean(true);
        f.probe = (p, id, i) -> {
            if (p.equals(point) && armed.getAndSet(false)) {
                throw new SimulatedCrash(p);
            }
        };
        f.open();
        StoredRequest r = f.submit(plan("prod", 0.9, pointer(ev, "1-2"), scale("api", 5, "crash-1"), ""), AGENT).request();
        StoredRequest stuck = f.get(r.id());
        assertEquals(State.EXECUTING, stuck.state(), joined(stuck));
        assertEquals("INTENT", stuck.actions().get(0).status());
        f.closeHarness();
        f.probe = Harness.Probe.NONE;
        return r;
    }

    @Test
    void crashAfterTheKubernetesCallIsConfirmedOnRestartAndNotRunAgain() throws Exception {
        StoredRequest r = crashAt("after_execute");
        assertEquals(5, f.replicas("payments", "api"));
        long writes = f.writes("payments", "api");

        f.open();
        StoredRequest done = f.get(r.id());
        assertEquals(State.SUCCEEDED, done.state(), joined(done));
        assertEquals(writes, f.writes("payments", "api"), "resuming must not scale a second time");
        assertTrue(done.actions().get(0).outcome().orElseThrow().contains("confirmed_after_restart"));
    }

    @Test
    void crashBeforeTheKubernetesCallRunsItExactlyOnceOnRestart() throws Exception {
        long writesAtStart = f.writes("payments", "api");
        StoredRequest r = crashAt("before_execute");
        assertEquals(3, f.replicas("payments", "api"));
        assertEquals(writesAtStart, f.writes("payments", "api"));

        f.open();
        StoredRequest done = f.get(r.id());
        assertEquals(State.SUCCEEDED, done.state(), joined(done));
        assertEquals(5, f.replicas("payments", "api"));
        assertEquals(writesAtStart + 1, f.writes("payments", "api"));
    }

    @Test
    void pendingApprovalSurvivesARestartAndLedgerStaysValid() throws Exception {
        f.open();
        StoredRequest r = f.submit(plan("prod", 0.3, pointer(ev, "1-2"), scale("api", 4, "p-1"), ""), AGENT).request();
        assertEquals(State.PENDING_APPROVAL, r.state());
        f.closeHarness();

        f.open();
        assertEquals(State.PENDING_APPROVAL, f.get(r.id()).state());
        f.harness.approve(r.id(), f.p(ALICE));
        assertEquals(State.SUCCEEDED, f.get(r.id()).state());
        assertEquals(4, f.replicas("payments", "api"));
        f.closeHarness();
        Path data = dir.resolve("data");
        String pub = SigningKey.publicKeyHex(Harness.ledgerPublicKey(data)).orElseThrow();
        LedgerVerifier.Result result = LedgerVerifier.verify(Harness.ledgerPath(data), pub);
        assertTrue(result.ok(), result.problem().orElse(""));
    }

    @Test
    void ledgerEntriesCommittedButNotAppendedAreRestoredOnStart() throws Exception {
        f.open();
        f.submit(plan("prod", 0.9, pointer(ev, "1-2"), scale("api", 4, "l-1"), ""), AGENT);
        f.closeHarness();
        Path ledger = Harness.ledgerPath(dir.resolve("data"));
        var lines = Files.readAllLines(ledger);
        // a crash after the database commit but before the file append: the file lacks its last entries
        Files.write(ledger, lines.subList(0, lines.size() - 2));
        f.open();
        f.closeHarness();
        assertEquals(lines, Files.readAllLines(ledger));
    }
}
