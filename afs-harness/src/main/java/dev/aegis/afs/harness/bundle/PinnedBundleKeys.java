package dev.aegis.afs.harness.bundle;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.evidence.PinnedKeys;
import dev.aegis.afs.harness.HarnessConfig;
import dev.aegis.afs.harness.SigningKey;
import java.nio.file.Path;
import java.util.Set;

/**
 * The keys a bundle's verifier trusts, pinned by the verifier and never taken from the bundle:
 * the harness's ledger key (which signs ledger entries, checkpoints and the bundle's manifest)
 * and the mounts' capture keys. Read from YAML in the sections harness.yaml uses, so the
 * harness's own config works as the file:
 * <pre>
 * ledger: {public_key: &lt;base64url or hex&gt;}
 * evidence:
 *   capture_keys:
 *     - {key_id: 3f2a..., public_key: &lt;base64url&gt;, not_after: 2027-06-01T00:00:00Z}
 * </pre>
 */
public record PinnedBundleKeys(String ledgerKeyHex, PinnedKeys captureKeys) {

    public PinnedBundleKeys {
        requireNonNull(ledgerKeyHex, "ledgerKeyHex is null");
        requireNonNull(captureKeys, "captureKeys is null");
    }

    /**
     * @throws dev.aegis.afs.core.config.ConfigException naming the file, line and the fix
     */
    public static PinnedBundleKeys read(Path file) {
        return parse(ConfigReader.read(file));
    }

    public static PinnedBundleKeys parse(ConfigNode root) {
        if (!root.isMap()) {
            throw root.error("the pinned keys must be a map with ledger: {public_key: ...} and evidence: {capture_keys: [...]}");
        }
        ConfigNode ledger = root.get("ledger").orElseThrow(() -> root.error("no ledger key is pinned; add ledger: {public_key: "
                + "<key>} with the harness's ledger key as you know it (harness.yaml ledger.public_key, or what afs harness "
                + "printed at start), not a copy taken from the bundle"));
        ledger.allowOnly(Set.of("public_key", "witness"));
        ConfigNode pk = ledger.require("public_key");
        String hex = SigningKey.publicKeyHex(pk.asString()).orElseThrow(() -> pk.error("'" + pk.asString()
                + "' is not an Ed25519 public key (base64url or 64 hex digits)"));
        PinnedKeys capture = root.get("evidence").map(HarnessConfig::captureKeys).orElse(PinnedKeys.of());
        return new PinnedBundleKeys(hex, capture);
    }
}
