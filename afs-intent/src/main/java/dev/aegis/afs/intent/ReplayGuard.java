package dev.aegis.afs.intent;

import java.time.Instant;

/**
 * Remembers accepted jtis. {@link ReplayCache} keeps them in a file for one agent; a control
 * plane with several replicas can keep them in its database.
 */
@FunctionalInterface
public interface ReplayGuard {
    /** Remembers {@code jti} and returns true, or returns false when it was seen before. */
    boolean remember(String jti, Instant expiresAt, Instant now);
}
