package dev.aegis.afs.evidence.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The postgresql evidence store on a real PostgreSQL 15, written as the insert-only role a mount holds. */
class PostgresCaptureStoreTest {

    private static PostgresServer pg;
    private static String url;
    private static PostgresCaptureStore owner;
    private static PostgresCaptureStore mount;
    private static CaptureKey key;

    @TempDir
    Path dir;

    @BeforeAll
    static void start(@TempDir Path keys) throws Exception {
        assumeTrue(PostgresServer.installed(), "postgresql-15 is not installed (bin/setup installs it)");
        pg = PostgresServer.start();
        url = pg.createDatabase("afs");
        // the control plane migrates; then an operator creates each mount's login in the writer role
        owner = PostgresCaptureStore.open(url, Optional.of(PostgresServer.SUPERUSER), Optional.empty(), true);
        pg.createRole("mount_web3", "s3cret");
        pg.execute("postgres", "GRANT afs_evidence_writer TO mount_web3");
        // another component's table in the same database, as the control plane's approvals would be
        pg.execute("afs", "CREATE TABLE public.approvals (id text PRIMARY KEY, approver text)");
        pg.execute("afs", "INSERT INTO public.approvals VALUES ('cr-1', 'alice')");
        mount = PostgresCaptureStore.open(url, Optional.of("mount_web3"), Optional.of("s3cret"), false);
        key = CaptureKey.loadOrCreate(keys.resolve("capture.key"), new SecureRandom());
    }

    @AfterAll
    static void stop() {
        if (mount != null) {
            mount.close();
        }
        if (owner != null) {
            owner.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private SignedCapture capture(String name, byte[] content) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, content);
        String sha = ContentHash.sha256(f);
        return key.sign(new CaptureRecord(1, "2026-11-18/120000.000-" + sha.substring(0, 12) + "-" + name, sha,
                content.length, 1, Instant.parse("2026-11-18T12:00:00.123Z"), "payments", "prod",
                "/teams/payments/prod/logs/api.log?tail=3", "q", "file:local", "false",
                new CaptureRecord.Reader("unix:1001@web-3", "cat"), key.keyId()));
    }

    private static byte[] read(CaptureStore store, CaptureRecord r) throws IOException {
        try (InputStream in = store.content(r.team(), r.env(), r.sha256())) {
            return in.readAllBytes();
        }
    }

    @Test
    void mountPutsACaptureAndTheHarnessReadsItBackExactly() throws Exception {
        byte[] content = "2026-11-18T12:00:00Z ERROR OutOfMemoryError\n".getBytes();
        SignedCapture c = capture("a.log", content);
        mount.put(c, dir.resolve("a.log"), Map.of("bytes_received", "44"));
        SignedCapture back = owner.record(c.record().id()).orElseThrow();
        assertArrayEquals(c.record().canonical(), back.record().canonical());
        assertEquals(c.signature(), back.signature());
        assertTrue(key.pinned() != null && dev.aegis.afs.evidence.PinnedKeys.of(key.pinned())
                .problem(back, Instant.now()).isEmpty(), "the stored record still verifies");
        assertArrayEquals(content, read(owner, c.record()));
        assertEquals(Map.of("bytes_received", "44"), owner.stats(c.record().id()));
        assertTrue(owner.ids().contains(c.record().id()));
        // the same capture again is a no-op, not an error (a spool replayed after a crash)
        mount.put(c, dir.resolve("a.log"), Map.of());
    }

    @Test
    void aCaptureUnderAnIncidentKeepsItsSignedTagAndIsFoundByIt() throws Exception {
        byte[] content = "2026-11-18T12:00:00Z ERROR db pool exhausted\n".getBytes();
        SignedCapture plain = capture("inc.log", content);
        CaptureRecord r = plain.record();
        SignedCapture c = key.sign(new CaptureRecord(1, r.id(), r.sha256(), r.size(), r.lines(), r.capturedAt(), r.team(),
                r.env(), r.source(), r.query(), r.backend(), r.truncated(), r.caller(), r.keyId(), Optional.of("INC-7")));
        mount.put(c, dir.resolve("inc.log"), Map.of());
        SignedCapture back = owner.record(r.id()).orElseThrow();
        assertEquals(Optional.of("INC-7"), back.record().incident());
        assertTrue(dev.aegis.afs.evidence.PinnedKeys.of(key.pinned()).problem(back, Instant.now()).isEmpty());
        try (Connection conn = pg.connect("afs"); Statement s = conn.createStatement();
             var rs = s.executeQuery("SELECT id FROM evidence.captures WHERE incident = 'INC-7'")) {
            assertTrue(rs.next());
            assertEquals(r.id(), rs.getString(1));
        }
    }

    @Test
    void largeContentIsChunkedAndReadBackWhole() throws Exception {
        byte[] content = new byte[PostgresCaptureStore.CHUNK * 2 + 12345];
        new Random(7).nextBytes(content);
        SignedCapture c = capture("big.log", content);
        mount.put(c, dir.resolve("big.log"), Map.of());
        assertArrayEquals(content, read(owner, c.record()));
        try (Connection conn = pg.connect("afs"); Statement s = conn.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM evidence.chunks WHERE sha256 = '" + c.record().sha256() + "'")) {
            rs.next();
            assertEquals(3, rs.getInt(1));
        }
    }

    @Test
    void aSecondRecordForTheSameContentSharesTheBlob() throws Exception {
        byte[] content = "same bytes\n".getBytes();
        SignedCapture first = capture("one.log", content);
        SignedCapture second = capture("two.log", content);
        mount.put(first, dir.resolve("one.log"), Map.of());
        mount.put(second, dir.resolve("two.log"), Map.of());
        try (Connection conn = pg.connect("afs"); Statement s = conn.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM evidence.blobs WHERE sha256 = '" + first.record().sha256() + "'")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
        }
        assertTrue(owner.record(second.record().id()).isPresent());
    }

    @Test
    void aDifferentRecordUnderAnExistingIdAndContentThatDoesNotHashAreRefused() throws Exception {
        SignedCapture c = capture("c.log", "original\n".getBytes());
        mount.put(c, dir.resolve("c.log"), Map.of());
        CaptureRecord r = c.record();
        SignedCapture forged = key.sign(new CaptureRecord(1, r.id(), r.sha256(), r.size(), r.lines(), r.capturedAt(),
                r.team(), r.env(), r.source() + "&tail=1", r.query(), r.backend(), r.truncated(), r.caller(), r.keyId()));
        IOException e = assertThrows(IOException.class, () -> mount.put(forged, dir.resolve("c.log"), Map.of()));
        assertTrue(e.getMessage().contains("never overwritten"), e.getMessage());

        SignedCapture other = capture("d.log", "what was read\n".getBytes());
        Files.writeString(dir.resolve("d.log"), "rewritten after capture\n");
        e = assertThrows(IOException.class, () -> mount.put(other, dir.resolve("d.log"), Map.of()));
        assertTrue(e.getMessage().contains("changed after capture"), e.getMessage());
        assertTrue(owner.record(other.record().id()).isEmpty());
        assertThrows(NoSuchFileException.class, () -> owner.content("payments", "prod", other.record().sha256()));
    }

    @Test
    void theMountRoleMayInsertEvidenceAndNothingElse() throws Exception {
        SignedCapture c = capture("e.log", "kept\n".getBytes());
        mount.put(c, dir.resolve("e.log"), Map.of());
        try (Connection conn = DriverManager.getConnection(url, "mount_web3", "s3cret")) {
            for (String sql : List.of(
                    "UPDATE evidence.captures SET source = 'x'",
                    "DELETE FROM evidence.captures",
                    "UPDATE evidence.chunks SET data = 'x'::bytea",
                    "DELETE FROM evidence.blobs",
                    "TRUNCATE evidence.chunks",
                    "SELECT * FROM public.approvals",
                    "INSERT INTO public.approvals VALUES ('cr-2', 'mallory')",
                    "UPDATE public.approvals SET approver = 'mallory'",
                    "SELECT * FROM evidence." + PostgresCaptureStore.HISTORY_TABLE,
                    "DELETE FROM evidence." + PostgresCaptureStore.HISTORY_TABLE,
                    "CREATE TABLE evidence.mine (x int)",
                    "CREATE TABLE public.mine (x int)",
                    "DROP TABLE evidence.captures")) {
                SQLException denied = assertThrows(SQLException.class, () -> {
                    try (Statement s = conn.createStatement()) {
                        s.execute(sql);
                    }
                }, sql);
                assertTrue(denied.getMessage().contains("permission denied") || denied.getMessage().contains("must be owner"),
                        sql + ": " + denied.getMessage());
            }
        }
        // nothing reached the other tables, and the evidence is as it was
        try (Connection conn = pg.connect("afs"); Statement s = conn.createStatement();
             var rs = s.executeQuery("SELECT approver FROM public.approvals")) {
            rs.next();
            assertEquals("alice", rs.getString(1));
        }
        assertEquals(c.record().source(), owner.record(c.record().id()).orElseThrow().record().source());
    }

    @Test
    void migratingTwiceChangesNothingAndKeepsItsOwnHistoryTable() throws Exception {
        try (PostgresCaptureStore again = PostgresCaptureStore.open(url, Optional.of(PostgresServer.SUPERUSER),
                Optional.empty(), true)) {
            assertTrue(again.describe().contains("127.0.0.1"));
        }
        try (Connection conn = pg.connect("afs"); Statement s = conn.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM evidence." + PostgresCaptureStore.HISTORY_TABLE + " WHERE success AND type = 'SQL'")) {
            rs.next();
            assertEquals(3, rs.getInt(1)); // V1 the store, V2 the incident column, V3 purges
        }
    }

    @Test
    void anUnreachableStoreFailsWithinSecondsNamingTheStore() throws Exception {
        String dead = "jdbc:postgresql://127.0.0.1:1/afs";
        try (PostgresCaptureStore down = PostgresCaptureStore.open(dead, Optional.of("mount_web3"), Optional.empty(), false)) {
            SignedCapture c = capture("f.log", "x\n".getBytes());
            IOException e = assertThrows(IOException.class, () -> down.put(c, dir.resolve("f.log"), Map.of()));
            assertTrue(e.getMessage().contains("postgresql://mount_web3@127.0.0.1:1/afs cannot be reached"), e.getMessage());
        }
    }

    @Test
    void dirStoreRoundTripsTheSameLayoutTheMountWrites() throws Exception {
        DirCaptureStore store = new DirCaptureStore(dir.resolve("evidence"));
        byte[] content = "local\n".getBytes();
        SignedCapture c = capture("g.log", content);
        store.put(c, dir.resolve("g.log"), Map.of("entries", "1"));
        assertTrue(Files.exists(dir.resolve("evidence/blobs/payments/prod").resolve(c.record().sha256())));
        assertArrayEquals(content, Files.readAllBytes(dir.resolve("evidence").resolve(c.record().id())));
        assertEquals(c.signature(), store.record(c.record().id()).orElseThrow().signature());
        assertEquals(Map.of("entries", "1"), store.stats(c.record().id()));
        assertArrayEquals(content, read(store, c.record()));
        assertEquals(List.of(c.record().id()), store.ids());
    }

    @Test
    void migrationCopiesADirectoryAndVerifiesEachSnapshotWhereItArrived() throws Exception {
        DirCaptureStore old = new DirCaptureStore(dir.resolve("old-evidence"));
        SignedCapture a = capture("m1.log", "first\n".getBytes());
        SignedCapture b = capture("m2.log", "second\n".getBytes());
        old.put(a, dir.resolve("m1.log"), Map.of());
        old.put(b, dir.resolve("m2.log"), Map.of("entries", "1"));
        // a snapshot whose content was altered on disk is copied by nobody: it fails verification
        SignedCapture c = capture("m3.log", "third\n".getBytes());
        old.put(c, dir.resolve("m3.log"), Map.of());
        Path tampered = old.file(c.record().id());
        Files.setPosixFilePermissions(tampered, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.writeString(tampered, "thirD\n");

        List<EvidenceMigration.Outcome> outcomes = new java.util.ArrayList<>();
        EvidenceMigration.Summary first = new EvidenceMigration(old, owner,
                Optional.of(dev.aegis.afs.evidence.PinnedKeys.of(key.pinned())), dir).run(outcomes::add);
        assertEquals(new EvidenceMigration.Summary(2, 0, 1), first, outcomes.toString());
        EvidenceMigration.Outcome bad = outcomes.stream().filter(o -> o.id().equals(c.record().id())).findFirst().orElseThrow();
        assertTrue(bad.problem().orElseThrow().contains("changed after capture"), outcomes.toString());
        assertTrue(owner.record(c.record().id()).isEmpty(), "the altered snapshot did not reach the store");
        assertArrayEquals("second\n".getBytes(), read(owner, b.record()));
        assertEquals(Map.of("entries", "1"), owner.stats(b.record().id()));
        // again: nothing copied twice, everything verified where it is
        EvidenceMigration.Summary second = new EvidenceMigration(old, owner, Optional.empty(), dir).run(o -> { });
        assertEquals(new EvidenceMigration.Summary(0, 2, 1), second);
    }
}
