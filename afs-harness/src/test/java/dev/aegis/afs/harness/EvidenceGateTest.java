package dev.aegis.afs.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.evidence.EvidenceStore;
import dev.aegis.afs.evidence.CaptureKey;
import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.ContentHash;
import dev.aegis.afs.evidence.SignedCapture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evidence gate as a hostile tenant or root on the mount host would try it. */
class EvidenceGateTest {

    @TempDir
    Path dir;

    private static List<String> check(EvidenceGate gate, EvidenceRecord r, String lines) throws Exception {
        ChangeRequest cr = ChangeRequestParser.parse("cr", HarnessFixture.plan("prod", 0.9, HarnessFixture.pointer(r, lines),
                HarnessFixture.scale("api", 2, "k"), "").getBytes(StandardCharsets.UTF_8));
        return gate.check(cr.team(), cr.env(), cr.evidence());
    }

    private static String only(List<String> problems) {
        assertEquals(1, problems.size(), problems.toString());
        return problems.get(0);
    }

    /** Root on the mount host rewrites a snapshot: new content, new hash, new record written beside it. */
    private static void rewrite(EvidenceRecord r, String content, SignedCapture record) throws Exception {
        Files.setPosixFilePermissions(r.file(), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(r.file(), content);
        Path sidecar = EvidenceStore.sidecarPath(r.file());
        Files.setPosixFilePermissions(sidecar, PosixFilePermissions.fromString("rw-------"));
        ObjectNode json = record.toJson();
        json.putObject("stats");
        Files.writeString(sidecar, json.toString());
    }

    private static CaptureRecord rehashed(CaptureRecord o, String sha, long size) {
        return new CaptureRecord(o.v(), o.id(), sha, size, o.lines(), o.capturedAt(), o.team(), o.env(), o.source(),
                o.query(), o.backend(), o.truncated(), o.caller(), o.keyId());
    }

    @Test
    void everyCheckRehashesSoAChangeAfterAPassIsCaught() throws Exception {
        try (HarnessFixture f = new HarnessFixture(dir)) {
            EvidenceRecord r = f.snapshot(5);
            EvidenceGate gate = f.gate();
            assertEquals(List.of(), check(gate, r, "1-5"));
            assertEquals(List.of(), check(gate, r, "1-5"));

            // flip one bit, then put size and mtime back as root could: no metadata cache may hide it
            java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(r.file());
            Files.setPosixFilePermissions(r.file(), PosixFilePermissions.fromString("rw-------"));
            byte[] bytes = Files.readAllBytes(r.file());
            bytes[0] = (byte) (bytes[0] ^ 1);
            Files.write(r.file(), bytes);
            Files.setLastModifiedTime(r.file(), mtime);
            assertTrue(only(check(gate, r, "1-5")).contains("the snapshot was changed on disk after it was registered"));
        }
    }

    @Test
    void forgedRehashedSnapshotIsRefusedEvenWhenReSignedWithTheRealKey() throws Exception {
        try (HarnessFixture f = new HarnessFixture(dir)) {
            EvidenceRecord r = f.snapshot(5);
            EvidenceGate gate = f.gate();
            String forged = "2026-11-18T11:59:01Z INFO all good\n".repeat(5);
            Path tmp = dir.resolve("forged");
            Files.writeString(tmp, forged);
            String sha = ContentHash.sha256(tmp);
            // root re-signs the rewritten record with the mount's own key: the signature is valid ...
            SignedCapture resigned = f.captureKey.sign(rehashed(r.record(), sha, forged.length()));
            rewrite(r, forged, resigned);
            EvidenceRecord cited = f.evidence.read(r.id());
            assertEquals(sha, cited.sha256());
            // ... but it is not what the mount registered
            assertTrue(only(check(gate, cited, "1-5")).contains("differs from the sha256 " + r.sha256() + " registered at"),
                    check(gate, cited, "1-5").toString());
            // and registering the forgery under the same id is refused
            EvidenceRegistry.Refused refused = assertThrows(EvidenceRegistry.Refused.class, () -> f.registry.register(resigned));
            assertTrue(refused.getMessage().contains("a different record was registered under this id"), refused.getMessage());
        }
    }

    @Test
    void snapshotWrittenBesideTheStoreWithoutRegistrationIsRefused() throws Exception {
        try (HarnessFixture f = new HarnessFixture(dir)) {
            EvidenceRecord r = f.unregistered("/teams/payments/prod/logs/api.log", 5);
            String problem = only(check(f.gate(), r, "1-5"));
            assertTrue(problem.contains("not registered with the harness") && problem.contains("forged or re-signed"), problem);
        }
    }

    @Test
    void captureSignedByAnUnpinnedKeyCannotBeRegistered() throws Exception {
        try (HarnessFixture f = new HarnessFixture(dir)) {
            EvidenceRecord r = f.unregistered("/teams/payments/prod/logs/api.log", 5);
            CaptureKey other = CaptureKey.loadOrCreate(dir.resolve("elsewhere/capture.key"), new SecureRandom());
            CaptureRecord o = r.record();
            SignedCapture byOther = other.sign(new CaptureRecord(o.v(), o.id(), o.sha256(), o.size(), o.lines(),
                    o.capturedAt(), o.team(), o.env(), o.source(), o.query(), o.backend(), o.truncated(), o.caller(), other.keyId()));
            EvidenceRegistry.Refused e = assertThrows(EvidenceRegistry.Refused.class, () -> f.registry.register(byOther));
            assertTrue(e.getMessage().contains("which is not pinned"), e.getMessage());
            // a record whose signature does not match (a hand-edited record)
            SignedCapture edited = new SignedCapture(rehashed(o, "c".repeat(64), o.size()), r.signature());
            e = assertThrows(EvidenceRegistry.Refused.class, () -> f.registry.register(edited));
            assertTrue(e.getMessage().contains("forged or changed after it was signed"), e.getMessage());
        }
    }

    @Test
    void evidenceFromAnotherEnvIsRefused() throws Exception {
        try (HarnessFixture f = new HarnessFixture(dir)) {
            EvidenceRecord staging = f.unregistered("/teams/payments/staging/logs/api.log", 5);
            f.registry.register(staging.signed());
            String problem = only(check(f.gate(), staging, "1-5"));
            assertTrue(problem.contains("captured from payments/staging, not payments/prod"), problem);
        }
    }

    @Test
    void ageCountsFromTheHarnessReceiptNotTheClaimedCaptureTime() throws Exception {
        try (HarnessFixture f = new HarnessFixture(dir)) {
            EvidenceRecord r = f.unregistered("/teams/payments/prod/logs/api.log", 5);
            f.clock.advance(Duration.ofMinutes(50)); // registered late: 50 min after the claimed capture
            f.registry.register(r.signed());
            f.clock.advance(Duration.ofMinutes(30));
            assertEquals(List.of(), check(f.gate(), r, "1-5"), "30 min since receipt is inside the 60 min maximum");
            f.clock.advance(Duration.ofMinutes(31));
            assertTrue(only(check(f.gate(), r, "1-5")).contains("registered 61 min ago"));
        }
    }

    @Test
    void deletedContentAndLinesOutsideAreNamed() throws Exception {
        try (HarnessFixture f = new HarnessFixture(dir)) {
            EvidenceRecord r = f.snapshot(5);
            assertTrue(only(check(f.gate(), r, "4-6")).contains("lines 4-6 lie outside the snapshot, which has 5 lines"));
            Files.delete(r.file());
            assertTrue(only(check(f.gate(), r, "1-5")).contains("its content is gone from the evidence store"));
        }
    }
}
