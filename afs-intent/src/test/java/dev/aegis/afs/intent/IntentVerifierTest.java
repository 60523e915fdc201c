package dev.aegis.afs.intent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import dev.aegis.afs.intent.Action.Mode;
import dev.aegis.afs.intent.Action.Target;
import dev.aegis.afs.intent.IntentRefused.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way an intent is refused, and the one way it is accepted. */
class IntentVerifierTest {

    static final Instant T0 = Instant.parse("2026-12-02T03:00:00Z");

    @TempDir
    Path dir;

    final SecureRandom random = new SecureRandom();
    final MutableClock clock = new MutableClock(T0);
    OctetKeyPair root;
    IntentKeyStore store;
    IntentSigner signer;
    ReplayCache replay;
    IntentVerifier verifier;

    @BeforeEach
    void setUp() throws Exception {
        root = KeyFile.generate(random);
        store = IntentKeyStore.open(dir.resolve("harness"));
        store.rotate(root, T0, Duration.ofHours(24), Duration.ofHours(1), 1, random);
        signer = new IntentSigner(store, clock, random, IntentSigner.DEFAULT_TTL);
        replay = ReplayCache.open(dir.resolve("replay"));
        verifier = verifierFor("prod-eu");
    }

    @AfterEach
    void tearDown() throws Exception {
        replay.close();
    }

    IntentVerifier verifierFor(String cluster) throws Exception {
        Jwks jwks = Jwks.parse(Jwks.json(store.published(clock.instant())));
        return new IntentVerifier(root.toPublicJWK(), cluster, jwks::certificate, replay, clock, IntentVerifier.DEFAULT_SKEW);
    }

    static Action scale(String cluster, long replicas) {
        return new Action(cluster, "cr-7", "a1", "scale", new Target("Deployment", "payments", "api"),
                Map.of("replicas", replicas), Mode.EXECUTE, "ab".repeat(32), "cr-7/a1");
    }

    @Test
    void aSignedIntentVerifiesWithEveryClaim() throws Exception {
        Intent signed = signer.sign(scale("prod-eu", 4));
        Intent got = verifier.verify(signed.compact());
        assertEquals(signed.action(), got.action());
        assertEquals(4L, got.action().parameters().get("replicas"));
        assertEquals(signed.jti(), got.jti());
        assertEquals(T0.plusSeconds(30), got.expiresAt());
        assertEquals(signed.sha256(), got.sha256());
    }

    @Test
    void aTamperedPayloadIsRefused() throws Exception {
        String[] parts = signer.sign(scale("prod-eu", 4)).compact().split("\\.");
        String payload = new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8).replace("\"replicas\":4", "\"replicas\":40");
        String forged = parts[0] + "." + Base64URL.encode(payload) + "." + parts[2];
        assertRefused(Reason.BAD_SIGNATURE, forged);
    }

    @Test
    void anIntentSignedByAnotherKeyUnderACertifiedKidIsRefused() throws Exception {
        String kid = store.keys().get(0).certificate().keyId();
        OctetKeyPair other = new OctetKeyPair.Builder(KeyFile.generate(random)).keyID(kid).build();
        assertRefused(Reason.BAD_SIGNATURE, forge(other, scale("prod-eu", 4), T0, T0.plusSeconds(30)));
    }

    @Test
    void anUnknownKidIsRefused() throws Exception {
        IntentKeyStore elsewhere = IntentKeyStore.open(dir.resolve("other"));
        elsewhere.rotate(root, T0, Duration.ofHours(24), Duration.ofHours(1), 1, random);
        String intent = new IntentSigner(elsewhere, clock, random, IntentSigner.DEFAULT_TTL).sign(scale("prod-eu", 4)).compact();
        assertRefused(Reason.UNKNOWN_KID, intent);
    }

    @Test
    void aKeyCertifiedByAnotherRootIsRefused() throws Exception {
        OctetKeyPair otherRoot = KeyFile.generate(random);
        OctetKeyPair key = KeyFile.generate(random);
        KeyCertificate cert = KeyCertificate.issue(otherRoot, key, T0, T0.plus(Duration.ofHours(1)));
        IntentVerifier v = new IntentVerifier(root, "prod-eu", kid -> Optional.of(cert.compact()), replay, clock,
                IntentVerifier.DEFAULT_SKEW);
        IntentRefused e = assertThrows(IntentRefused.class, () -> v.verify(forge(key, scale("prod-eu", 4), T0, T0.plusSeconds(30))));
        assertEquals(Reason.UNCERTIFIED_KEY, e.reason());
        assertTrue(e.getMessage().contains("not signed by the pinned root key"), e.getMessage());
    }

    @Test
    void aCertificateForAnotherKeyIsRefused() throws Exception {
        OctetKeyPair certified = KeyFile.generate(random);
        OctetKeyPair signing = KeyFile.generate(random);
        KeyCertificate cert = KeyCertificate.issue(root, certified, T0, T0.plus(Duration.ofHours(1)));
        IntentVerifier v = new IntentVerifier(root, "prod-eu", kid -> Optional.of(cert.compact()), replay, clock,
                IntentVerifier.DEFAULT_SKEW);
        IntentRefused e = assertThrows(IntentRefused.class, () -> v.verify(forge(signing, scale("prod-eu", 4), T0, T0.plusSeconds(30))));
        assertEquals(Reason.UNCERTIFIED_KEY, e.reason());
    }

    @Test
    void aKeyWhoseCertificateExpiredIsRefused() throws Exception {
        OctetKeyPair key = KeyFile.generate(random);
        KeyCertificate cert = KeyCertificate.issue(root, key, T0.minus(Duration.ofHours(2)), T0.minus(Duration.ofHours(1)));
        IntentVerifier v = new IntentVerifier(root, "prod-eu", kid -> Optional.of(cert.compact()), replay, clock,
                IntentVerifier.DEFAULT_SKEW);
        IntentRefused e = assertThrows(IntentRefused.class, () -> v.verify(forge(key, scale("prod-eu", 4), T0, T0.plusSeconds(30))));
        assertEquals(Reason.CERTIFICATE_EXPIRED, e.reason());
    }

    @Test
    void anIntentForAnotherClusterIsRefused() throws Exception {
        assertRefused(Reason.WRONG_AUDIENCE, signer.sign(scale("prod-us", 4)).compact());
    }

    @Test
    void anExpiredIntentIsRefusedButClockSkewIsTolerated() throws Exception {
        String late = signer.sign(scale("prod-eu", 4)).compact();
        String justInTime = signer.sign(scale("prod-eu", 5)).compact();
        clock.advance(Duration.ofSeconds(34));
        verifier.verify(justInTime);
        clock.advance(Duration.ofSeconds(2));
        IntentRefused e = assertRefused(Reason.EXPIRED, late);
        assertTrue(e.getMessage().contains("expired at 2026-12-02T03:00:30Z"), e.getMessage());
    }

    @Test
    void anIntentValidForTooLongIsRefused() throws Exception {
        OctetKeyPair key = store.keys().get(0).privateKey();
        assertRefused(Reason.EXPIRED, forge(key, scale("prod-eu", 4), T0, T0.plus(Duration.ofHours(1))));
    }

    @Test
    void aReplayedJtiIsRefusedAlsoAfterARestart() throws Exception {
        String intent = signer.sign(scale("prod-eu", 4)).compact();
        verifier.verify(intent);
        assertRefused(Reason.REPLAYED, intent);
        replay.close();
        replay = ReplayCache.open(dir.resolve("replay"));
        verifier = verifierFor("prod-eu");
        assertRefused(Reason.REPLAYED, intent);
    }

    @Test
    void aRefusedIntentDoesNotBurnItsJti() throws Exception {
        Intent signed = signer.sign(scale("prod-eu", 4));
        assertRefused(Reason.WRONG_AUDIENCE, signed.compact(), verifierFor("prod-us"));
        assertEquals(0, replay.size());
        verifier.verify(signed.compact());
    }

    @Test
    void garbageAndOtherAlgorithmsAreRefused() throws Exception {
        assertRefused(Reason.MALFORMED, "not-a-jws");
        JWSObject hs = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.HS256).type(IntentSigner.TYPE)
                .keyID(store.keys().get(0).certificate().keyId()).build(),
                new Payload(IntentClaims.write(scale("prod-eu", 4), "j1", T0, T0.plusSeconds(30))));
        hs.sign(new MACSigner(new byte[32]));
        assertRefused(Reason.MALFORMED, hs.serialize());
    }

    @Test
    void keysRotateByPeriodAndBothVerifyDuringTheOverlap() throws Exception {
        store.rotate(root, T0.plus(Duration.ofHours(24)), Duration.ofHours(24), Duration.ofHours(1), 1, random);
        List<IntentKeyStore.CertifiedKey> keys = store.keys();
        Intent first = signer.sign(scale("prod-eu", 4));
        assertEquals(keys.get(0).certificate().keyId(), JWSObject.parse(first.compact()).getHeader().getKeyID());
        clock.set(T0.plus(Duration.ofHours(24)).minusSeconds(10));
        Intent last = signer.sign(scale("prod-eu", 4));
        assertEquals(keys.get(0).certificate().keyId(), JWSObject.parse(last.compact()).getHeader().getKeyID());
        clock.set(T0.plus(Duration.ofHours(24)));
        Intent second = signer.sign(scale("prod-eu", 4));
        assertEquals(keys.get(1).certificate().keyId(), JWSObject.parse(second.compact()).getHeader().getKeyID());
        verifier = verifierFor("prod-eu");
        verifier.verify(last.compact());
        verifier.verify(second.compact());
        assertEquals(0, store.prune(clock.instant()));
        assertEquals(1, store.prune(T0.plus(Duration.ofHours(25)).plusSeconds(1)));
    }

    @Test
    void theSignerRefusesWhenNoCertifiedKeyCoversTheIntent() {
        clock.set(T0.plus(Duration.ofHours(25)).minusSeconds(10));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> signer.sign(scale("prod-eu", 4)));
        assertTrue(e.getMessage().contains("run afs keys rotate"), e.getMessage());
    }

    @Test
    void jtisAreUnique() {
        assertNotEquals(signer.sign(scale("prod-eu", 4)).jti(), signer.sign(scale("prod-eu", 4)).jti());
    }

    IntentRefused assertRefused(Reason reason, String intent) {
        return assertRefused(reason, intent, verifier);
    }

    static IntentRefused assertRefused(Reason reason, String intent, IntentVerifier v) {
        IntentRefused e = assertThrows(IntentRefused.class, () -> v.verify(intent));
        assertEquals(reason, e.reason(), e.getMessage());
        return e;
    }

    static String forge(OctetKeyPair key, Action a, Instant iat, Instant exp) throws Exception {
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.EdDSA).type(new JOSEObjectType("afs-intent+jwt"))
                .keyID(key.getKeyID()).build(), new Payload(IntentClaims.write(a, "forged-" + System.nanoTime(), iat, exp)));
        jws.sign(new Ed25519Signer(key));
        return jws.serialize();
    }
}
