package dev.aegis.afs.core.traces;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.SnapshotOutput;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.LogQueryCompiler;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathTerm;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code traces/graph?since=1h}: the service dependency graph of the window, one edge a line,
 * {@code <caller> -> <callee> calls=N errors=M error_rate=0.250}, from the backend's graph
 * (Zipkin's {@code /api/v2/dependencies}, Tempo's service graph metrics). Terms: {@code since=},
 * {@code from=}, {@code to=}.
 */
final class GraphRead implements SnapshotProducer {

    private final String path;
    private final TraceBackend backend;
    private final PathQuery terms;
    private final Clock clock;
    private final Duration window;

    GraphRead(String path, TraceBackend backend, PathQuery terms, Clock clock, Duration window) {
        this.path = Objects.requireNonNull(path, "path is null");
        this.backend = Objects.requireNonNull(backend, "backend is null");
        this.terms = Objects.requireNonNull(terms, "terms is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.window = Objects.requireNonNull(window, "window is null");
    }

    /** The window the terms ask for (checked at lookup, so bad terms fail there). */
    record Window(Instant end, Duration lookback) {
    }

    Window window() throws AfsException {
        for (PathTerm t : terms.terms()) {
            if (!t.key().equals("since") && !t.key().equals("from") && !t.key().equals("to")) {
                throw new AfsException(AfsError.INVALID_QUERY, path + ": column " + t.column() + ": the graph takes"
                        + " since=, from= and to= only (e.g. graph?since=1h); filter its lines with grep");
            }
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        LogQuery q;
        try {
            q = LogQueryCompiler.compile(terms, Clock.fixed(now, java.time.ZoneOffset.UTC));
        } catch (QuerySyntaxException e) {
            throw new AfsException(AfsError.INVALID_QUERY, path + ": " + e.getMessage(), e);
        }
        Instant end = q.range().end().orElse(now);
        Instant start = q.range().start().orElse(end.minus(window));
        return new Window(end, Duration.between(start, end));
    }

    @Override
    public CaptureInfo produce(SnapshotOutput out) throws AfsException {
        Window w = window();
        TraceBackend.Fetched<ServiceGraph> graph = backend.graph(w.end(), w.lookback());
        for (ServiceGraph.Link link : graph.value().links()) {
            out.line(link.line());
        }
        return new CaptureInfo(backend.label(), graph.request(), Optional.empty(),
                ReadStats.complete(graph.bytes(), graph.value().links().size(), graph.took()),
                Map.of("links", Integer.toString(graph.value().links().size())));
    }
}
