package dev.aegis.afs.evidence.store;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the {@code s3} evidence store is: a bucket (and key prefix) of any S3-compatible object
 * store, how to sign requests to it, and how long Object Lock keeps what is written.
 *
 * @param bucket          the bucket; created with Object Lock enabled for retention to apply
 * @param prefix          prepended to every key ({@code ""} or ending in {@code /})
 * @param endpoint        an S3-compatible endpoint ({@code https://minio.internal:9000}); empty: AWS
 * @param region          the signing region
 * @param pathStyle       {@code https://host/bucket/key} instead of {@code https://bucket.host/key}
 * @param credentialsFile a 0600 file in the AWS shared credentials format; empty: the SDK's default
 *                        chain (instance or pod role, its web identity token file)
 * @param profile         the profile of {@code credentialsFile} to use
 * @param lock            the Object Lock mode set on each object, where the bucket has Object Lock
 * @param retention       how long each object is locked after its capture (the evidence retention)
 */
public record S3Spec(String bucket, String prefix, Optional<URI> endpoint, String region, boolean pathStyle,
                     Optional<Path> credentialsFile, String profile, LockMode lock, Duration retention) {

    /** Object Lock modes: governance (a privileged purge may remove a version early), compliance (nobody may), off. */
    public enum LockMode {
        GOVERNANCE, COMPLIANCE, OFF;

        public static LockMode parse(String text) {
            return switch (text) {
                case "governance" -> GOVERNANCE;
                case "compliance" -> COMPLIANCE;
                case "off" -> OFF;
                default -> throw new IllegalArgumentException("object_lock '" + text
                        + "' is not known; use governance (the default: a privileged purge can remove a secret"
                        + " redaction missed), compliance (nobody can delete before retention ends) or off");
            };
        }
    }

    /** S3's bucket naming rules (3-63 lower-case letters, digits, dots, hyphens). */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    public S3Spec {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(prefix, "prefix is null");
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(region, "region is null");
        requireNonNull(credentialsFile, "credentialsFile is null");
        requireNonNull(profile, "profile is null");
        requireNonNull(lock, "lock is null");
        requireNonNull(retention, "retention is null");
        if (!BUCKET.matcher(bucket).matches()) {
            throw new IllegalArgumentException("bucket '" + bucket + "' is not an S3 bucket name (3 to 63 lower-case"
                    + " letters, digits, '.' and '-')");
        }
        if (!prefix.isEmpty() && (!prefix.endsWith("/") || prefix.startsWith("/"))) {
            throw new IllegalArgumentException("prefix '" + prefix + "' must end with '/' and not start with one,"
                    + " e.g. evidence/prod/");
        }
        if (region.isBlank()) {
            throw new IllegalArgumentException("region is empty; write e.g. region: eu-west-1 (any value for most"
                    + " S3-compatible stores)");
        }
        endpoint.ifPresent(e -> {
            if (!"http".equals(e.getScheme()) && !"https".equals(e.getScheme()) || e.getHost() == null) {
                throw new IllegalArgumentException("endpoint '" + e + "' is not an http(s) URL like https://minio.internal:9000");
            }
        });
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be longer than 0; write e.g. 30d");
        }
    }

    /** {@code s3://bucket/prefix}, with the endpoint when it is not AWS; never a credential. */
    public String describe() {
        return "s3://" + bucket + "/" + prefix + endpoint.map(e -> " at " + e).orElse("");
    }
}
