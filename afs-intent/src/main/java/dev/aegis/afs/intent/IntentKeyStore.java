package dev.aegis.afs.intent;

import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The online intent keys in {@code <data_dir>/intent-keys/}: per key {@code <kid>.jwk} (the
 * private key, 0600) and {@code <kid>.cert} (the root's certificate). {@code afs keys rotate}
 * adds keys with the root key at hand; the signer picks among them by time, so a run that
 * certifies several consecutive periods lets the root stay offline for that long.
 */
public final class IntentKeyStore {

    /** One online key with its certificate. */
    public record CertifiedKey(OctetKeyPair privateKey, KeyCertificate certificate) {
    }

    private final Path dir;

    private IntentKeyStore(Path dir) {
        this.dir = dir;
    }

    /** The store under {@code dataDir}; its directory is created 0700 when absent. */
    public static IntentKeyStore open(Path dataDir) throws IOException {
        Path dir = dataDir.resolve("intent-keys");
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        return new IntentKeyStore(dir);
    }

    public Path dir() {
        return dir;
    }

    /**
     * Certifies {@code count} new keys with {@code root}: key i may sign from
     * {@code start + i*period} and its certificate runs one {@code period} plus {@code overlap}
     * (at least the longest intent lifetime, so the old key's last intents outlive the switch).
     */
    public List<CertifiedKey> rotate(OctetKeyPair root, Instant start, Duration period, Duration overlap, int count,
                                     SecureRandom random) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1");
        }
        List<CertifiedKey> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Instant nb = start.plus(period.multipliedBy(i));
            OctetKeyPair key = KeyFile.generate(random);
            KeyCertificate cert = KeyCertificate.issue(root, key, nb, nb.plus(period).plus(overlap));
            KeyFile.write(dir.resolve(key.getKeyID() + ".jwk"), key);
            Files.writeString(dir.resolve(key.getKeyID() + ".cert"), cert.compact() + "\n", StandardCharsets.US_ASCII);
            out.add(new CertifiedKey(key, cert));
        }
        return out;
    }

    /** Every key that has a certificate, oldest not_before first. */
    public List<CertifiedKey> keys() throws IOException {
        List<CertifiedKey> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.cert")) {
            for (Path certFile : files) {
                String kid = certFile.getFileName().toString().replaceFirst("\\.cert$", "");
                Path keyFile = dir.resolve(kid + ".jwk");
                if (!Files.exists(keyFile)) {
                    continue;
                }
                out.add(new CertifiedKey(KeyFile.read(keyFile), unverified(certFile, kid)));
            }
        }
        out.sort(Comparator.comparing(k -> k.certificate().notBefore()));
        return out;
    }

    /** The certificates to publish: those not yet past not_after. */
    public List<KeyCertificate> published(Instant now) throws IOException {
        return keys().stream().map(CertifiedKey::certificate).filter(c -> !now.isAfter(c.notAfter())).toList();
    }

    /** Deletes keys whose certificate ended before {@code now}: no intent they signed can still be valid. */
    public int prune(Instant now) throws IOException {
        int n = 0;
        for (CertifiedKey k : keys()) {
            if (now.isAfter(k.certificate().notAfter())) {
                Files.deleteIfExists(dir.resolve(k.certificate().keyId() + ".jwk"));
                Files.deleteIfExists(dir.resolve(k.certificate().keyId() + ".cert"));
                n++;
            }
        }
        return n;
    }

    /**
     * The store trusts its own files (it wrote them); verifiers check the root's signature.
     * Reading the window here only decides which key to sign with.
     */
    private static KeyCertificate unverified(Path certFile, String kid) throws IOException {
        String compact = Files.readString(certFile, StandardCharsets.US_ASCII).trim();
        try {
            Map<String, Object> claims = SignedJWT.parse(compact).getJWTClaimsSet().getClaims();
            OctetKeyPair pub = OctetKeyPair.parse(castMap(claims.get("jwk")));
            return new KeyCertificate(kid, pub, Instant.ofEpochSecond(((Number) claims.get("not_before")).longValue()),
                    Instant.ofEpochSecond(((Number) claims.get("not_after")).longValue()), compact);
        } catch (ParseException | RuntimeException e) {
            throw new IOException(certFile + " is not a key certificate (" + e.getMessage()
                    + "); delete it and its .jwk, then run afs keys rotate");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
