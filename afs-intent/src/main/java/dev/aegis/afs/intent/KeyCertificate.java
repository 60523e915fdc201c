package dev.aegis.afs.intent;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.aegis.afs.intent.IntentRefused.Reason;
import java.text.ParseException;
import java.time.Instant;
import java.util.Map;

/**
 * The root key's statement that an online key may sign intents from {@code notBefore} until
 * {@code notAfter}: a compact JWS by the root over the online key's public JWK and key id (the
 * TUF shape: the root stays offline, online keys rotate under it).
 */
public record KeyCertificate(String keyId, OctetKeyPair publicKey, Instant notBefore, Instant notAfter, String compact) {

    static final JOSEObjectType TYPE = new JOSEObjectType("afs-key-cert+jwt");
    static final String ISSUER = "afs-intent-root";

    public KeyCertificate {
        requireNonNull(keyId, "keyId is null");
        requireNonNull(publicKey, "publicKey is null");
        requireNonNull(notBefore, "notBefore is null");
        requireNonNull(notAfter, "notAfter is null");
        requireNonNull(compact, "compact is null");
    }

    /** The root certifies {@code online} (its public half) for [notBefore, notAfter). */
    public static KeyCertificate issue(OctetKeyPair root, OctetKeyPair online, Instant notBefore, Instant notAfter) {
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException("certificate not_after " + notAfter + " must be after not_before " + notBefore);
        }
        OctetKeyPair pub = online.toPublicJWK();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(pub.getKeyID())
                .claim("jwk", pub.toJSONObject())
                .claim("not_before", notBefore.getEpochSecond())
                .claim("not_after", notAfter.getEpochSecond())
                .build();
        SignedJWT jws = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.EdDSA).type(TYPE).keyID(root.getKeyID()).build(), claims);
        try {
            jws.sign(new Ed25519Signer(root));
        } catch (JOSEException e) {
            throw new IllegalStateException("signing the key certificate failed", e);
        }
        return new KeyCertificate(pub.getKeyID(), pub, Instant.ofEpochSecond(notBefore.getEpochSecond()),
                Instant.ofEpochSecond(notAfter.getEpochSecond()), jws.serialize());
    }

    /**
     * Checks that {@code compact} was signed by {@code root} and certifies key {@code kid}. Its
     * validity window is not checked here (see {@link #validAt}).
     */
    public static KeyCertificate verify(String compact, OctetKeyPair root, String kid) throws IntentRefused {
        try {
            SignedJWT jws = SignedJWT.parse(compact);
            if (!JWSAlgorithm.EdDSA.equals(jws.getHeader().getAlgorithm()) || !TYPE.equals(jws.getHeader().getType())) {
                throw new IntentRefused(Reason.UNCERTIFIED_KEY, "the certificate of key " + kid + " is not an EdDSA "
                        + TYPE + "; certify the key with afs keys rotate");
            }
            if (!jws.verify(new Ed25519Verifier(root.toPublicJWK()))) {
                throw new IntentRefused(Reason.UNCERTIFIED_KEY, "the certificate of key " + kid
                        + " is not signed by the pinned root key " + root.getKeyID());
            }
            JWTClaimsSet c = jws.getJWTClaimsSet();
            Map<String, Object> jwk = c.getJSONObjectClaim("jwk");
            OctetKeyPair pub = jwk == null ? null : OctetKeyPair.parse(jwk);
            if (pub == null || pub.isPrivate() || !Curve.Ed25519.equals(pub.getCurve())) {
                throw new IntentRefused(Reason.UNCERTIFIED_KEY, "the certificate of key " + kid + " holds no Ed25519 public key");
            }
            String certified = KeyFile.keyId(pub.getDecodedX());
            if (!certified.equals(kid) || !certified.equals(c.getSubject())) {
                throw new IntentRefused(Reason.UNCERTIFIED_KEY, "the certificate offered for key " + kid
                        + " certifies key " + certified);
            }
            Long nb = c.getLongClaim("not_before");
            Long na = c.getLongClaim("not_after");
            if (nb == null || na == null) {
                throw new IntentRefused(Reason.UNCERTIFIED_KEY, "the certificate of key " + kid + " has no not_before/not_after");
            }
            return new KeyCertificate(kid, new OctetKeyPair.Builder(pub).keyID(kid).build(), Instant.ofEpochSecond(nb),
                    Instant.ofEpochSecond(na), compact);
        } catch (ParseException | JOSEException e) {
            throw new IntentRefused(Reason.UNCERTIFIED_KEY, "the certificate of key " + kid + " does not parse: " + e.getMessage());
        }
    }

    /** Whether {@code now} lies in [notBefore, notAfter], widened by {@code skewSeconds} either side. */
    public boolean validAt(Instant now, long skewSeconds) {
        return !now.isBefore(notBefore.minusSeconds(skewSeconds)) && !now.isAfter(notAfter.plusSeconds(skewSeconds));
    }
}
