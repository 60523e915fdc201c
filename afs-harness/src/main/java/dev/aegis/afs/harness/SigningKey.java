package dev.aegis.afs.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * The harness's Ed25519 ledger key. The private key file is created on first start with mode
 * 0600 (created with that mode, never widened afterwards) and refused if others can read it.
 * The public key is written next to it ({@code .pub}) for the operator to copy into
 * harness.yaml {@code ledger.public_key}; verification never reads it from there.
 */
public final class SigningKey {

    private final Ed25519PrivateKeyParameters privateKey;
    private final Ed25519PublicKeyParameters publicKey;

    private SigningKey(Ed25519PrivateKeyParameters privateKey) {
        this.privateKey = privateKey;
        this.publicKey = privateKey.generatePublicKey();
    }

    /** Loads the key at {@code file}, creating it (0600) and its {@code .pub} when absent. */
    public static SigningKey loadOrCreate(Path file, SecureRandom random) throws IOException {
        if (!Files.exists(file)) {
            Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(random);
            Files.createDirectories(file.toAbsolutePath().getParent());
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(
                        Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
                Files.writeString(file, HexFormat.of().formatHex(key.getEncoded()) + "\n", StandardCharsets.US_ASCII);
            } catch (FileAlreadyExistsException e) {
                // another start won the race: use its key
            }
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)
                || mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException(file + " is readable or writable by others (mode "
                    + PosixFilePermissions.toString(mode) + "); run chmod 600 " + file);
        }
        byte[] seed;
        try {
            seed = HexFormat.of().parseHex(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not a hex Ed25519 key; restore it from backup (a new key cannot sign old entries)");
        }
        if (seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
            throw new IOException(file + " holds " + seed.length + " bytes, not a 32-byte Ed25519 key; restore it from backup");
        }
        SigningKey key = new SigningKey(new Ed25519PrivateKeyParameters(seed, 0));
        Path pub = publicKeyPath(file);
        String hex = key.publicKeyHex() + "\n";
        if (!Files.exists(pub) || !Files.readString(pub, StandardCharsets.US_ASCII).equals(hex)) {
            Files.writeString(pub, hex, StandardCharsets.US_ASCII);
        }
        return key;
    }

    public static Path publicKeyPath(Path keyFile) {
        return keyFile.resolveSibling(keyFile.getFileName() + ".pub");
    }

    public byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** The public key as docs/trust-model.md writes it: base64url (no padding) of the 32 raw bytes. */
    public String publicKeyBase64Url() {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(publicKey.getEncoded());
    }

    /** A pinned public key, written base64url (the JWK x value) or as 64 hex digits, as hex; empty when it is neither. */
    public static java.util.Optional<String> publicKeyHex(String written) {
        String w = written.strip();
        if (w.matches("[0-9a-fA-F]{64}")) {
            return java.util.Optional.of(w.toLowerCase(java.util.Locale.ROOT));
        }
        try {
            byte[] raw = java.util.Base64.getUrlDecoder().decode(w);
            return raw.length == 32 ? java.util.Optional.of(HexFormat.of().formatHex(raw)) : java.util.Optional.empty();
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }

    public String publicKeyHex() {
        return HexFormat.of().formatHex(publicKey.getEncoded());
    }

    /** Verifies {@code signature} of {@code message} under the hex public key. */
    public static boolean verify(String publicKeyHex, byte[] message, byte[] signature) {
        try {
            Ed25519Signer verifier = new Ed25519Signer();
            verifier.init(false, new Ed25519PublicKeyParameters(HexFormat.of().parseHex(publicKeyHex), 0));
            verifier.update(message, 0, message.length);
            return verifier.verifySignature(signature);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
