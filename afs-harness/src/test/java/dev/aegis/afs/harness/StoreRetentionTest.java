package dev.aegis.afs.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.evidence.CaptureKey;
import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.ContentHash;
import dev.aegis.afs.evidence.SignedCapture;
import dev.aegis.afs.evidence.store.ExpiringStore;
import dev.aegis.afs.evidence.store.PostgresCaptureStore;
import dev.aegis.afs.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's sweep of the shared postgresql evidence store: evidence.retention from now, never while holds are unknown. */
class StoreRetentionTest {

    private static final Instant NOW = Instant.parse("2026-11-18T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void deletesWhatIsOlderThanTheRetentionOnlyWhenTheHoldsAreKnown() throws Exception {
        assumeTrue(PostgresServer.installed(), "postgresql-15 is not installed (bin/setup installs it)");
        CaptureKey key = CaptureKey.loadOrCreate(dir.resolve("capture.key"), new SecureRandom());
        try (PostgresServer pg = PostgresServer.start();
             PostgresCaptureStore store = PostgresCaptureStore.open(pg.createDatabase("afs"),
                     Optional.of(PostgresServer.SUPERUSER), Optional.empty(), true)) {
            // retention 72h: one capture 73h old, one 71h old
            String expired = capture(store, key, "expired.log", NOW.minus(Duration.ofHours(73)));
            String recent = capture(store, key, "recent.log", NOW.minus(Duration.ofHours(71)));
            Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

            StoreRetention unknown = new StoreRetention(store, () -> {
                throw new AfsException(AfsError.UNAVAILABLE, "the request store cannot be reached");
            }, Duration.ofHours(72), clock);
            assertTrue(unknown.runOnce().isEmpty(), "holds unknown: the sweep deletes nothing");
            assertTrue(store.record(expired).isPresent());

            StoreRetention sweep = new StoreRetention(store, Set::of, Duration.ofHours(72), clock);
            assertEquals(Optional.of(new ExpiringStore.Swept(1, 1, 0)), sweep.runOnce());
            assertTrue(store.record(expired).isEmpty());
            assertTrue(store.record(recent).isPresent());
        }
    }

    private String capture(PostgresCaptureStore store, CaptureKey key, String name, Instant at) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, name + " content\n");
        String sha = ContentHash.sha256(f);
        SignedCapture c = key.sign(new CaptureRecord(1, "2026-11-15/120000.000-" + sha.substring(0, 12) + "-" + name, sha,
                Files.size(f), 1, at, "payments", "prod", "/teams/payments/prod/logs/api.log?tail=1", "q", "file:local",
                "false", new CaptureRecord.Reader("unix:1001@web-3", "cat"), key.keyId()));
        store.put(c, f, Map.of());
        return c.record().id();
    }
}
