package dev.aegis.afs.intent;

import java.util.Optional;

/**
 * Where a verifier finds the certificate of an online key: the agent's copy of the control
 * plane's JWKS, fetched again when a kid is unknown.
 */
@FunctionalInterface
public interface KeySource {
    Optional<String> certificate(String kid);
}
