package dev.aegis.afs.core.source;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What one backend fetch cost and whether the backend cut it short.
 *
 * @param bytesReceived bytes read from disk or the network
 * @param entries       lines or entries the backend returned
 * @param took          wall time of the fetch
 * @param truncation    why the backend stopped before the query's end (e.g. a batch cap), and
 *                      how to widen it; empty when complete
 */
public record ReadStats(long bytesReceived, long entries, Duration took, Optional<String> truncation) {

    public ReadStats {
        Objects.requireNonNull(took, "took is null");
        Objects.requireNonNull(truncation, "truncation is null");
    }

    public static ReadStats complete(long bytesReceived, long entries, Duration took) {
        return new ReadStats(bytesReceived, entries, took, Optional.empty());
    }
}
