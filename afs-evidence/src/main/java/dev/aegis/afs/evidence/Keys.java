package dev.aegis.afs.evidence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** Ed25519 conventions of docs/trust-model.md: key ids, base64url public keys, private-file modes. */
public final class Keys {

    private Keys() {
    }

    /** The first 16 hex digits of the sha256 of the raw 32-byte public key. */
    public static String keyId(byte[] publicKey) {
        return HexFormat.of().formatHex(sha256(publicKey)).substring(0, 16);
    }

    public static String base64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** @throws IllegalArgumentException when {@code text} is not base64url */
    public static byte[] fromBase64url(String text) {
        return Base64.getUrlDecoder().decode(text.strip().replace("=", ""));
    }

    /** Whether {@code signature} (base64url) signs {@code message} under the 32-byte public key. */
    public static boolean verify(byte[] publicKey, byte[] message, String signature) {
        try {
            byte[] sig = fromBase64url(signature);
            Ed25519Signer verifier = new Ed25519Signer();
            verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
            verifier.update(message, 0, message.length);
            return verifier.verifySignature(sig);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Refuses a private file others may read or write, naming the {@code chmod} that fixes it.
     *
     * @throws IOException when the mode is too open or cannot be read
     */
    public static void requirePrivate(Path file) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)
                || mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException(file + " is readable or writable by others (mode " + PosixFilePermissions.toString(mode)
                    + "); run chmod 600 " + file);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
