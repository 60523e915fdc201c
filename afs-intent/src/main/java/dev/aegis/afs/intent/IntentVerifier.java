package dev.aegis.afs.intent;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.aegis.afs.intent.IntentRefused.Reason;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's check of an intent, in the order that costs least to an attacker's benefit:
 * form, key id, the key's certificate under the pinned root (and its validity window), the
 * signature, audience, expiry (with a small clock skew), a lifetime cap, and last the replay
 * cache (so that only a fully valid intent burns its jti). Any failure is an
 * {@link IntentRefused}; nothing here reaches the API server.
 */
public final class IntentVerifier {

    public static final Duration DEFAULT_SKEW = Duration.ofSeconds(5);
    /** An intent valid for longer than this is refused whatever its signature: leases are short. */
    public static final Duration MAX_LIFETIME = Duration.ofMinutes(10);

    private final OctetKeyPair root;
    private final String cluster;
    private final KeySource keys;
    private final ReplayGuard replay;
    private final Clock clock;
    private final long skew;
    /** Certificates already checked under the root, by their compact form: one Ed25519 check per key, not per intent. */
    private final Map<String, KeyCertificate> certified = new ConcurrentHashMap<>();

    public IntentVerifier(OctetKeyPair root, String cluster, KeySource keys, ReplayGuard replay, Clock clock, Duration skew) {
        this.root = requireNonNull(root, "root is null").toPublicJWK();
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.keys = requireNonNull(keys, "keys is null");
        this.replay = requireNonNull(replay, "replay is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.skew = requireNonNull(skew, "skew is null").getSeconds();
    }

    public Intent verify(String compact) throws IntentRefused {
        Instant now = clock.instant();
        JWSObject jws;
        try {
            jws = JWSObject.parse(compact.trim());
        } catch (ParseException e) {
            throw new IntentRefused(Reason.MALFORMED, "intent refused: not a compact JWS (" + e.getMessage() + ")");
        }
        if (!JWSAlgorithm.EdDSA.equals(jws.getHeader().getAlgorithm()) || !IntentSigner.TYPE.equals(jws.getHeader().getType())) {
            throw new IntentRefused(Reason.MALFORMED, "intent refused: header must be alg EdDSA, typ " + IntentSigner.TYPE
                    + ", not alg " + jws.getHeader().getAlgorithm() + ", typ " + jws.getHeader().getType());
        }
        String kid = jws.getHeader().getKeyID();
        if (kid == null) {
            throw new IntentRefused(Reason.UNKNOWN_KID, "intent refused: its header names no kid");
        }
        String certificate = keys.certificate(kid).orElseThrow(() -> new IntentRefused(Reason.UNKNOWN_KID,
                "intent refused: key " + kid + " is not in the control plane's key set"));
        KeyCertificate cert = certified.get(certificate);
        if (cert == null || !cert.keyId().equals(kid)) {
            cert = KeyCertificate.verify(certificate, root, kid);
            if (certified.size() >= 64) {
                certified.clear();
            }
            certified.put(certificate, cert);
        }
        if (!cert.validAt(now, skew)) {
            throw new IntentRefused(Reason.CERTIFICATE_EXPIRED, "intent refused: the certificate of key " + kid
                    + " is valid from " + cert.notBefore() + " to " + cert.notAfter() + ", not at " + now
                    + "; the control plane needs afs keys rotate");
        }
        try {
            if (!jws.verify(new Ed25519Verifier(cert.publicKey()))) {
                throw new IntentRefused(Reason.BAD_SIGNATURE, "intent refused: the signature does not verify under key " + kid
                        + " (payload altered or signed by another key)");
            }
        } catch (JOSEException e) {
            throw new IntentRefused(Reason.BAD_SIGNATURE, "intent refused: " + e.getMessage());
        }
        Intent intent = IntentClaims.read(jws.getPayload().toString(), compact.trim());
        if (!cluster.equals(intent.action().cluster())) {
            throw new IntentRefused(Reason.WRONG_AUDIENCE, "intent refused: it is for cluster '" + intent.action().cluster()
                    + "', this agent serves '" + cluster + "'");
        }
        if (now.isAfter(intent.expiresAt().plusSeconds(skew))) {
            throw new IntentRefused(Reason.EXPIRED, "intent refused: it expired at " + intent.expiresAt() + " (now " + now + ")");
        }
        if (intent.issuedAt().isAfter(now.plusSeconds(skew))) {
            throw new IntentRefused(Reason.NOT_YET_VALID, "intent refused: issued at " + intent.issuedAt()
                    + ", in the future (now " + now + "); check both clocks");
        }
        if (Duration.between(intent.issuedAt(), intent.expiresAt()).compareTo(MAX_LIFETIME) > 0) {
            throw new IntentRefused(Reason.EXPIRED, "intent refused: valid for longer than " + MAX_LIFETIME
                    + " (iat " + intent.issuedAt() + ", exp " + intent.expiresAt() + ")");
        }
        if (!replay.remember(intent.jti(), intent.expiresAt().plusSeconds(skew), now)) {
            throw new IntentRefused(Reason.REPLAYED, "intent refused: jti " + intent.jti() + " was already accepted once");
        }
        return intent;
    }
}
