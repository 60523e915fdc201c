package dev.aegis.afs.core.config;

import dev.aegis.afs.evidence.store.StoreSpec;
import java.nio.file.Path;
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
 */
public final class EvidenceStoreConfig {

    private static final Set<String> KEYS = Set.of("type", "url", "user", "password_file", "spool",
            "spool_max_snapshots", "spool_max_bytes", "migrate");

    private EvidenceStoreConfig() {
    }

    /**
     * @param node       the {@code store:} node, absent for the default
     * @param baseDir    relative paths are resolved against the config file's directory
     * @param localDir   the evidence directory ({@code dir}: the store; otherwise the mount's local copy)
     * @param controlPlane true for harness.yaml: migrations run by default and {@code spool} is refused
     */
    public static StoreSpec parse(Optional<ConfigNode> node, Path baseDir, Path localDir, boolean controlPlane) {
        if (node.isEmpty() || node.get().isNull()) {
            return StoreSpec.dir(localDir);
        }
        ConfigNode n = node.get();
        if (!n.isMap()) {
            throw n.error("evidence.store must be a map like {type: postgresql, url: jdbc:postgresql://host:5432/afs}");
        }
        n.allowOnly(KEYS);
        String type = n.optString("type").orElse(StoreSpec.DIR);
        if (type.equals(StoreSpec.DIR)) {
            n.allowOnly(Set.of("type"));
            return StoreSpec.dir(localDir);
        }
        if (!type.equals(StoreSpec.POSTGRESQL)) {
            throw n.require("type").error("evidence store type '" + type + "' is not known; use dir or postgresql");
        }
        String url = n.optString("url").orElseThrow(() -> n.error(
                "the postgresql evidence store needs url: jdbc:postgresql://<host>:<port>/<database>"));
        if (!url.startsWith("jdbc:postgresql://")) {
            throw n.require("url").error("url '" + url + "' is not a PostgreSQL JDBC URL; write jdbc:postgresql://<host>:<port>/<database>");
        }
        if (url.matches(".*[?&]password=.*")) {
            throw n.require("url").error("url holds a password; put it in a 0600 file named by password_file");
        }
        boolean spool = n.get("spool").map(ConfigNode::asBoolean).orElse(false);
        if (spool && controlPlane) {
            throw n.require("spool").error("spool is a mount setting; the harness reads the store and never spools");
        }
        boolean migrate = n.get("migrate").map(ConfigNode::asBoolean).orElse(controlPlane);
        long snapshots = n.get("spool_max_snapshots").map(v -> v.asLong(1, Long.MAX_VALUE)).orElse(StoreSpec.DEFAULT_SPOOL_SNAPSHOTS);
        long bytes = n.get("spool_max_bytes").map(v -> v.asLong(1, Long.MAX_VALUE)).orElse(StoreSpec.DEFAULT_SPOOL_BYTES);
        return new StoreSpec(type, localDir, url, n.optString("user"),
                n.optString("password_file").map(p -> baseDir.resolve(p).normalize()), migrate, spool, snapshots, bytes);
    }
}
