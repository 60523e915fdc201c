package dev.aegis.afs.evidence.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.evidence.CaptureKey;
import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.ContentHash;
import dev.aegis.afs.evidence.SignedCapture;
import dev.aegis.afs.testkit.PostgresServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control plane's retention sweep of the postgresql store, on a real PostgreSQL 15. */
class PostgresRetentionTest {

    private static final Instant OLD = Instant.parse("2026-11-01T09:00:00Z");
    private static final Instant NEW = Instant.parse("2026-11-18T09:00:00Z");
    private static final Instant CUTOFF = Instant.parse("2026-11-15T00:00:00Z");

    @TempDir
    Path dir;

    private CaptureKey key;

    private SignedCapture put(PostgresCaptureStore store, String name, String content, Instant at) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        String sha = ContentHash.sha256(f);
        SignedCapture c = key.sign(new CaptureRecord(1, "2026-11-18/090000.000-" + sha.substring(0, 12) + "-" + name, sha,
                Files.size(f), 1, at, "payments", "prod", "/teams/payments/prod/logs/api.log?tail=1", "q", "file:local",
                "false", new CaptureRecord.Reader("unix:1001@web-3", "cat"), key.keyId()));
        store.put(c, f, Map.of());
        return c;
    }

    private static String read(CaptureStore store, SignedCapture c) throws Exception {
        try (InputStream in = store.content(c.record())) {
            return new String(in.readAllBytes());
        }
    }

    @Test
    void expiredRecordsAndTheirBlobsGoButHeldOnesAndBlobsNewerRecordsCiteStay() throws Exception {
        assumeTrue(PostgresServer.installed(), "postgresql-15 is not installed (bin/setup installs it)");
        key = CaptureKey.loadOrCreate(dir.resolve("capture.key"), new SecureRandom());
        try (PostgresServer pg = PostgresServer.start();
             PostgresCaptureStore store = PostgresCaptureStore.open(pg.createDatabase("afs"),
                     Optional.of(PostgresServer.SUPERUSER), Optional.empty(), true)) {
            SignedCapture gone = put(store, "gone.log", "only the old record cites this\n", OLD);
            SignedCapture oldShared = put(store, "old-shared.log", "read twice\n", OLD);
            SignedCapture newShared = put(store, "new-shared.log", "read twice\n", NEW);
            SignedCapture held = put(store, "held.log", "cited by an open change request\n", OLD);
            SignedCapture fresh = put(store, "fresh.log", "read today\n", NEW);

            ExpiringStore.Swept swept = store.expire(CUTOFF, Set.of(held.record().id()));

            assertEquals(new ExpiringStore.Swept(2, 1, 1), swept);
            assertTrue(store.record(gone.record().id()).isEmpty());
            assertThrows(NoSuchFileException.class, () -> store.content(gone.record()));
            assertTrue(store.record(oldShared.record().id()).isEmpty());
            // the blob the expired record shared with a newer one is still there, whole
            assertEquals("read twice\n", read(store, newShared));
            assertEquals("cited by an open change request\n", read(store, held));
            assertTrue(store.record(held.record().id()).isPresent());
            assertEquals("read today\n", read(store, fresh));
            try (Connection c = pg.connect("afs"); Statement s = c.createStatement();
                 var rs = s.executeQuery("SELECT count(*) FROM evidence.chunks WHERE sha256 = '" + gone.record().sha256() + "'")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "the expired blob's chunks are gone too");
            }

            // once the change request closes, the next sweep takes the held snapshot
            assertEquals(new ExpiringStore.Swept(1, 1, 0), store.expire(CUTOFF, Set.of()));
            assertTrue(store.record(held.record().id()).isEmpty());
        }
    }
}
