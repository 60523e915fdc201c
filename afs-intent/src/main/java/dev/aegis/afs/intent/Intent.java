package dev.aegis.afs.intent;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A signed order to one cluster's agent: the {@link Action} plus the validity the signer gave
 * it ({@code jti}, issued at, expires at). The compact JWS it came from is kept so that results
 * and the ledger can name it by hash.
 */
public record Intent(Action action, String jti, Instant issuedAt, Instant expiresAt, String compact) {

    public Intent {
        requireNonNull(action, "action is null");
        requireNonNull(jti, "jti is null");
        requireNonNull(issuedAt, "issuedAt is null");
        requireNonNull(expiresAt, "expiresAt is null");
        requireNonNull(compact, "compact is null");
    }

    /** sha256 (hex) of the compact JWS: how a result and the ledger name this intent. */
    public String sha256() {
        return Hashes.sha256Hex(compact);
    }
}
