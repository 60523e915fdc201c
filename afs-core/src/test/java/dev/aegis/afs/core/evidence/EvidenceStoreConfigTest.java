package dev.aegis.afs.core.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.Namespaces;
import dev.aegis.afs.evidence.store.StoreSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code evidence.store} in namespaces.yaml: the default, a postgresql store, and what is refused with the fix. */
class EvidenceStoreConfigTest {

    @TempDir
    Path dir;

    private Namespaces.Evidence load(String evidence) throws Exception {
        Files.writeString(dir.resolve("namespaces.yaml"), "evidence:\n" + evidence.indent(2)
                + "teams:\n  payments:\n    prod:\n      access: {read: [\"*\"]}\n");
        return Namespaces.load(dir.resolve("namespaces.yaml"), Set.of("logs")).evidence();
    }

    private String refused(String evidence) {
        return assertThrows(ConfigException.class, () -> load(evidence)).getMessage();
    }

    @Test
    void theEvidenceDirectoryIsTheStoreByDefault() throws Exception {
        StoreSpec store = load("dir: ev").store();
        assertEquals(StoreSpec.DIR, store.type());
        assertFalse(store.shared());
        assertEquals(dir.resolve("ev"), store.dir());
    }

    @Test
    void aPostgresqlStoreWithALoginAndASpool() throws Exception {
        StoreSpec store = load("""
                dir: ev
                store: {type: postgresql, url: "jdbc:postgresql://cp:5432/afs", user: afs_mount_web3,
                        password_file: pw, spool: true, spool_max_snapshots: 5}""").store();
        assertTrue(store.shared());
        assertEquals("jdbc:postgresql://cp:5432/afs", store.url());
        assertEquals(Optional.of("afs_mount_web3"), store.user());
        assertEquals(Optional.of(dir.resolve("pw")), store.passwordFile());
        assertTrue(store.spool());
        assertFalse(store.migrate(), "a mount never migrates: its login may only insert");
        assertEquals(5, store.spoolMaxSnapshots());
    }

    @Test
    void mistakesAreRefusedNamingTheFix() {
        assertTrue(refused("store: {type: s4}").contains("evidence store type 's4' is not known; use dir or postgresql"));
        assertTrue(refused("store: {type: postgresql}").contains("needs url: jdbc:postgresql://<host>:<port>/<database>"));
        assertTrue(refused("store: {type: postgresql, url: \"mysql://x\"}").contains("is not a PostgreSQL JDBC URL"));
        assertTrue(refused("store: {type: postgresql, url: \"jdbc:postgresql://x/afs?password=hunter2\"}")
                .contains("put it in a 0600 file named by password_file"));
        assertTrue(refused("store: {type: postgresql, url: \"jdbc:postgresql://x/afs\", spol: true}").contains("spol"));
    }
}
