package dev.aegis.afs.core.traces;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.SnapshotOutput;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.pushdown.Pushdown;
import dev.aegis.afs.query.traces.TraceQuery;
import dev.aegis.afs.query.traces.TraceQueryCompiler;
import dev.aegis.afs.query.traces.TraceSearch;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One read of {@code traces/<service>/traces.log?...}: the terms compiled against the clock, the
 * search the backend can run sent as one call, the rest (grep, and a tail after a grep) applied to the
 * listing's lines as served. One line per trace, oldest first.
 */
final class TraceListingRead implements SnapshotProducer {

    private final String path;
    private final String service;
    private final TraceBackend backend;
    private final PathQuery terms;
    private final Clock clock;
    private final Duration window;

    TraceListingRead(String path, String service, TraceBackend backend, PathQuery terms, Clock clock, Duration window) {
        this.path = Objects.requireNonNull(path, "path is null");
        this.service = Objects.requireNonNull(service, "service is null");
        this.backend = Objects.requireNonNull(backend, "backend is null");
        this.terms = Objects.requireNonNull(terms, "terms is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.window = Objects.requireNonNull(window, "window is null");
    }

    /** Compiles now; INVALID_QUERY naming the file, the column and the fix. */
    Pushdown<? extends TraceSearch> plan() throws AfsException {
        try {
            TraceQuery q = new TraceQueryCompiler(clock, window).compile(service, terms);
            return backend.compile(q);
        } catch (QuerySyntaxException e) {
            throw new AfsException(AfsError.INVALID_QUERY, path + ": " + e.getMessage(), e);
        }
    }

    /** The traces of the search, oldest first, before the residual. */
    TraceBackend.Fetched<List<TraceSummary>> search(Pushdown<? extends TraceSearch> plan) throws AfsException {
        TraceBackend.Fetched<List<TraceSummary>> found = backend.search(plan.query());
        List<TraceSummary> out = new ArrayList<>(found.value());
        out.sort(Comparator.comparing(TraceSummary::start).thenComparing(TraceSummary::traceId));
        return new TraceBackend.Fetched<>(out, found.request(), found.bytes(), found.took());
    }

    @Override
    public CaptureInfo produce(SnapshotOutput out) throws AfsException {
        Pushdown<? extends TraceSearch> plan = plan();
        TraceBackend.Fetched<List<TraceSummary>> found = search(plan);
        List<TraceSummary> traces = found.value();
        List<String> lines = new ArrayList<>();
        for (TraceSummary t : traces) {
            lines.add(out.redactor().redact(t.line()));
        }
        lines = dev.aegis.afs.core.source.ResidualLines.apply(lines, plan.residual().stages());
        for (String line : lines) {
            out.servedLine(line);
        }
        TraceSearch search = plan.query();
        Optional<String> truncation = search.capped() && traces.size() >= search.limit()
                ? Optional.of(backend.type() + " returned its limit of " + search.limit() + " traces; older ones in the window were cut:"
                        + " narrow with since=, status=error, min-duration= or span=, or ask for tail=N")
                : Optional.empty();
        String query = found.request() + (plan.residual().isIdentity() ? "" : " | local: " + plan.residual());
        return new CaptureInfo(backend.label(), query, truncation,
                ReadStats.complete(found.bytes(), traces.size(), found.took()),
                Map.of("traces", Long.toString(traces.size()), "traces_shown", Long.toString(lines.size())));
    }
}
