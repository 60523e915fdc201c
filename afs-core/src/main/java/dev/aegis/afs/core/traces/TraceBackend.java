package dev.aegis.afs.core.traces;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.query.pushdown.Pushdown;
import dev.aegis.afs.query.traces.TraceQuery;
import dev.aegis.afs.query.traces.TraceSearch;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A tracing backend a {@code traces:} section can point at (Zipkin, Tempo): it lists services,
 * runs a trace search in its own query language, fetches one trace, and reads the service graph.
 * Every answer comes with the request exactly as sent, so evidence names the very call.
 */
public interface TraceBackend extends Backend {

    /** An answer, the request that produced it (e.g. {@code GET /api/search?q=...}), its size and cost. */
    record Fetched<T>(T value, String request, long bytes, Duration took) {
        public Fetched {
            Objects.requireNonNull(value, "value is null");
            Objects.requireNonNull(request, "request is null");
            Objects.requireNonNull(took, "took is null");
        }
    }

    /** One trace: its spans, and the backend's own JSON of it (what {@code <traceId>.json} shows). */
    record TraceDocument(List<Span> spans, JsonNode json) {
        public TraceDocument {
            spans = List.copyOf(spans);
            Objects.requireNonNull(json, "json is null");
        }
    }

    /** How evidence names the backend, e.g. {@code zipkin:prod}. */
    default String label() {
        return type() + ":" + name();
    }

    /** Every service the backend knows, sorted. */
    List<String> services() throws AfsException;

    /** The search that runs {@code query} (as much of it as the backend can), and the residual. */
    Pushdown<? extends TraceSearch> compile(TraceQuery query);

    /** The traces {@code search} finds, in any order. */
    Fetched<List<TraceSummary>> search(TraceSearch search) throws AfsException;

    /** One trace; empty when the backend has no such trace (it may have aged out). */
    Optional<Fetched<TraceDocument>> trace(String traceId) throws AfsException;

    /** Who called whom in the {@code lookback} before {@code end}, with call and error counts. */
    Fetched<ServiceGraph> graph(Instant end, Duration lookback) throws AfsException;
}
