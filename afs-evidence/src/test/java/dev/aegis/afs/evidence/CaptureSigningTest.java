package dev.aegis.afs.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureSigningTest {

    @TempDir
    Path dir;

    static CaptureRecord record(String keyId, String sha) {
        return new CaptureRecord(1, "2026-11-18/120000.000-" + sha.substring(0, 12) + "-payments.prod.logs.api.log", sha,
                42, 3, Instant.parse("2026-11-18T12:00:00.123Z"), "payments", "prod",
                "/teams/payments/prod/logs/api.log?tail=3", "{app=\"api\"}", "loki:main", "false",
                new CaptureRecord.Reader("unix:1001@web-3", "cat"), keyId);
    }

    @Test
    void canonicalFormFollowsRfc8785() throws Exception {
        // RFC 8785 section 3.2.2 input, minus the number cases Jackson would re-format before JCS sees them
        String input = "{\"numbers\":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"
                + "\"string\":\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\","
                + "\"literals\":[null,true,false]}";
        String expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                + "\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assertEquals(expected, new String(new org.erdtman.jcs.JsonCanonicalizer(input).getEncodedUTF8(), StandardCharsets.UTF_8));
        // keys sorted, no whitespace: what a verifier in another language recomputes
        String canonical = new String(record("k", "a".repeat(64)).canonical(), StandardCharsets.UTF_8);
        assertTrue(canonical.startsWith("{\"backend\":\"loki:main\",\"caller\":{\"command\":\"cat\",\"principal\":\"unix:1001@web-3\"},"
                + "\"captured_at\":\"2026-11-18T12:00:00.123Z\",\"env\":\"prod\","), canonical);
        assertTrue(canonical.endsWith("\"truncated\":\"false\",\"v\":1}"), canonical);
    }

    static CaptureRecord tagged(CaptureRecord r, String incident) {
        return new CaptureRecord(r.v(), r.id(), r.sha256(), r.size(), r.lines(), r.capturedAt(), r.team(), r.env(),
                r.source(), r.query(), r.backend(), r.truncated(), r.caller(), r.keyId(), Optional.of(incident));
    }

    @Test
    void incidentIsSignedAndARecordWithoutItKeepsItsCanonicalForm() throws Exception {
        CaptureKey key = CaptureKey.loadOrCreate(dir.resolve("keys/capture.key"), new SecureRandom());
        CaptureRecord plain = record(key.keyId(), "a".repeat(64));
        // a record made before the field existed: the same canonical bytes, so its old signature still verifies
        assertTrue(!new String(plain.canonical(), StandardCharsets.UTF_8).contains("incident"));
        SignedCapture old = key.sign(plain);
        PinnedKeys pinned = PinnedKeys.of(key.pinned());
        Instant now = Instant.parse("2026-11-18T12:00:01Z");
        SignedCapture oldBack = SignedCapture.parse(new ObjectMapper().writeValueAsBytes(old.toJson()));
        assertEquals(Optional.empty(), oldBack.record().incident());
        assertEquals(Optional.empty(), pinned.problem(oldBack, now));

        SignedCapture signed = key.sign(tagged(plain, "INC-7"));
        String canonical = new String(signed.record().canonical(), StandardCharsets.UTF_8);
        assertTrue(canonical.contains("\"incident\":\"INC-7\""), canonical);
        SignedCapture back = SignedCapture.parse(new ObjectMapper().writeValueAsBytes(signed.toJson()));
        assertEquals(Optional.of("INC-7"), back.record().incident());
        assertEquals(Optional.empty(), pinned.problem(back, now));

        // moving a read into another incident, or out of one, breaks the signature
        assertTrue(pinned.problem(new SignedCapture(tagged(plain, "INC-8"), signed.signature()), now).isPresent());
        assertTrue(pinned.problem(new SignedCapture(plain, signed.signature()), now).isPresent());
    }

    @Test
    void malformedIncidentIsRefusedNamingTheField() {
        CaptureRecord plain = record("k", "a".repeat(64));
        for (String bad : new String[] {"", "INC 7", "..", "a/b", "x".repeat(65), "INC-7\n"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tagged(plain, bad));
            assertTrue(e.getMessage().startsWith("evidence record field incident "), e.getMessage());
        }
        var json = plain.toJson().put("incident", "bad id");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CaptureRecord.fromJson(json));
        assertTrue(e.getMessage().contains("'bad id' is not an incident id"), e.getMessage());
        var number = plain.toJson().put("incident", 7);
        assertThrows(IllegalArgumentException.class, () -> CaptureRecord.fromJson(number));
        assertTrue(IncidentId.valid("INC-2026.11_a"));
        assertTrue(IncidentId.valid("x".repeat(64)));
    }

    @Test
    void signedRecordVerifiesAndAnyChangeBreaksIt() throws Exception {
        CaptureKey key = CaptureKey.loadOrCreate(dir.resolve("keys/capture.key"), new SecureRandom());
        SignedCapture signed = key.sign(record(key.keyId(), "a".repeat(64)));
        PinnedKeys pinned = PinnedKeys.of(key.pinned());
        Instant now = Instant.parse("2026-11-18T12:00:01Z");
        assertEquals(Optional.empty(), pinned.problem(signed, now));

        // round trip through the sidecar / registration JSON
        SignedCapture back = SignedCapture.parse(new ObjectMapper().writeValueAsBytes(signed.toJson()));
        assertEquals(signed, back);
        assertEquals(Optional.empty(), pinned.problem(back, now));

        // re-hashed record under the old signature
        SignedCapture forged = new SignedCapture(record(key.keyId(), "b".repeat(64)), signed.signature());
        assertTrue(pinned.problem(forged, now).orElseThrow().contains("forged or changed after it was signed"));

        // signed by another key that is not pinned
        CaptureKey other = CaptureKey.loadOrCreate(dir.resolve("other/capture.key"), new SecureRandom());
        SignedCapture byOther = other.sign(record(other.keyId(), "a".repeat(64)));
        assertTrue(pinned.problem(byOther, now).orElseThrow().contains("not pinned"));

        // a key past its not_after
        PinnedKeys expired = PinnedKeys.of(new PinnedKey(key.keyId(), key.publicKey(), Optional.of(now.minusSeconds(1))));
        assertTrue(expired.problem(signed, now).orElseThrow().contains("was valid until"));
    }

    @Test
    void captureKeyIsCreated0600AndRefusedWhenOthersCanReadIt() throws Exception {
        Path file = dir.resolve("keys/capture.key");
        CaptureKey first = CaptureKey.loadOrCreate(file, new SecureRandom());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals(first.keyId(), CaptureKey.loadOrCreate(file, new SecureRandom()).keyId(), "the key persists");
        assertEquals(first.publicKey() + "\n", Files.readString(dir.resolve("keys/capture.pub")));
        byte[] raw = Keys.fromBase64url(first.publicKey());
        assertEquals(32, raw.length);
        assertEquals(16, first.keyId().length());

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IOException e = assertThrows(IOException.class, () -> CaptureKey.loadOrCreate(file, new SecureRandom()));
        assertTrue(e.getMessage().contains("chmod 600 " + file), e.getMessage());
    }

    @Test
    void pinnedKeyWhoseIdDoesNotMatchIsRefused() throws Exception {
        CaptureKey key = CaptureKey.loadOrCreate(dir.resolve("k/capture.key"), new SecureRandom());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PinnedKey("0000000000000000", key.publicKey(), Optional.empty()));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    }

    @Test
    void malformedRecordNamesTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SignedCapture.parse("{\"record\": {\"v\": 1, \"id\": \"x\"}, \"signature\": \"AA\"}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("captured_at"), e.getMessage());
    }

    @Test
    void contentHashMatchesSha256sum() throws Exception {
        Path f = dir.resolve("f");
        Files.write(f, new byte[3 << 20]);
        String hash = ContentHash.sha256(f);
        assertEquals(HexSha.of(new byte[3 << 20]), hash);
        Files.write(f, "x".getBytes(StandardCharsets.UTF_8));
        assertNotEquals(hash, ContentHash.sha256(f));
        assertArrayEquals(new byte[0], new byte[0]);
    }

    private static final class HexSha {
        static String of(byte[] b) {
            return java.util.HexFormat.of().formatHex(Keys.sha256(b));
        }
    }
}
