package dev.aegis.afs.core.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.Namespaces;
import dev.aegis.afs.evidence.store.S3Spec;
import dev.aegis.afs.evidence.store.StoreSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    void anS3BucketLockedForTheEvidenceRetention() throws Exception {
        StoreSpec store = load("""
                dir: ev
                retention: 14d
                store: {type: s3, bucket: afs-evidence, prefix: prod/, endpoint: "https://minio.internal:9000",
                        region: eu-west-1, path_style: true, credentials_file: s3.credentials, spool: true}""").store();
        assertEquals(StoreSpec.S3, store.type());
        assertTrue(store.shared());
        assertTrue(store.spool());
        S3Spec s3 = store.s3().orElseThrow();
        assertEquals("s3://afs-evidence/prod/ at https://minio.internal:9000", s3.describe());
        assertEquals(Optional.of(dir.resolve("s3.credentials")), s3.credentialsFile());
        assertEquals(S3Spec.LockMode.GOVERNANCE, s3.lock(), "governance by default: a privileged purge stays possible");
        assertEquals(Duration.ofDays(14), s3.retention(), "locked for the evidence retention");
        S3Spec compliance = load("store: {type: s3, bucket: afs-evidence, object_lock: compliance, retention: 90d}")
                .store().s3().orElseThrow();
        assertEquals(S3Spec.LockMode.COMPLIANCE, compliance.lock());
        assertEquals(Duration.ofDays(90), compliance.retention());
        assertEquals(Optional.empty(), compliance.endpoint());
    }

    @Test
    void mistakesAreRefusedNamingTheFix() {
        assertTrue(refused("store: {type: s3}").contains("needs bucket: <name>"));
        assertTrue(refused("store: {type: s3, bucket: Evidence_Bucket}").contains("is not an S3 bucket name"));
        assertTrue(refused("store: {type: s3, bucket: ev1, object_lock: legal}").contains("object_lock 'legal' is not known"));
        assertTrue(refused("store: {type: s3, bucket: ev1, prefix: /prod}").contains("must end with '/'"));
        assertTrue(refused("store: {type: s3, bucket: ev1, endpoint: \"https://key:secret@minio:9000\"}")
                .contains("put them in a 0600 file named by credentials_file"));
        assertTrue(refused("store: {type: s3, bucket: ev1, url: \"jdbc:postgresql://x/afs\"}").contains("url"));
        assertTrue(refused("store: {type: s4}").contains("evidence store type 's4' is not known; use dir, postgresql or s3"));
        assertTrue(refused("store: {type: postgresql}").contains("needs url: jdbc:postgresql://<host>:<port>/<database>"));
        assertTrue(refused("store: {type: postgresql, url: \"mysql://x\"}").contains("is not a PostgreSQL JDBC URL"));
        assertTrue(refused("store: {type: postgresql, url: \"jdbc:postgresql://x/afs?password=hunter2\"}")
                .contains("put it in a 0600 file named by password_file"));
        assertTrue(refused("store: {type: postgresql, url: \"jdbc:postgresql://x/afs\", spol: true}").contains("spol"));
    }
}
