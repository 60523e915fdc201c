package dev.aegis.afs.core.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.evidence.store.PostgresCaptureStore;
import dev.aegis.afs.testkit.PostgresServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durable before served, against a real PostgreSQL that the test stops and starts again. */
class EvidenceReplicationTest {

    @TempDir
    Path dir;
    private PostgresServer pg;
    private String url;
    private EvidenceReplication replication;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(PostgresServer.installed(), "postgresql-15 is not installed (bin/setup installs it)");
        pg = PostgresServer.start();
        url = pg.createDatabase("afs");
        PostgresCaptureStore.open(url, Optional.of(PostgresServer.SUPERUSER), Optional.empty(), true).close();
    }

    @AfterEach
    void stop() {
        if (replication != null) {
            replication.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private EvidenceStore store(boolean spool, long maxSnapshots) throws Exception {
        EvidenceStore store = new EvidenceStore(dir.resolve("evidence"), Duration.ofHours(72), 1 << 20, Clock.systemUTC(),
                CallerNames.system(), dir.resolve("keys/capture.key"));
        store.checkAtStart();
        replication = new EvidenceReplication(
                PostgresCaptureStore.open(url, Optional.of(PostgresServer.SUPERUSER), Optional.empty(), false),
                store.dir().resolve(".spool"), spool, maxSnapshots, 1 << 20, Duration.ofMillis(100), store::read).start();
        store.replicateTo(replication);
        return store;
    }

    private static SnapshotProducer lines(String... lines) {
        return out -> {
            for (String l : lines) {
                out.line(l);
            }
            return new CaptureInfo("file:demo", "scan", Optional.empty(), ReadStats.complete(10, lines.length, Duration.ZERO));
        };
    }

    private PostgresCaptureStore reader() throws Exception {
        return PostgresCaptureStore.open(url, Optional.of(PostgresServer.SUPERUSER), Optional.empty(), false);
    }

    @Test
    void aCaptureIsInTheSharedStoreBeforeTheReadReturns() throws Exception {
        EvidenceStore store = store(false, 10);
        EvidenceRecord r = store.capture("api.log", "/teams/payments/prod/logs/api.log?tail=1", lines("OOM"));
        try (PostgresCaptureStore shared = reader(); InputStream in = shared.content(r.record())) {
            assertEquals(r.signature(), shared.record(r.id()).orElseThrow().signature());
            assertArrayEquals("OOM\n".getBytes(), in.readAllBytes());
        }
        assertEquals(Optional.of(true), store.replicated(r.id()));
    }

    @Test
    void withTheStoreDownAReadFailsClosedAndLeavesNoSnapshot() throws Exception {
        EvidenceStore store = store(false, 10);
        pg.kill();
        AfsException e = assertThrows(AfsException.class,
                () -> store.capture("api.log", "/teams/payments/prod/logs/api.log?tail=1", lines("OOM")));
        assertEquals(AfsError.UNAVAILABLE, e.error());
        assertTrue(e.getMessage().startsWith("the evidence store postgresql://postgres@127.0.0.1:" + pg.port() + "/afs did not take"
                + " the snapshot") && e.getMessage().contains("evidence.store.spool: true"), e.getMessage());
        assertEquals(List.of(), store.ids(), "nothing is left that looks like evidence");
    }

    @Test
    void withSpoolOnAReadIsServedSpooledAndUploadedInOrderOnceTheStoreIsBack() throws Exception {
        EvidenceStore store = store(true, 10);
        pg.kill();
        EvidenceRecord first = store.capture("api.log", "/teams/payments/prod/logs/api.log?tail=1", lines("one"));
        EvidenceRecord second = store.capture("api.log", "/teams/payments/prod/logs/api.log?tail=2", lines("one", "two"));
        assertEquals(Optional.of(false), store.replicated(first.id()));
        assertEquals(Optional.of(false), store.replicated(second.id()));
        assertEquals(2, replication.spooled());
        assertTrue(replication.status().contains("2 spooled"), replication.status());
        pg.restart();
        assertTrue(replication.awaitIdle(Duration.ofSeconds(30)), replication.status());
        assertEquals(Optional.of(true), store.replicated(first.id()));
        try (PostgresCaptureStore shared = reader()) {
            assertEquals(List.of(first.id(), second.id()).stream().sorted().toList(), shared.ids());
        }
        try (var files = Files.list(store.dir().resolve(".spool"))) {
            assertEquals(0, files.count(), "the spool is empty once uploaded");
        }
    }

    @Test
    void aFullSpoolFailsReadsClosedAgain() throws Exception {
        EvidenceStore store = store(true, 1);
        pg.kill();
        store.capture("api.log", "/teams/payments/prod/logs/api.log?tail=1", lines("one"));
        AfsException e = assertThrows(AfsException.class,
                () -> store.capture("api.log", "/teams/payments/prod/logs/api.log?tail=2", lines("two")));
        assertTrue(e.getMessage().contains("the local spool is full (1 snapshots"), e.getMessage());
    }

    @Test
    void aDaemonKilledWithAFullSpoolReplaysItOnRestartAndStoresNothingTwice() throws Exception {
        EvidenceStore store = store(true, 10);
        pg.kill();
        EvidenceRecord r = store.capture("api.log", "/teams/payments/prod/logs/api.log?tail=1", lines("kept"));
        EvidenceRecord same = store.capture("api.log", "/teams/payments/prod/logs/api.log?tail=1", lines("kept"));
        replication.close(); // the daemon stops with two snapshots spooled
        replication = null;
        pg.restart();
        EvidenceStore restarted = store(true, 10);
        assertEquals(Optional.of(false), restarted.replicated(r.id()), "the spool was read back at start");
        assertTrue(replication.awaitIdle(Duration.ofSeconds(30)), replication.status());
        try (PostgresCaptureStore shared = reader(); var c = pg.connect("afs"); var s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM evidence.blobs")) {
            assertTrue(shared.record(r.id()).isPresent() && shared.record(same.id()).isPresent());
            rs.next();
            assertEquals(1, rs.getInt(1), "one blob for the same content");
        }
        assertFalse(replication.status().contains("spool on)") && replication.spooled() > 0);
    }
}
