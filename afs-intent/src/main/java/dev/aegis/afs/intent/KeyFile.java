package dev.aegis.afs.intent;

import com.google.crypto.tink.subtle.Ed25519Sign;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * Ed25519 private keys on disk, as the trust model wants them: a JWK (OKP, Ed25519, with its
 * key id) in a file created 0600 by the process that uses it, and refused when group or others
 * can read or write it. A key id is the first 16 hex digits of the sha256 of the raw public key.
 */
public final class KeyFile {

    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    private KeyFile() {
    }

    /** A new key pair from 32 random bytes of {@code random}, its key id set. */
    public static OctetKeyPair generate(SecureRandom random) {
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        try {
            Ed25519Sign.KeyPair pair = Ed25519Sign.KeyPair.newKeyPairFromSeed(seed);
            return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(pair.getPublicKey()))
                    .d(Base64URL.encode(pair.getPrivateKey()))
                    .keyID(keyId(pair.getPublicKey()))
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 key generation failed", e);
        }
    }

    /** The public half of {@code x} (base64url of the raw 32 bytes), with its key id. */
    public static OctetKeyPair publicKey(String x) {
        byte[] raw;
        try {
            raw = new Base64URL(x).decode();
        } catch (RuntimeException e) {
            raw = new byte[0];
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException("'" + x + "' is not an Ed25519 public key (base64url of 32 bytes,"
                    + " as printed by afs keys init-root)");
        }
        return new OctetKeyPair.Builder(Curve.Ed25519, new Base64URL(x)).keyID(keyId(raw)).build();
    }

    /** First 16 hex digits of the sha256 of the raw public key. */
    public static String keyId(byte[] rawPublicKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(rawPublicKey);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code key} to a new file created 0600; an existing file is never overwritten. */
    public static void write(Path file, OctetKeyPair key) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Files.writeString(file, key.toJSONString() + "\n", StandardCharsets.UTF_8);
    }

    /** Reads a private key written by {@link #write}, refusing it when others may read or write it. */
    public static OctetKeyPair read(Path file) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        for (PosixFilePermission p : mode) {
            if (!OWNER_ONLY.contains(p) && p != PosixFilePermission.OWNER_EXECUTE) {
                throw new IOException(file + " is readable or writable by others (mode "
                        + PosixFilePermissions.toString(mode) + "); run chmod 600 " + file);
            }
        }
        try {
            OctetKeyPair key = OctetKeyPair.parse(Files.readString(file, StandardCharsets.UTF_8).trim());
            if (!Curve.Ed25519.equals(key.getCurve()) || !key.isPrivate()) {
                throw new IOException(file + " is not an Ed25519 private key (JWK with crv Ed25519 and d)");
            }
            String kid = keyId(key.getDecodedX());
            return key.getKeyID() != null && key.getKeyID().equals(kid) ? key
                    : new OctetKeyPair.Builder(key).keyID(kid).build();
        } catch (ParseException e) {
            throw new IOException(file + " is not a JWK key file (" + e.getMessage() + "); restore it from backup");
        }
    }
}
