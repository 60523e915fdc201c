package dev.aegis.afs.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Attests the uid a client claims. The harness listens on loopback, where any process could
 * send any {@code X-Afs-Uid}; a claim counts only with this token, which lives in a 0600 file
 * of the harness' data directory. The FUSE daemon (root) reads it and forwards the uid the
 * kernel gave it; a user who cannot read it cannot act as anyone, and approves through the mount.
 */
final class CallerToken {

    static final String HEADER = "X-Afs-Token";
    static final String FILE = "client.token";

    private final Path file;
    private final byte[] token;

    private CallerToken(Path file, byte[] token) {
        this.file = file;
        this.token = token;
    }

    static CallerToken createOrLoad(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            Path temp = dataDir.resolve(FILE + ".part");
            Files.deleteIfExists(temp);
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, HexFormat.of().formatHex(random) + "\n");
            Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        PrivateFiles.refuseShared(file, "600");
        return new CallerToken(file, Files.readString(file, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8));
    }

    Path file() {
        return file;
    }

    boolean matches(String presented) {
        return presented != null
                && MessageDigest.isEqual(token, presented.strip().getBytes(StandardCharsets.UTF_8));
    }
}
