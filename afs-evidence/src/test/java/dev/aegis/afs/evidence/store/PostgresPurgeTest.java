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
import java.io.IOException;
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

/** Purging a snapshot's content from the postgresql store, on a real PostgreSQL 15. */
class PostgresPurgeTest {

    private static final Instant AT = Instant.parse("2026-11-18T12:30:00Z");

    @TempDir
    Path dir;

    @Test
    void purgedContentIsGoneWhileTheSignedRecordStaysAndSaysWhoPurgedItAndWhy() throws Exception {
        assumeTrue(PostgresServer.installed(), "postgresql-15 is not installed (bin/setup installs it)");
        CaptureKey key = CaptureKey.loadOrCreate(dir.resolve("capture.key"), new SecureRandom());
        try (PostgresServer pg = PostgresServer.start()) {
            String url = pg.createDatabase("afs");
            try (PostgresCaptureStore owner = PostgresCaptureStore.open(url, Optional.of(PostgresServer.SUPERUSER),
                    Optional.empty(), true)) {
                pg.createRole("mount_web3", "s3cret");
                pg.execute("postgres", "GRANT afs_evidence_writer TO mount_web3");
                try (PostgresCaptureStore mount = PostgresCaptureStore.open(url, Optional.of("mount_web3"),
                        Optional.of("s3cret"), false)) {
                    SignedCapture leak = capture(key, "leak.log", "password=hunter2\n");
                    SignedCapture other = capture(key, "other.log", "nothing secret\n");
                    mount.put(leak, dir.resolve("leak.log"), Map.of());
                    mount.put(other, dir.resolve("other.log"), Map.of());
                    PurgeableStore.Purge purge = new PurgeableStore.Purge(leak.record().id(), "user:alice", AT,
                            "a database password redaction missed");

                    // a mount's insert-only login cannot purge
                    IOException denied = assertThrows(IOException.class, () -> mount.purge(purge));
                    assertTrue(denied.getMessage().contains("permission denied"), denied.getMessage());
                    assertEquals("password=hunter2\n", read(owner, leak));

                    owner.purge(purge);

                    PurgeableStore.PurgedException gone = assertThrows(PurgeableStore.PurgedException.class,
                            () -> read(owner, leak));
                    assertTrue(gone.getMessage().contains("purged by user:alice at 2026-11-18T12:30:00Z: a database password"
                            + " redaction missed"), gone.getMessage());
                    SignedCapture kept = owner.record(leak.record().id()).orElseThrow();
                    assertEquals(leak.signature(), kept.signature(), "the signed record stays");
                    assertEquals("nothing secret\n", read(owner, other));
                    try (Connection c = pg.connect("afs"); Statement s = c.createStatement();
                         var rs = s.executeQuery("SELECT count(*) FROM evidence.chunks WHERE sha256 = '"
                                 + leak.record().sha256() + "'")) {
                        rs.next();
                        assertEquals(0, rs.getInt(1), "no byte of the purged content is left in the database");
                    }
                    IOException twice = assertThrows(IOException.class, () -> owner.purge(purge));
                    assertTrue(twice.getMessage().contains("already purged"), twice.getMessage());
                    assertThrows(NoSuchFileException.class, () -> owner.purge(new PurgeableStore.Purge("2026-11-18/nope",
                            "user:alice", AT, "typo")));
                    // retention still takes a purged snapshot (and its purge mark) once expired
                    assertEquals(new ExpiringStore.Swept(2, 2, 0), owner.expire(AT.plusSeconds(3600), Set.of()));
                }
            }
        }
    }

    private SignedCapture capture(CaptureKey key, String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        String sha = ContentHash.sha256(f);
        return key.sign(new CaptureRecord(1, "2026-11-18/120000.000-" + sha.substring(0, 12) + "-" + name, sha,
                Files.size(f), 1, Instant.parse("2026-11-18T12:00:00Z"), "payments", "prod",
                "/teams/payments/prod/logs/api.log?tail=1", "q", "file:local", "false",
                new CaptureRecord.Reader("unix:1001@web-3", "cat"), key.keyId()));
    }

    private static String read(CaptureStore store, SignedCapture c) throws IOException {
        try (var in = store.content(c.record())) {
            return new String(in.readAllBytes());
        }
    }
}
