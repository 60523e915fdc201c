package dev.aegis.afs.evidence.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.ContentHash;
import dev.aegis.afs.evidence.Keys;
import dev.aegis.afs.evidence.SignedCapture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Evidence in an S3-compatible object store: the content under a content-addressed key
 * {@code <prefix>blobs/<team>/<env>/<sha256>}, the signed record with its stats as a sidecar object
 * {@code <prefix>records/<id>.json} that also names the blob's version. Where the bucket has Object
 * Lock, each object version written is locked until its capture time plus the evidence retention
 * (governance mode by default, so a privileged, ledger-recorded purge can still remove a secret
 * that redaction missed; compliance mode when configured), and a blob that a newer capture cites
 * has its lock extended.
 *
 * <p>{@link #put} writes the blob before the record: a record present means its content is there.
 * The content is hashed before upload and sent with its sha256 checksum, so the store refuses bytes
 * that changed on the way.
 */
public final class S3CaptureStore implements CaptureStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The sidecar's field naming the blob version the record cites (unsigned, like the stats). */
    static final String BLOB_VERSION = "blob_version";

    private final S3Client s3;
    private final S3Spec spec;
    /** Whether the bucket has Object Lock: asked once, at the first write (a mount opens while the store is down). */
    private volatile Boolean bucketLocks;

    S3CaptureStore(S3Client s3, S3Spec spec) {
        this.s3 = requireNonNull(s3, "s3 is null");
        this.spec = requireNonNull(spec, "spec is null");
    }

    /** Opens a client for {@code spec}; nothing is sent until the first request. */
    public static S3CaptureStore open(S3Spec spec) throws IOException {
        var builder = S3Client.builder()
                .region(Region.of(spec.region()))
                .forcePathStyle(spec.pathStyle())
                .credentialsProvider(credentials(spec))
                // a store that does not answer fails the read within seconds (fail closed, or spool)
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(3))
                        .socketTimeout(Duration.ofSeconds(60))
                        .build());
        spec.endpoint().ifPresent(builder::endpointOverride);
        return new S3CaptureStore(builder.build(), spec);
    }

    private static AwsCredentialsProvider credentials(S3Spec spec) throws IOException {
        if (spec.credentialsFile().isEmpty()) {
            return DefaultCredentialsProvider.create();
        }
        Path file = spec.credentialsFile().get();
        Keys.requirePrivate(file);
        ProfileFile profiles = ProfileFile.builder().content(file).type(ProfileFile.Type.CREDENTIALS).build();
        if (profiles.profile(spec.profile()).isEmpty()) {
            throw new IOException("the credentials file " + file + " has no profile [" + spec.profile()
                    + "]; add one with aws_access_key_id and aws_secret_access_key, or name another with profile:");
        }
        return ProfileCredentialsProvider.builder().profileFile(profiles).profileName(spec.profile()).build();
    }

    public S3Spec spec() {
        return spec;
    }

    @Override
    public String describe() {
        return spec.describe();
    }

    String blobKey(String team, String env, String sha256) {
        return spec.prefix() + "blobs/" + team + "/" + env + "/" + sha256;
    }

    String recordKey(String id) {
        return spec.prefix() + "records/" + id + ".json";
    }

    @Override
    public void put(SignedCapture capture, Path content, Map<String, String> stats) throws IOException {
        CaptureRecord r = capture.record();
        checkId(r.id());
        Optional<SignedCapture> existing = record(r.id());
        if (existing.isPresent()) {
            if (DirCaptureStore.same(existing.get(), capture)) {
                return;
            }
            throw new IOException("another record is stored under " + r.id() + " in " + describe()
                    + "; evidence is never overwritten");
        }
        String actual = ContentHash.sha256(content);
        long size = Files.size(content);
        if (!actual.equals(r.sha256()) || size != r.size()) {
            throw new IOException("the content of " + r.id() + " hashes to " + actual + " (" + size + " bytes), not the"
                    + " recorded " + r.sha256() + " (" + r.size() + " bytes): it changed after capture, so it was not stored");
        }
        Instant until = r.capturedAt().plus(spec.retention());
        try {
            String blob = blobKey(r.team(), r.env(), r.sha256());
            String blobVersion = blobVersion(blob, until)
                    .orElseGet(() -> upload(blob, RequestBody.fromFile(content), r.sha256(), until));
            ObjectNode json = capture.toJson();
            ObjectNode s = json.putObject("stats");
            stats.forEach(s::put);
            if (blobVersion != null && !blobVersion.isEmpty()) {
                json.put(BLOB_VERSION, blobVersion);
            }
            byte[] sidecar = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
            upload(recordKey(r.id()), RequestBody.fromBytes(sidecar),
                    HexFormat.of().formatHex(ContentHash.digest().digest(sidecar)), until);
        } catch (SdkException e) {
            throw unreachable(e);
        }
    }

    /**
     * The version of an existing blob, its lock extended to {@code until} (a newer capture cites it);
     * empty when there is no such blob. A {@code null} inside: the bucket does not version.
     */
    private Optional<String> blobVersion(String key, Instant until) {
        HeadObjectResponse head;
        try {
            head = s3.headObject(b -> b.bucket(spec.bucket()).key(key));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
        String version = head.versionId();
        if (locks()) {
            Optional<ObjectLockRetention> held = retention(key, version);
            if (held.isEmpty() || held.get().retainUntilDate().isBefore(until)) {
                lock(key, version, until);
            }
        }
        return Optional.of(version == null ? "" : version);
    }

    /** Puts one object with its sha256 checksum and locks the version it made; returns that version (null: unversioned). */
    private String upload(String key, RequestBody body, String sha256Hex, Instant until) {
        String checksum = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256Hex));
        String version = s3.putObject(b -> b.bucket(spec.bucket()).key(key).checksumSHA256(checksum), body).versionId();
        if (locks()) {
            lock(key, version, until);
        }
        return version;
    }

    private void lock(String key, String version, Instant until) {
        ObjectLockRetentionMode mode = spec.lock() == S3Spec.LockMode.COMPLIANCE
                ? ObjectLockRetentionMode.COMPLIANCE : ObjectLockRetentionMode.GOVERNANCE;
        s3.putObjectRetention(b -> b.bucket(spec.bucket()).key(key).versionId(version)
                .retention(ObjectLockRetention.builder().mode(mode).retainUntilDate(until).build()));
    }

    /** The lock on one version of an object, empty when it has none. */
    Optional<ObjectLockRetention> retention(String key, String version) {
        try {
            return Optional.ofNullable(s3.getObjectRetention(b -> b.bucket(spec.bucket()).key(key).versionId(version))
                    .retention());
        } catch (S3Exception e) {
            if (e.statusCode() == 404 || e.statusCode() == 400) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Whether objects are locked: the configuration asks for it and the bucket has Object Lock enabled. */
    boolean locks() {
        if (spec.lock() == S3Spec.LockMode.OFF) {
            return false;
        }
        Boolean known = bucketLocks;
        if (known == null) {
            try {
                known = s3.getObjectLockConfiguration(b -> b.bucket(spec.bucket())).objectLockConfiguration()
                        .objectLockEnabled() == ObjectLockEnabled.ENABLED;
            } catch (S3Exception e) {
                // AWS answers 404 ObjectLockConfigurationNotFoundError; some compatible stores 400 InvalidRequest
                if (e.statusCode() != 404 && !"ObjectLockConfigurationNotFoundError".equals(errorCode(e))
                        && !(e.statusCode() == 400 && "InvalidRequest".equals(errorCode(e)))) {
                    throw e;
                }
                known = false;
            }
            bucketLocks = known;
        }
        return known;
    }

    /** Whether writes are locked, for /.afs/status and the CLI: asks the bucket once. */
    public String lockStatus() throws IOException {
        try {
            return locks() ? spec.lock().name().toLowerCase() + " Object Lock for " + spec.retention()
                    : spec.lock() == S3Spec.LockMode.OFF ? "Object Lock off" : "the bucket has no Object Lock";
        } catch (SdkException e) {
            throw unreachable(e);
        }
    }

    @Override
    public Optional<SignedCapture> record(String id) throws IOException {
        Optional<JsonNode> json = sidecar(id);
        if (json.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(SignedCapture.fromJson(json.get()));
        } catch (IllegalArgumentException e) {
            throw new IOException("the record of " + id + " in " + describe() + " is malformed: " + e.getMessage(), e);
        }
    }

    private Optional<JsonNode> sidecar(String id) throws IOException {
        if (!validId(id)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(s3.getObjectAsBytes(b -> b.bucket(spec.bucket()).key(recordKey(id)))
                    .asByteArray()));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw unreachable(e);
        } catch (SdkException e) {
            throw unreachable(e);
        }
    }

    @Override
    public Map<String, String> stats(String id) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        sidecar(id).ifPresent(json -> json.path("stats").fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText())));
        return out;
    }

    @Override
    public InputStream content(String team, String env, String sha256) throws IOException {
        return get(blobKey(team, env, sha256), null);
    }

    /** The blob version the record cited when it was stored, even if the key was written again since. */
    @Override
    public InputStream content(CaptureRecord record) throws IOException {
        String version = sidecar(record.id()).map(j -> j.path(BLOB_VERSION).asText("")).orElse("");
        return get(blobKey(record.team(), record.env(), record.sha256()), version.isEmpty() ? null : version);
    }

    private InputStream get(String key, String version) throws IOException {
        GetObjectRequest.Builder req = GetObjectRequest.builder().bucket(spec.bucket()).key(key);
        if (version != null) {
            req.versionId(version);
        }
        try {
            return s3.getObject(req.build());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NoSuchFileException("no content " + key + " in " + describe());
            }
            throw unreachable(e);
        } catch (SdkException e) {
            throw unreachable(e);
        }
    }

    @Override
    public List<String> ids() throws IOException {
        String prefix = spec.prefix() + "records/";
        List<String> out = new ArrayList<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(spec.bucket()).prefix(prefix)).contents()) {
                String key = o.key();
                if (key.endsWith(".json")) {
                    String id = key.substring(prefix.length(), key.length() - ".json".length());
                    if (validId(id)) {
                        out.add(id);
                    }
                }
            }
        } catch (SdkException e) {
            throw unreachable(e);
        }
        out.sort(null);
        return out;
    }

    private static boolean validId(String id) {
        try {
            checkId(id);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Ids become keys: only what {@link DirCaptureStore} accepts (no '..', no extra '/'). */
    private static void checkId(String id) {
        new DirCaptureStore(Path.of("/")).file(id);
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
    }

    private IOException unreachable(SdkException e) {
        return new IOException("the evidence store " + describe() + " cannot be reached or refused the request ("
                + e.getMessage() + ")", e);
    }

    @Override
    public void close() {
        s3.close();
    }
}
