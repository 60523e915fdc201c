package dev.aegis.afs.query.k8s;

import dev.aegis.afs.query.pushdown.BackendQuery;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One {@code GET /api/v1/namespaces/<ns>/pods/<pod>/log} call. {@link #text()} is the request
 * path and query exactly as sent, so evidence names the very call that produced a snapshot.
 *
 * @param sinceTime  {@code sinceTime} (RFC 3339, whole seconds: the API's precision)
 * @param tailLines  {@code tailLines}
 * @param timestamps {@code timestamps=true}: the kubelet prefixes each line with its RFC 3339
 *                   nanosecond time
 */
public record PodLogRequest(PodLogTarget target, Optional<Instant> sinceTime, OptionalLong tailLines,
                            boolean timestamps) implements BackendQuery {

    public PodLogRequest {
        Objects.requireNonNull(target, "target is null");
        Objects.requireNonNull(sinceTime, "sinceTime is null");
        Objects.requireNonNull(tailLines, "tailLines is null");
        sinceTime.ifPresent(t -> {
            if (t.getNano() != 0) {
                throw new IllegalArgumentException("sinceTime has whole seconds only, was " + t);
            }
        });
    }

    /** The API path, without the query. */
    public String path() {
        return "/api/v1/namespaces/" + target.namespace() + "/pods/" + target.pod() + "/log";
    }

    /** The query string, parameters in a fixed order, e.g. {@code container=api&tailLines=50}. */
    public String query() {
        StringBuilder out = new StringBuilder("container=").append(target.container());
        if (target.previous()) {
            out.append("&previous=true");
        }
        sinceTime.ifPresent(t -> out.append("&sinceTime=").append(DateTimeFormatter.ISO_INSTANT.format(t)));
        tailLines.ifPresent(n -> out.append("&tailLines=").append(n));
        if (timestamps) {
            out.append("&timestamps=true");
        }
        return out.toString();
    }

    @Override
    public String text() {
        return path() + "?" + query();
    }
}
