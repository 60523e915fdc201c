package dev.aegis.afs.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.evidence.CaptureKey;
import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.PinnedKeys;
import dev.aegis.afs.evidence.SignedCapture;
import dev.aegis.afs.testkit.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness keeps the incident of each registered capture and finds an incident's reads, on both stores. */
class IncidentCapturesTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    @TempDir
    Path dir;

    private static SignedCapture capture(CaptureKey key, String name, Optional<String> incident) {
        String sha = Integer.toHexString(name.hashCode()).repeat(8).substring(0, 8) + "0".repeat(56);
        return key.sign(new CaptureRecord(1, "2026-11-21/120000.000-" + sha.substring(0, 12) + "-" + name, sha, 10, 1, NOW,
                "payments", "prod", "/teams/payments/prod/logs/api.log?tail=1", "q", "file:local", "false",
                new CaptureRecord.Reader("unix:1000@web-3", "grep"), key.keyId(), incident));
    }

    private static void registersAndFindsByIncident(CaptureTable table, CaptureKey key) throws Exception {
        try (EvidenceRegistry registry = new EvidenceRegistry(table, PinnedKeys.of(key.pinned()), Clock.fixed(NOW, ZoneOffset.UTC))) {
            SignedCapture a = capture(key, "a.log", Optional.of("INC-7"));
            SignedCapture b = capture(key, "b.log", Optional.empty());
            SignedCapture c = capture(key, "c.log", Optional.of("INC-8"));
            registry.register(a);
            registry.register(b);
            registry.register(c);
            List<String> inc7 = registry.forIncident("INC-7").stream().map(r -> r.record().id()).toList();
            assertEquals(List.of(a.record().id()), inc7);
            assertEquals(Optional.of("INC-8"), registry.find(c.record().id()).orElseThrow().record().incident());
            assertEquals(List.of(), registry.forIncident("INC-9"));
        }
    }

    @Test
    void sqliteRegistryOfAnOlderHarnessGetsTheColumnAndKeepsItsCaptures() throws Exception {
        CaptureKey key = CaptureKey.loadOrCreate(dir.resolve("keys/capture.key"), new SecureRandom());
        Path file = dir.resolve("evidence.db");
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        SignedCapture old = capture(key, "old.log", Optional.empty());
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = db.createStatement()) {
            // the table as a harness from before the incident tag created it, with one capture in it
            s.execute("CREATE TABLE evidence (id TEXT PRIMARY KEY, team TEXT NOT NULL, env TEXT NOT NULL, sha256 TEXT NOT NULL,"
                    + " key_id TEXT NOT NULL, record TEXT NOT NULL, signature TEXT NOT NULL, received_ms INTEGER NOT NULL)");
            s.execute("INSERT INTO evidence VALUES ('" + old.record().id() + "', 'payments', 'prod', '" + old.record().sha256()
                    + "', '" + key.keyId() + "', '" + new String(old.record().canonical(), StandardCharsets.UTF_8) + "', '"
                    + old.signature() + "', 1)");
        }
        registersAndFindsByIncident(CaptureTable.sqlite(file), key);
        try (EvidenceRegistry registry = new EvidenceRegistry(CaptureTable.sqlite(file), PinnedKeys.of(key.pinned()), Clock.systemUTC())) {
            EvidenceRegistry.Registered back = registry.find(old.record().id()).orElseThrow();
            assertEquals(Optional.empty(), back.record().incident());
            assertTrue(PinnedKeys.of(key.pinned()).problem(back.capture(), NOW).isEmpty(), "an old record still verifies");
            // registering the very same old record again is a repeat, not a conflict
            registry.register(old);
        }
    }

    @Test
    void postgresRegistryKeepsTheIncident() throws Exception {
        assumeTrue(PostgresServer.installed(), "postgresql-15 is not installed (bin/setup installs it)");
        CaptureKey key = CaptureKey.loadOrCreate(dir.resolve("keys/capture.key"), new SecureRandom());
        try (PostgresServer pg = PostgresServer.start();
             PostgresDatabase db = PostgresDatabase.open(TestDatabases.fresh(pg))) {
            registersAndFindsByIncident(CaptureTable.postgres(db), key);
        }
    }
}
