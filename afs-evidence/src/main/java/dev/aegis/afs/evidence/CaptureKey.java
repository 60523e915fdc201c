package dev.aegis.afs.evidence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A mount's Ed25519 capture key: signs every evidence record it captures. The file holds the
 * hex seed; it is created 0600 on first start (with that mode, no umask dependence) and
 * refused when others may read it. The public half is written beside it as
 * {@code capture.pub} (base64url), for pinning in harness.yaml.
 */
public final class CaptureKey {

    private final Ed25519PrivateKeyParameters privateKey;
    private final byte[] publicKey;
    private final String keyId;

    private CaptureKey(Ed25519PrivateKeyParameters privateKey) {
        this.privateKey = privateKey;
        this.publicKey = privateKey.generatePublicKey().getEncoded();
        this.keyId = Keys.keyId(publicKey);
    }

    /** {@code <evidence.dir>/../keys/capture.key}, where docs/trust-model.md puts it. */
    public static Path defaultFile(Path evidenceDir) {
        Path abs = evidenceDir.toAbsolutePath().normalize();
        Path parent = abs.getParent() == null ? abs : abs.getParent();
        return parent.resolve("keys").resolve("capture.key");
    }

    /**
     * Loads the key, creating it (and its 0700 directory) when absent.
     *
     * @throws IOException when the file cannot be created or read, is readable by others (the
     *                     message names the chmod), or is not a key
     */
    public static CaptureKey loadOrCreate(Path file, SecureRandom random) throws IOException {
        if (!Files.exists(file)) {
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.exists(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(random);
            Path temp = dir.resolve(file.getFileName() + "." + ProcessHandle.current().pid() + ".part");
            Files.deleteIfExists(temp);
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, HexFormat.of().formatHex(key.getEncoded()) + "\n", StandardCharsets.US_ASCII);
            try {
                // a link, not a rename: two first starts racing must not replace each other's key
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException e) {
                // another start won: use its key
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        Keys.requirePrivate(file);
        byte[] seed;
        try {
            seed = HexFormat.of().parseHex(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not a hex Ed25519 capture key; move it away and restart to create a new one"
                    + " (then pin the new key in harness.yaml evidence.capture_keys)");
        }
        if (seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
            throw new IOException(file + " holds " + seed.length + " bytes, not a 32-byte Ed25519 seed; move it away"
                    + " and restart to create a new one");
        }
        CaptureKey key = new CaptureKey(new Ed25519PrivateKeyParameters(seed, 0));
        Path pub = publicFile(file);
        String text = key.publicKey() + "\n";
        if (!Files.exists(pub) || !Files.readString(pub, StandardCharsets.US_ASCII).equals(text)) {
            Files.writeString(pub, text, StandardCharsets.US_ASCII);
        }
        return key;
    }

    /** {@code capture.pub} beside {@code capture.key}. */
    public static Path publicFile(Path keyFile) {
        String name = keyFile.getFileName().toString().replaceAll("\\.key$", "");
        return keyFile.resolveSibling(name + ".pub");
    }

    public String keyId() {
        return keyId;
    }

    /** The public key, base64url of the raw 32 bytes (the JWK {@code x} value). */
    public String publicKey() {
        return Keys.base64url(publicKey);
    }

    /** This key as harness.yaml pins it. */
    public PinnedKey pinned() {
        return new PinnedKey(keyId, publicKey(), java.util.Optional.empty());
    }

    /** Signs the record's canonical form. {@code record.keyId()} must be this key's id. */
    public SignedCapture sign(CaptureRecord record) {
        if (!record.keyId().equals(keyId)) {
            throw new IllegalArgumentException("the record names key " + record.keyId() + ", not " + keyId);
        }
        byte[] message = record.canonical();
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        signer.update(message, 0, message.length);
        return new SignedCapture(record, Keys.base64url(signer.generateSignature()));
    }
}
