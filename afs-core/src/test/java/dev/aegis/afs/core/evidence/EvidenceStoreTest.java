package dev.aegis.afs.core.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.source.ReadStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvidenceStoreTest {

    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-21T21:38:00.123456Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    private EvidenceStore store(long max) {
        return new EvidenceStore(dir, Duration.ofHours(72), max, clock);
    }

    private static SnapshotProducer lines(String... lines) {
        return out -> {
            for (String l : lines) {
                out.line(l);
            }
            return new CaptureInfo("file:demo", "scan api.log tail=2", Optional.empty(),
                    ReadStats.complete(100, lines.length, Duration.ofMillis(3)));
        };
    }

    @Test
    void captureIsContentAddressedReadOnlyAndFindable() throws Exception {
        EvidenceStore store = store(1 << 20);
        EvidenceRecord r = store.capture("payments.prod.logs.api.log", "/teams/payments/prod/logs/api.log?tail=2",
                lines("a", "b"));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("a\nb\n".getBytes()));
        assertEquals(sha, r.sha256());
        assertEquals("2026-11-21/213800.123-" + sha.substring(0, 12) + "-payments.prod.logs.api.log", r.id());
        assertEquals(Instant.parse("2026-11-21T21:38:00.123Z"), r.capturedAt());
        assertEquals("a\nb\n", Files.readString(r.file()));
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.file())));
        assertEquals(List.of(r.id()), store.ids());
        // a fresh store over the same directory (a remount) finds it with all its metadata
        EvidenceRecord again = store(1 << 20).find("/evidence/" + r.id()).orElseThrow();
        assertEquals(r, again);
        assertTrue(store.verify(again).ok());
        assertFalse(Files.list(dir.resolve(".incoming")).findAny().isPresent());
    }

    @Test
    void changedContentIsDetected() throws Exception {
        EvidenceStore store = store(1 << 20);
        EvidenceRecord r = store.capture("x.log", "/x", lines("original"));
        Files.setPosixFilePermissions(r.file(), PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(r.file(), "tampered\n");
        EvidenceStore.Verification v = store(1 << 20).verify(store(1 << 20).find(r.id()).orElseThrow());
        assertFalse(v.ok());
        assertTrue(v.problem().orElseThrow().contains("changed after capture"), v.problem().get());
    }

    @Test
    void oversizedResultIsRefusedAndLeavesNothingBehind() throws Exception {
        EvidenceStore store = store(10);
        AfsException e = assertThrows(AfsException.class, () -> store.capture("x.log", "/x", lines("0123456789")));
        assertEquals(AfsError.TOO_LARGE, e.error());
        assertEquals(List.of(), store.ids());
        assertFalse(Files.list(dir.resolve(".incoming")).findAny().isPresent());
    }

    @Test
    void unwritableDirectoryFailsTheReadRatherThanServingUnrecordedData() throws Exception {
        Path file = dir.resolve("not-a-dir");
        Files.writeString(file, "");
        EvidenceStore store = new EvidenceStore(file, Duration.ofHours(1), 1 << 20, clock);
        AfsException e = assertThrows(AfsException.class, () -> store.capture("x.log", "/x", lines("a")));
        assertEquals(AfsError.UNAVAILABLE, e.error());
        assertTrue(e.getMessage().contains("nothing is served unrecorded"), e.getMessage());
    }

    @Test
    void expiresSnapshotsOlderThanTheRetention() throws Exception {
        EvidenceStore store = store(1 << 20);
        EvidenceRecord old = store.capture("old.log", "/old", lines("old"));
        now.set(now.get().plus(Duration.ofHours(71)));
        EvidenceRecord recent = store.capture("new.log", "/new", lines("new"));
        now.set(now.get().plus(Duration.ofHours(2)));
        assertEquals(1, store.expire());
        assertEquals(List.of(recent.id()), store.ids());
        assertFalse(Files.exists(old.file()));
        assertEquals(Optional.empty(), store.find(old.id()));
    }
}
