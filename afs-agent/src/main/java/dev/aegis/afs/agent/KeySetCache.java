package dev.aegis.afs.agent;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.intent.Jwks;
import dev.aegis.afs.intent.KeySource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's copy of the control plane's key set. An unknown kid triggers one fetch (at most
 * every ten seconds, so a flood of bogus kids cannot turn into a flood of requests). What is
 * fetched is only a list of certificates: the verifier checks each under the pinned root.
 */
final class KeySetCache implements KeySource {

    private static final Duration MIN_REFETCH = Duration.ofSeconds(10);

    interface Fetch {
        Jwks get() throws ControlPlaneClient.Unreachable;
    }

    private final Fetch fetch;
    private final Clock clock;
    private Jwks current = new Jwks(Map.of());
    private Instant fetchedAt = Instant.MIN;

    KeySetCache(Fetch fetch, Clock clock) {
        this.fetch = requireNonNull(fetch, "fetch is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public synchronized Optional<String> certificate(String kid) {
        Optional<String> c = current.certificate(kid);
        Instant now = clock.instant();
        if (c.isEmpty() && !now.isBefore(fetchedAt.plus(MIN_REFETCH))) {
            fetchedAt = now;
            try {
                current = fetch.get();
            } catch (ControlPlaneClient.Unreachable e) {
                return Optional.empty();
            }
            c = current.certificate(kid);
        }
        return c;
    }
}
