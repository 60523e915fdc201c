package dev.aegis.afs.intent;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.util.Base64URL;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Signs intents with the current online key (control plane side). The key is the certified key
 * with the latest not_before whose certificate still covers the whole life of the intent, so
 * keys rotate as their periods begin and an old key is never used for an intent that would
 * outlive its certificate.
 */
public final class IntentSigner {

    public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
    static final JOSEObjectType TYPE = new JOSEObjectType("afs-intent+jwt");
    private static final Duration RELOAD_EVERY = Duration.ofMinutes(5);

    private final IntentKeyStore store;
    private final Clock clock;
    private final SecureRandom random;
    private final Duration defaultTtl;
    private List<IntentKeyStore.CertifiedKey> keys = List.of();
    private Instant loadedAt = Instant.MIN;

    public IntentSigner(IntentKeyStore store, Clock clock, SecureRandom random, Duration defaultTtl) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.random = requireNonNull(random, "random is null");
        this.defaultTtl = requireNonNull(defaultTtl, "defaultTtl is null");
        if (defaultTtl.isNegative() || defaultTtl.isZero()) {
            throw new IllegalArgumentException("intent ttl must be positive, not " + defaultTtl);
        }
    }

    public Intent sign(Action action) {
        return sign(action, defaultTtl);
    }

    /** Signs {@code action}, valid from now for {@code ttl} (the lease's lifetime). */
    public synchronized Intent sign(Action action, Duration ttl) {
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        Instant exp = now.plus(ttl);
        IntentKeyStore.CertifiedKey key = current(now, exp);
        byte[] id = new byte[16];
        random.nextBytes(id);
        String jti = Base64URL.encode(id).toString();
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.EdDSA).type(TYPE).keyID(key.certificate().keyId()).build(),
                new Payload(IntentClaims.write(action, jti, now, exp)));
        try {
            jws.sign(new Ed25519Signer(key.privateKey()));
        } catch (JOSEException e) {
            throw new IllegalStateException("signing the intent failed", e);
        }
        return new Intent(action, jti, now, exp, jws.serialize());
    }

    private IntentKeyStore.CertifiedKey current(Instant now, Instant exp) {
        Optional<IntentKeyStore.CertifiedKey> k = pick(now, exp);
        if (k.isEmpty() || now.isAfter(loadedAt.plus(RELOAD_EVERY))) {
            reload(now);
            k = pick(now, exp);
        }
        return k.orElseThrow(() -> new IllegalStateException("no certified intent key covers " + now + " to " + exp
                + " in " + store.dir() + "; run afs keys rotate --root ROOT_KEY --data-dir DATA_DIR"));
    }

    private Optional<IntentKeyStore.CertifiedKey> pick(Instant now, Instant exp) {
        IntentKeyStore.CertifiedKey best = null;
        for (IntentKeyStore.CertifiedKey k : keys) {
            KeyCertificate c = k.certificate();
            if (!c.notBefore().isAfter(now) && !exp.isAfter(c.notAfter())
                    && (best == null || c.notBefore().isAfter(best.certificate().notBefore()))) {
                best = k;
            }
        }
        return Optional.ofNullable(best);
    }

    private void reload(Instant now) {
        try {
            keys = store.keys();
            loadedAt = now;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
