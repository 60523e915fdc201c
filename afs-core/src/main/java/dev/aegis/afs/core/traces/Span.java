package dev.aegis.afs.core.traces;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One span as Zipkin's API v2 returns it (times in epoch microseconds).
 *
 * @param service       the local endpoint's service name ("" when absent)
 * @param remoteService the remote endpoint's service name (a client span's callee)
 */
public record Span(String traceId, String id, Optional<String> parentId, String name, String kind, String service,
                   Optional<String> remoteService, long timestampMicros, long durationMicros, Map<String, String> tags) {

    public Span {
        Objects.requireNonNull(traceId, "traceId is null");
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(parentId, "parentId is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(kind, "kind is null");
        Objects.requireNonNull(service, "service is null");
        Objects.requireNonNull(remoteService, "remoteService is null");
        tags = Map.copyOf(tags);
    }

    /** Zipkin marks a failed span with the {@code error} tag. */
    public boolean error() {
        return tags.containsKey("error");
    }
}
