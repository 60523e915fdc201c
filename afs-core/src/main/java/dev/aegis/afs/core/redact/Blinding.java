package dev.aegis.afs.core.redact;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * Stable pseudonyms per tenant: a per-team/env key derived with HKDF-SHA256 from the master
 * key, then HMAC-SHA256(tenant key, kind + value). The same IP in the same tenant always maps
 * to the same token, so correlation still works; another tenant gets other tokens.
 */
public final class Blinding {

    private final byte[] tenantKey;

    public Blinding(byte[] masterKey, String tenant) {
        Objects.requireNonNull(masterKey, "masterKey is null");
        Objects.requireNonNull(tenant, "tenant is null");
        if (masterKey.length < 16) {
            throw new IllegalArgumentException("the blinding key must be at least 16 bytes");
        }
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(masterKey, "aegis-afs-blinding".getBytes(StandardCharsets.UTF_8),
                tenant.getBytes(StandardCharsets.UTF_8)));
        tenantKey = new byte[32];
        hkdf.generateBytes(tenantKey, 0, tenantKey.length);
    }

    /** Eight hex digits standing for {@code value} of {@code kind} in this tenant. */
    public String pseudonym(String kind, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(tenantKey, "HmacSHA256"));
            byte[] h = mac.doFinal((kind + "\0" + value).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
