package dev.aegis.afs.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A changed, deleted, reordered or truncated ledger is detected and the first bad entry named. */
class LedgerTamperTest {

    @TempDir
    Path dir;
    Path ledgerFile;
    String publicKey;
    List<String> lines;

    @BeforeEach
    void writeLedger() throws Exception {
        SigningKey key = SigningKey.loadOrCreate(dir.resolve("signing.key"), new SecureRandom());
        publicKey = key.publicKeyHex();
        ledgerFile = dir.resolve("ledger.jsonl");
        Ledger ledger = new Ledger(ledgerFile, key);
        try (RequestStore store = new SqliteRequestStore(dir.resolve("h.db"), ledger,
                Clock.fixed(Instant.parse("2026-11-18T12:00:00Z"), ZoneOffset.UTC))) {
            for (int i = 1; i <= 6; i++) {
                int n = i;
                store.inTransaction(tx -> {
                    tx.record("cr-" + n, "note", "uid:" + (1000 + n), RequestStore.detail("n", n, "text", "entry " + n));
                    return null;
                });
            }
        }
        lines = Files.readAllLines(ledgerFile);
        assertEquals(6, lines.size());
    }

    private LedgerVerifier.Result verify() throws Exception {
        return LedgerVerifier.verify(ledgerFile, publicKey);
    }

    private void write(List<String> content) throws Exception {
        Files.write(ledgerFile, content);
    }

    @Test
    void intactLedgerVerifies() throws Exception {
        LedgerVerifier.Result r = verify();
        assertTrue(r.ok(), r.problem().orElse(""));
        assertEquals(6, r.entries());
    }

    @Test
    void changedEntryIsNamed() throws Exception {
        List<String> copy = new ArrayList<>(lines);
        copy.set(2, copy.get(2).replace("entry 3", "entry X"));
        write(copy);
        LedgerVerifier.Result r = verify();
        assertEquals(Optional.of(3L), r.firstBad());
        assertEquals("entry 3 was changed: its content does not match its hash", r.problem().orElseThrow());
    }

    @Test
    void deletedEntryIsNamed() throws Exception {
        List<String> copy = new ArrayList<>(lines);
        copy.remove(3);
        write(copy);
        LedgerVerifier.Result r = verify();
        assertEquals(Optional.of(4L), r.firstBad());
        assertTrue(r.problem().orElseThrow().startsWith("entry 4 carries seq 5: entries were deleted or reordered (entry 4 is missing)"),
                r.problem().orElseThrow());
    }

    @Test
    void reorderedEntriesAreNamed() throws Exception {
        List<String> copy = new ArrayList<>(lines);
        Collections.swap(copy, 1, 2);
        write(copy);
        LedgerVerifier.Result r = verify();
        assertEquals(Optional.of(2L), r.firstBad());
        assertTrue(r.problem().orElseThrow().contains("entries were deleted or reordered"));
    }

    @Test
    void truncationIsDetectedThroughTheSignedCheckpoint() throws Exception {
        write(lines.subList(0, 4));
        LedgerVerifier.Result r = verify();
        assertFalse(r.ok());
        assertEquals(Optional.of(5L), r.firstBad());
        assertEquals("the ledger ends after entry 4 but the signed checkpoint counts 6 entries: entries 5..6 were removed (truncated)",
                r.problem().orElseThrow());
    }

    @Test
    void forgedCheckpointIsDetected() throws Exception {
        write(lines.subList(0, 4));
        Path cp = Ledger.checkpointPath(ledgerFile);
        Files.writeString(cp, Files.readString(cp).replace("\"count\":6", "\"count\":4"));
        LedgerVerifier.Result r = verify();
        assertTrue(r.problem().orElseThrow().contains("is not signed by the pinned ledger key"), r.problem().orElseThrow());
    }

    @Test
    void anEmptiedLedgerWithItsCheckpointDeletedFails() throws Exception {
        write(List.of());
        Files.delete(Ledger.checkpointPath(ledgerFile));
        LedgerVerifier.Result r = verify();
        assertFalse(r.ok());
        assertTrue(r.problem().orElseThrow().contains("checkpoint " + Ledger.checkpointPath(ledgerFile) + " is missing"),
                r.problem().orElseThrow());
    }

    @Test
    void truncatingBothLedgerAndCheckpointIsFoundAgainstTheWitness() throws Exception {
        SigningKey key = SigningKey.loadOrCreate(dir.resolve("signing.key"), new SecureRandom());
        try (LedgerWitness witness = LedgerWitness.start(dir.resolve("witness"), publicKey,
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))) {
            java.net.URI url = java.net.URI.create(witness.url());
            LedgerCheckpoint six = LedgerCheckpoint.parse(Files.readString(Ledger.checkpointPath(ledgerFile))).orElseThrow();
            LedgerWitness.client(url).record(six);
            // root on the harness host cuts the ledger to 4 entries and re-signs a matching checkpoint with the harness key
            write(lines.subList(0, 4));
            String head4 = Ledger.JSON.readTree(lines.get(3)).path("hash").asText();
            Files.writeString(Ledger.checkpointPath(ledgerFile), LedgerCheckpoint.sign(4, head4, "2026-11-18T12:00:00Z", key).json());
            assertTrue(verify().ok(), "without the witness the cut cannot be seen");
            // the witness refuses the older checkpoint, and verification against it fails
            assertThrows(java.io.IOException.class, () -> LedgerWitness.client(url).record(
                    LedgerCheckpoint.sign(4, head4, "2026-11-18T12:00:00Z", key)));
            LedgerVerifier.Result r = LedgerVerifier.verify(ledgerFile, publicKey, LedgerWitness.latest(url));
            assertFalse(r.ok());
            assertTrue(r.problem().orElseThrow().contains("but the witnessed checkpoint"), r.problem().orElseThrow());
            assertTrue(r.problem().orElseThrow().contains("entries 5..6 were removed"), r.problem().orElseThrow());
        }
    }

    @Test
    void entrySignedByAnotherKeyIsDetected() throws Exception {
        String other = SigningKey.loadOrCreate(dir.resolve("other.key"), new SecureRandom()).publicKeyHex();
        LedgerVerifier.Result r = LedgerVerifier.verify(ledgerFile, other);
        assertEquals(Optional.of(1L), r.firstBad());
        assertTrue(r.problem().orElseThrow().contains("no valid signature"));
    }

}
