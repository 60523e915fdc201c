package dev.aegis.afs.evidence.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.evidence.CaptureKey;
import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.ContentHash;
import dev.aegis.afs.evidence.PinnedKeys;
import dev.aegis.afs.evidence.SignedCapture;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * The s3 evidence store against Adobe's S3Mock running in this JVM, wire-level through the AWS
 * SDK: what the store writes is read back by a second, independent S3 client (the harness's view,
 * or an auditor's), including the Object Lock retention on every version written.
 */
class S3CaptureStoreTest {

    private static final Duration RETENTION = Duration.ofDays(30);
    private static final Instant CAPTURED = Instant.parse("2026-11-18T12:00:00.123Z");

    private static S3MockServer server;
    private static S3Client auditor;
    private static CaptureKey key;
    private static Path credentials;

    @TempDir
    Path dir;

    @BeforeAll
    static void start(@TempDir Path root, @TempDir Path keys) throws Exception {
        server = S3MockServer.start(root.resolve("s3"));
        auditor = S3Client.builder().region(Region.US_EAST_1).endpointOverride(server.endpoint()).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("auditor", "x")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        // as an operator creates the bucket: Object Lock on (which turns versioning on, as AWS does)
        auditor.createBucket(b -> b.bucket("evidence").objectLockEnabledForBucket(true));
        auditor.putBucketVersioning(b -> b.bucket("evidence").versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        auditor.createBucket(b -> b.bucket("plain"));
        key = CaptureKey.loadOrCreate(keys.resolve("capture.key"), new SecureRandom());
        credentials = keys.resolve("s3.credentials");
        Files.writeString(credentials, "[default]\naws_access_key_id = mount-web3\naws_secret_access_key = s3cret\n");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterAll
    static void stop() {
        if (auditor != null) {
            auditor.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static S3CaptureStore store(String bucket, String prefix, S3Spec.LockMode lock) throws IOException {
        return S3CaptureStore.open(new S3Spec(bucket, prefix, Optional.of(server.endpoint()), "us-east-1", true,
                Optional.of(credentials), "default", lock, RETENTION));
    }

    private SignedCapture capture(String name, byte[] content, Instant at) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, content);
        String sha = ContentHash.sha256(f);
        String time = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd/HHmmss.SSS")
                .withZone(java.time.ZoneOffset.UTC).format(at);
        return key.sign(new CaptureRecord(1, time + "-" + sha.substring(0, 12) + "-" + name, sha,
                content.length, 1, at, "payments", "prod",
                "/teams/payments/prod/logs/api.log?tail=3", "q", "file:local", "false",
                new CaptureRecord.Reader("unix:1001@web-3", "cat"), key.keyId()));
    }

    private static byte[] read(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static List<ObjectVersion> versions(String bucket, String key) {
        return auditor.listObjectVersions(b -> b.bucket(bucket).prefix(key)).versions().stream()
                .filter(v -> v.key().equals(key)).toList();
    }

    private static ObjectLockRetention retention(String bucket, String key, String version) {
        return auditor.getObjectRetention(b -> b.bucket(bucket).key(key).versionId(version)).retention();
    }

    @Test
    void aCaptureIsStoredUnderItsHashAndReadBackExactlyByAnotherClient() throws Exception {
        try (S3CaptureStore store = store("evidence", "prod/", S3Spec.LockMode.GOVERNANCE)) {
            byte[] content = "2026-11-18T12:00:00Z ERROR OutOfMemoryError\n".getBytes();
            SignedCapture c = capture("a.log", content, CAPTURED);
            store.put(c, dir.resolve("a.log"), Map.of("bytes_received", "44"));
            CaptureRecord r = c.record();
            // the keys, as any S3 client sees them: content-addressed blob, record sidecar
            String blob = "prod/blobs/payments/prod/" + r.sha256();
            String sidecar = "prod/records/" + r.id() + ".json";
            assertArrayEquals(content, auditor.getObjectAsBytes(b -> b.bucket("evidence").key(blob)).asByteArray());
            SignedCapture stored = SignedCapture.parse(auditor.getObjectAsBytes(b -> b.bucket("evidence").key(sidecar)).asByteArray());
            assertArrayEquals(r.canonical(), stored.record().canonical());
            assertTrue(PinnedKeys.of(key.pinned()).problem(stored, Instant.now()).isEmpty(), "the stored record verifies");
            // and through a second store, as the harness opens it
            try (S3CaptureStore harness = store("evidence", "prod/", S3Spec.LockMode.GOVERNANCE)) {
                assertEquals(c.signature(), harness.record(r.id()).orElseThrow().signature());
                assertArrayEquals(content, read(harness.content(r)));
                assertArrayEquals(content, read(harness.content(r.team(), r.env(), r.sha256())));
                assertEquals(Map.of("bytes_received", "44"), harness.stats(r.id()));
                assertEquals(List.of(r.id()), harness.ids());
                assertTrue(harness.record("2026-11-18/120000.000-000000000000-none.log").isEmpty());
                assertThrows(NoSuchFileException.class, () -> harness.content("payments", "prod", "0".repeat(64)));
            }
            // a replayed put (a spool after a crash) writes nothing new
            store.put(c, dir.resolve("a.log"), Map.of());
            assertEquals(1, versions("evidence", blob).size());
            assertEquals(1, versions("evidence", sidecar).size());
        }
    }

    @Test
    void everyVersionWrittenIsLockedInGovernanceModeUntilCaptureTimePlusRetention() throws Exception {
        try (S3CaptureStore store = store("evidence", "lock/", S3Spec.LockMode.GOVERNANCE)) {
            assertEquals("governance Object Lock for PT720H", store.lockStatus());
            byte[] content = "locked line\n".getBytes();
            SignedCapture first = capture("l1.log", content, CAPTURED);
            store.put(first, dir.resolve("l1.log"), Map.of());
            String blob = "lock/blobs/payments/prod/" + first.record().sha256();
            String sidecar = "lock/records/" + first.record().id() + ".json";
            ObjectVersion blobVersion = versions("evidence", blob).get(0);
            ObjectLockRetention onBlob = retention("evidence", blob, blobVersion.versionId());
            assertEquals(ObjectLockRetentionMode.GOVERNANCE, onBlob.mode());
            assertEquals(CAPTURED.plus(RETENTION), onBlob.retainUntilDate());
            ObjectLockRetention onRecord = retention("evidence", sidecar, versions("evidence", sidecar).get(0).versionId());
            assertEquals(ObjectLockRetentionMode.GOVERNANCE, onRecord.mode());
            assertEquals(CAPTURED.plus(RETENTION), onRecord.retainUntilDate());

            // the same bytes captured a day later: the blob is not uploaded again, its lock is extended
            Instant later = CAPTURED.plus(Duration.ofDays(1));
            SignedCapture second = capture("l2.log", content, later);
            store.put(second, dir.resolve("l2.log"), Map.of());
            assertEquals(1, versions("evidence", blob).size(), "content-addressed: one blob version");
            assertEquals(later.plus(RETENTION), retention("evidence", blob, blobVersion.versionId()).retainUntilDate());

            // someone with write access puts other bytes under the blob's key: the record still reads
            // the version it cited, and that version is still there and locked
            auditor.putObject(b -> b.bucket("evidence").key(blob), RequestBody.fromString("forged\n"));
            assertEquals(2, versions("evidence", blob).size());
            assertArrayEquals(content, read(store.content(first.record())));
            assertArrayEquals(content, read(store.content(second.record())));
        }
    }

    @Test
    void complianceModeLocksInComplianceMode() throws Exception {
        try (S3CaptureStore store = store("evidence", "compliance/", S3Spec.LockMode.COMPLIANCE)) {
            SignedCapture c = capture("c.log", "c\n".getBytes(), CAPTURED);
            store.put(c, dir.resolve("c.log"), Map.of());
            String blob = "compliance/blobs/payments/prod/" + c.record().sha256();
            assertEquals(ObjectLockRetentionMode.COMPLIANCE,
                    retention("evidence", blob, versions("evidence", blob).get(0).versionId()).mode());
        }
    }

    @Test
    void aBucketWithoutObjectLockStillStoresAndSaysSo() throws Exception {
        try (S3CaptureStore store = store("plain", "", S3Spec.LockMode.GOVERNANCE)) {
            assertEquals("the bucket has no Object Lock", store.lockStatus());
            SignedCapture c = capture("p.log", "p\n".getBytes(), CAPTURED);
            store.put(c, dir.resolve("p.log"), Map.of());
            assertArrayEquals("p\n".getBytes(), read(store.content(c.record())));
        }
    }

    @Test
    void contentThatChangedAfterCaptureAndAnotherRecordUnderAnIdAreRefused() throws Exception {
        try (S3CaptureStore store = store("evidence", "refuse/", S3Spec.LockMode.GOVERNANCE)) {
            SignedCapture c = capture("r.log", "original\n".getBytes(), CAPTURED);
            Files.writeString(dir.resolve("r.log"), "tampered\n");
            IOException changed = assertThrows(IOException.class, () -> store.put(c, dir.resolve("r.log"), Map.of()));
            assertTrue(changed.getMessage().contains("changed after capture"), changed.getMessage());
            assertTrue(store.ids().isEmpty(), "nothing was stored");

            Files.writeString(dir.resolve("r.log"), "original\n");
            store.put(c, dir.resolve("r.log"), Map.of());
            SignedCapture other = key.sign(new CaptureRecord(1, c.record().id(), c.record().sha256(), c.record().size(), 1,
                    CAPTURED, "payments", "prod", "/teams/payments/prod/logs/other.log", "q", "file:local", "false",
                    new CaptureRecord.Reader("unix:1001@web-3", "cat"), key.keyId()));
            IOException clash = assertThrows(IOException.class, () -> store.put(other, dir.resolve("r.log"), Map.of()));
            assertTrue(clash.getMessage().contains("never overwritten"), clash.getMessage());
        }
    }

    @Test
    void anUnreachableStoreFailsWithItsNameAndCredentialsMustBePrivate() throws Exception {
        S3Spec down = new S3Spec("evidence", "", Optional.of(URI.create("http://127.0.0.1:1")), "us-east-1", true,
                Optional.of(credentials), "default", S3Spec.LockMode.GOVERNANCE, RETENTION);
        try (S3CaptureStore store = S3CaptureStore.open(down)) {
            SignedCapture c = capture("d.log", "d\n".getBytes(), CAPTURED);
            IOException e = assertThrows(IOException.class, () -> store.put(c, dir.resolve("d.log"), Map.of()));
            assertTrue(e.getMessage().startsWith("the evidence store s3://evidence/ at http://127.0.0.1:1 cannot be reached"),
                    e.getMessage());
        }
        Path open = dir.resolve("open.credentials");
        Files.writeString(open, "[default]\naws_access_key_id = a\naws_secret_access_key = b\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        S3Spec leaky = new S3Spec("evidence", "", Optional.of(server.endpoint()), "us-east-1", true,
                Optional.of(open), "default", S3Spec.LockMode.GOVERNANCE, RETENTION);
        IOException e = assertThrows(IOException.class, () -> S3CaptureStore.open(leaky));
        assertTrue(e.getMessage().contains(open.toString()), e.getMessage());
        S3Spec noProfile = new S3Spec("evidence", "", Optional.of(server.endpoint()), "us-east-1", true,
                Optional.of(credentials), "ci", S3Spec.LockMode.GOVERNANCE, RETENTION);
        IOException missing = assertThrows(IOException.class, () -> S3CaptureStore.open(noProfile));
        assertTrue(missing.getMessage().contains("has no profile [ci]"), missing.getMessage());
        assertFalse(missing.getMessage().contains("s3cret"));
    }
}
