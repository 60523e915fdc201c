package dev.aegis.afs.evidence;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A capture key a verifier trusts: harness.yaml {@code evidence.capture_keys: [{key_id,
 * public_key, not_after}]}. A key whose id does not match its public key is refused, so a typo
 * cannot pin one key under another's name.
 */
public record PinnedKey(String keyId, String publicKey, Optional<Instant> notAfter) {

    public PinnedKey {
        requireNonNull(keyId, "keyId is null");
        requireNonNull(publicKey, "publicKey is null");
        requireNonNull(notAfter, "notAfter is null");
        byte[] raw;
        try {
            raw = Keys.fromBase64url(publicKey);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("public_key '" + publicKey + "' is not base64url; copy capture.pub"
                    + " from the mount host (or run afs evidence key there)");
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException("public_key holds " + raw.length + " bytes, not a 32-byte Ed25519 key;"
                    + " copy capture.pub from the mount host");
        }
        if (!Keys.keyId(raw).equals(keyId)) {
            throw new IllegalArgumentException("key_id " + keyId + " does not match public_key (whose id is "
                    + Keys.keyId(raw) + "); copy both from afs evidence key on the mount host");
        }
    }

    byte[] raw() {
        return Keys.fromBase64url(publicKey);
    }
}
