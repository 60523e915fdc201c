package dev.aegis.afs.core.evidence;

import dev.aegis.afs.core.source.ReadStats;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a capture ran: the backend, its exact query, whether anything was cut, and its stats.
 * {@code extra} carries further metadata such as redaction counts.
 */
public record CaptureInfo(String backend, String query, Optional<String> truncation, ReadStats stats,
                          Map<String, String> extra) {

    public CaptureInfo {
        Objects.requireNonNull(backend, "backend is null");
        Objects.requireNonNull(query, "query is null");
        Objects.requireNonNull(truncation, "truncation is null");
        Objects.requireNonNull(stats, "stats is null");
        extra = Map.copyOf(extra);
    }

    public CaptureInfo(String backend, String query, Optional<String> truncation, ReadStats stats) {
        this(backend, query, truncation, stats, Map.of());
    }

    Map<String, String> statsMap() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("bytes_received", Long.toString(stats.bytesReceived()));
        out.put("entries", Long.toString(stats.entries()));
        out.put("duration_ms", Long.toString(stats.took().toMillis()));
        out.putAll(extra);
        return out;
    }
}
