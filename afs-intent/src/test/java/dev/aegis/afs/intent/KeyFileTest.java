package dev.aegis.afs.intent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.OctetKeyPair;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {

    @TempDir
    Path dir;

    @Test
    void aKeyIsWritten0600AndReadBackWithItsKeyId() throws Exception {
        OctetKeyPair key = KeyFile.generate(new SecureRandom());
        Path file = dir.resolve("k/root.key");
        KeyFile.write(file, key);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        OctetKeyPair back = KeyFile.read(file);
        assertEquals(key.getX(), back.getX());
        assertEquals(16, back.getKeyID().length());
        assertEquals(KeyFile.publicKey(key.getX().toString()).getKeyID(), back.getKeyID());
        assertThrows(FileAlreadyExistsException.class, () -> KeyFile.write(file, KeyFile.generate(new SecureRandom())));
    }

    @Test
    void aGroupReadableKeyIsRefusedWithTheFix() throws Exception {
        Path file = dir.resolve("agent.key");
        KeyFile.write(file, KeyFile.generate(new SecureRandom()));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        IOException e = assertThrows(IOException.class, () -> KeyFile.read(file));
        assertTrue(e.getMessage().contains("chmod 600 " + file), e.getMessage());
    }

    @Test
    void aPublicKeyThatIsNot32BytesIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyFile.publicKey("abc"));
        assertTrue(e.getMessage().contains("base64url of 32 bytes"), e.getMessage());
    }
}
