package dev.aegis.afs.core.config;

import dev.aegis.afs.evidence.store.S3Spec;
import dev.aegis.afs.evidence.store.StoreSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * {@code evidence.store} of namespaces.yaml (a mount) and of harness.yaml (the control plane), read
 * in one place:
 * <pre>
 * store:
 *   type: postgresql                       # dir (default: evidence.dir is the store) | postgresql
 *   url: jdbc:postgresql://cp:5432/afs
 *   user: afs_mount_web3                   # a login in afs_evidence_writer (mount) or the owner (harness)
 *   password_file: /etc/afs/evidence.pw    # 0600
 *   spool: false                           # mount only: serve while the store is down, upload later
 *   spool_max_snapshots: 10000
 *   spool_max_bytes: 1073741824
 * </pre>
 * or an S3-compatible bucket:
 * <pre>
 * store:
 *   type: s3
 *   bucket: afs-evidence                   # created with Object Lock enabled for retention to apply
 *   prefix: prod/                          # optional
 *   endpoint: https://minio.internal:9000  # optional: AWS when absent
 *   region: eu-west-1
 *   path_style: false                      # true for most S3-compatible stores
 *   credentials_file: /etc/afs/s3.credentials  # 0600, AWS credentials format; absent: the pod's role
 *   profile: default
 *   object_lock: governance                # governance (default) | compliance | off
 *   retention: 30d                         # default: evidence.retention
 *   spool: false
 * </pre>
 */
public final class EvidenceStoreConfig {

    private static final Set<String> KEYS = Set.of("type", "url", "user", "password_file", "spool",
            "spool_max_snapshots", "spool_max_bytes", "migrate");
    private static final Set<String> S3_KEYS = Set.of("type", "bucket", "prefix", "endpoint", "region", "path_style",
            "credentials_file", "profile", "object_lock", "retention", "spool", "spool_max_snapshots", "spool_max_bytes");
    /** The evidence retention a control plane locks migrated objects for, when its store names none. */
    private static final Duration DEFAULT_RETENTION = Duration.ofHours(72);

    private EvidenceStoreConfig() {
    }

    /**
     * @param node       the {@code store:} node, absent for the default
     * @param baseDir    relative paths are resolved against the config file's directory
     * @param localDir   the evidence directory ({@code dir}: the store; otherwise the mount's local copy)
     * @param controlPlane true for harness.yaml: migrations run by default and {@code spool} is refused
     */
    public static StoreSpec parse(Optional<ConfigNode> node, Path baseDir, Path localDir, boolean controlPlane) {
        return parse(node, baseDir, localDir, controlPlane, DEFAULT_RETENTION);
    }

    /** @param retention the evidence retention: how long an s3 store locks what it writes unless it says */
    public static StoreSpec parse(Optional<ConfigNode> node, Path baseDir, Path localDir, boolean controlPlane,
                                  Duration retention) {
        if (node.isEmpty() || node.get().isNull()) {
            return StoreSpec.dir(localDir);
        }
        ConfigNode n = node.get();
        if (!n.isMap()) {
            throw n.error("evidence.store must be a map like {type: postgresql, url: jdbc:postgresql://host:5432/afs}");
        }
        String type = n.optString("type").orElse(StoreSpec.DIR);
        if (type.equals(StoreSpec.S3)) {
            return s3(n, baseDir, localDir, controlPlane, retention);
        }
        n.allowOnly(KEYS);
        if (type.equals(StoreSpec.DIR)) {
            n.allowOnly(Set.of("type"));
            return StoreSpec.dir(localDir);
        }
        if (!type.equals(StoreSpec.POSTGRESQL)) {
            throw n.require("type").error("evidence store type '" + type + "' is not known; use dir, postgresql or s3");
        }
        String url = n.optString("url").orElseThrow(() -> n.error(
                "the postgresql evidence store needs url: jdbc:postgresql://<host>:<port>/<database>"));
        if (!url.startsWith("jdbc:postgresql://")) {
            throw n.require("url").error("url '" + url + "' is not a PostgreSQL JDBC URL; write jdbc:postgresql://<host>:<port>/<database>");
        }
        if (url.matches(".*[?&]password=.*")) {
            throw n.require("url").error("url holds a password; put it in a 0600 file named by password_file");
        }
        boolean spool = spool(n, controlPlane);
        boolean migrate = n.get("migrate").map(ConfigNode::asBoolean).orElse(controlPlane);
        return new StoreSpec(type, localDir, url, n.optString("user"),
                n.optString("password_file").map(p -> baseDir.resolve(p).normalize()), migrate, spool,
                spoolMaxSnapshots(n), spoolMaxBytes(n));
    }

    private static boolean spool(ConfigNode n, boolean controlPlane) {
        boolean spool = n.get("spool").map(ConfigNode::asBoolean).orElse(false);
        if (spool && controlPlane) {
            throw n.require("spool").error("spool is a mount setting; the harness reads the store and never spools");
        }
        return spool;
    }

    private static long spoolMaxSnapshots(ConfigNode n) {
        return n.get("spool_max_snapshots").map(v -> v.asLong(1, Long.MAX_VALUE)).orElse(StoreSpec.DEFAULT_SPOOL_SNAPSHOTS);
    }

    private static long spoolMaxBytes(ConfigNode n) {
        return n.get("spool_max_bytes").map(v -> v.asLong(1, Long.MAX_VALUE)).orElse(StoreSpec.DEFAULT_SPOOL_BYTES);
    }

    private static StoreSpec s3(ConfigNode n, Path baseDir, Path localDir, boolean controlPlane, Duration retention) {
        n.allowOnly(S3_KEYS);
        String bucket = n.optString("bucket").orElseThrow(() -> n.error(
                "the s3 evidence store needs bucket: <name> (a bucket created with Object Lock enabled)"));
        Optional<URI> endpoint = n.optString("endpoint").map(e -> {
            try {
                return new URI(e);
            } catch (URISyntaxException x) {
                throw n.require("endpoint").error("endpoint '" + e + "' is not a URL; write e.g. https://minio.internal:9000");
            }
        });
        if (endpoint.isPresent() && endpoint.get().getUserInfo() != null) {
            throw n.require("endpoint").error("endpoint holds credentials; put them in a 0600 file named by credentials_file");
        }
        S3Spec.LockMode lock;
        try {
            lock = S3Spec.LockMode.parse(n.optString("object_lock").orElse("governance"));
        } catch (IllegalArgumentException e) {
            throw n.require("object_lock").error(e.getMessage());
        }
        try {
            S3Spec spec = new S3Spec(bucket, n.optString("prefix").orElse(""), endpoint,
                    n.optString("region").orElse("us-east-1"),
                    n.get("path_style").map(ConfigNode::asBoolean).orElse(false),
                    n.optString("credentials_file").map(p -> baseDir.resolve(p).normalize()),
                    n.optString("profile").orElse("default"), lock,
                    n.get("retention").map(ConfigNode::asDuration).orElse(retention));
            return StoreSpec.s3(localDir, spec, spool(n, controlPlane), spoolMaxSnapshots(n), spoolMaxBytes(n));
        } catch (IllegalArgumentException e) {
            throw n.error(e.getMessage());
        }
    }
}
