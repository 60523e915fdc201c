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
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.file())));
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(EvidenceStore.sidecarPath(r.file()))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.file().getParent())));
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

    private static long inode(Path p) throws Exception {
        return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    }

    private long blobs() throws Exception {
        try (var walk = Files.walk(dir.resolve("blobs"))) {
            return walk.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void identicalContentIsStoredOncePerTeamEnvAndEmptyResultsCostOneBlob() throws Exception {
        EvidenceStore store = store(1 << 20);
        EvidenceRecord a = store.capture("api.log", "/teams/payments/prod/logs/api.log?tail=2", lines("a", "b"));
        now.set(now.get().plusSeconds(1));
        EvidenceRecord b = store.capture("api.log", "/teams/payments/prod/logs/api.log?tail=2", lines("a", "b"));
        assertFalse(a.id().equals(b.id()), "one record per capture");
        assertEquals(inode(a.file()), inode(b.file()), "one copy of the content");
        // the same bytes read from another env are not shared: that would tell one tenant what another read
        EvidenceRecord c = store.capture("api.log", "/teams/payments/staging/logs/api.log?tail=2", lines("a", "b"));
        assertFalse(inode(a.file()) == inode(c.file()));
        for (int i = 0; i < 5; i++) {
            store.capture("e.log", "/teams/payments/prod/logs/e.log?grep=nothing" + i, lines());
        }
        assertEquals(3, blobs(), "a/b content for prod and for staging, and one empty blob for prod");
        assertEquals(8, store.ids().size());
        assertEquals("payments", b.team());
        assertEquals("prod", b.env());
    }

    @Test
    void sweepKeepsHeldRecordsAndDeletesBlobsNoRecordPointsAt() throws Exception {
        EvidenceStore store = store(1 << 20);
        EvidenceRecord held = store.capture("api.log", "/teams/p/prod/logs/api.log", lines("cited"));
        EvidenceRecord expired = store.capture("api.log", "/teams/p/prod/logs/api.log?x", lines("not cited"));
        EvidenceRecord shared = store.capture("api.log", "/teams/p/prod/logs/api.log?y", lines("shared"));
        now.set(now.get().plus(Duration.ofHours(71)));
        EvidenceRecord recent = store.capture("api.log", "/teams/p/prod/logs/api.log?z", lines("shared"));
        assertEquals(inode(shared.file()), inode(recent.file()));
        now.set(now.get().plus(Duration.ofHours(2)));
        EvidenceStore.Swept swept = store.expire(java.util.Set.of(held.id()));
        assertEquals(new EvidenceStore.Swept(2, 1, 1), swept, "expired and shared records go; only the unshared blob goes");
        assertEquals(List.of(held.id(), recent.id()), store.ids());
        assertFalse(Files.exists(expired.file()));
        assertEquals("shared\n", Files.readString(recent.file()));
        assertEquals(2, blobs());
    }

    @Test
    void aDirectoryOpenToOthersIsRefusedAtStartWithTheFix() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        EvidenceStore store = new EvidenceStore(open, Duration.ofHours(1), 1 << 20, clock);
        java.io.IOException e = assertThrows(java.io.IOException.class, store::checkAtStart);
        assertTrue(e.getMessage().contains("chmod 700 " + open), e.getMessage());
    }

    @Test
    void recordsAreSignedAndAttributed() throws Exception {
        EvidenceStore store = new EvidenceStore(dir.resolve("ev"), Duration.ofHours(72), 1 << 20, clock,
                new CallerNames("web-3", Path.of("/proc")), dir.resolve("keys/capture.key"));
        EvidenceRecord r = store.capture("api.log", "/teams/p/prod/logs/api.log",
                new dev.aegis.afs.core.Caller(1001, 1001, ProcessHandle.current().pid()), lines("x"));
        assertTrue(r.caller().startsWith("unix:1001@web-3 "), r.caller());
        assertFalse(r.caller().endsWith(" ?"), "the command name comes from /proc/<pid>/comm: " + r.caller());
        dev.aegis.afs.evidence.PinnedKeys keys = dev.aegis.afs.evidence.PinnedKeys.of(store.key().pinned());
        assertTrue(store.verify(store.read(r.id()), Optional.of(keys)).ok());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("keys/capture.key"))));
    }

    @Test
    void aBlobRewrittenOnDiskIsNotLentToANewCapture() throws Exception {
        EvidenceStore store = store(1 << 20);
        EvidenceRecord first = store.capture("api.log", "/teams/p/prod/logs/api.log", lines("original"));
        Files.setPosixFilePermissions(first.file(), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(first.file(), "forgedxx\n"); // same size, other bytes
        now.set(now.get().plusSeconds(1));
        EvidenceRecord second = store.capture("api.log", "/teams/p/prod/logs/api.log", lines("original"));
        assertTrue(store.verify(second).ok(), store.verify(second).toString());
        assertFalse(store.verify(first).ok(), "the rewritten record still fails");
    }

    @Test
    void sweepDeletesNothingWhenTheHarnessCannotSayWhatIsHeld() throws Exception {
        EvidenceStore store = store(1 << 20);
        EvidenceRecord old = store.capture("api.log", "/teams/p/prod/logs/api.log", lines("old"));
        now.set(now.get().plus(Duration.ofHours(73)));
        RetentionSweep down = new RetentionSweep(store, () -> {
            throw new AfsException(AfsError.UNAVAILABLE, "the harness at http://127.0.0.1:1/ is unreachable");
        }, clock);
        assertEquals(Optional.empty(), down.runOnce());
        assertTrue(Files.exists(old.file()));
        assertTrue(down.status().contains("deleted nothing") && down.status().contains("unreachable"), down.status());
        RetentionSweep up = new RetentionSweep(store, java.util.Set::of, clock);
        assertEquals(1, up.runOnce().orElseThrow().records());
        assertFalse(Files.exists(old.file()));
        assertTrue(up.status().contains("deleted 1 expired records and 1 unreferenced blobs"), up.status());
    }
}
