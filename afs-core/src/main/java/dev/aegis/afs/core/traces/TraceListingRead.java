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
import dev.aegis.afs.query.traces.ZipkinSearch;
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
 * search Zipkin can run sent as one call, the rest (grep, and a tail after a grep) applied to the
 * listing's lines as served. One line per trace, oldest first.
 */
final class TraceListingRead implements SnapshotProducer {

    private final String path;
    private final String service;
    private final ZipkinBackend backend;
    private final PathQuery terms;
    private final Clock clock;
    private final Duration window;

    TraceListingRead(String path, String service, ZipkinBackend backend, PathQuery terms, Clock clock, Duration window) {
        this.path = Objects.requireNonNull(path, "path is null");
        this.service = Objects.requireNonNull(service, "service is null");
        this.backend = Objects.requireNonNull(backend, "backend is null");
        this.terms = Objects.requireNonNull(terms, "terms is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.window = Objects.requireNonNull(window, "window is null");
    }

    /** Compiles now; INVALID_QUERY naming the file, the column and the fix. */
    Pushdown<ZipkinSearch> plan() throws AfsException {
        try {
            TraceQuery q = new TraceQueryCompiler(clock, window).compile(service, terms);
            return backend.compiler().compile(q);
        } catch (QuerySyntaxException e) {
            throw new AfsException(AfsError.INVALID_QUERY, path + ": " + e.getMessage(), e);
        }
    }

    /** The traces of the search, oldest first, before the residual. */
    List<TraceSummary> search(Pushdown<ZipkinSearch> plan, ZipkinClient.Answer[] answer) throws AfsException {
        List<TraceSummary> out = new ArrayList<>();
        for (List<Span> spans : backend.client().traces(plan.query().text(), answer)) {
            if (!spans.isEmpty()) {
                out.add(TraceSummary.of(spans));
            }
        }
        out.sort(Comparator.comparing(TraceSummary::start).thenComparing(TraceSummary::traceId));
        return out;
    }

    @Override
    public CaptureInfo produce(SnapshotOutput out) throws AfsException {
        Pushdown<ZipkinSearch> plan = plan();
        ZipkinClient.Answer[] answer = new ZipkinClient.Answer[1];
        List<TraceSummary> traces = search(plan, answer);
        List<String> lines = new ArrayList<>();
        for (TraceSummary t : traces) {
            lines.add(out.redactor().redact(t.line()));
        }
        lines = dev.aegis.afs.core.source.ResidualLines.apply(lines, plan.residual().stages());
        for (String line : lines) {
            out.servedLine(line);
        }
        ZipkinSearch search = plan.query();
        Optional<String> truncation = search.capped() && traces.size() >= search.limit()
                ? Optional.of("zipkin returned its limit of " + search.limit() + " traces; older ones in the window were cut:"
                        + " narrow with since=, status=error, min-duration= or span=, or ask for tail=N")
                : Optional.empty();
        String query = "GET " + search.text() + (plan.residual().isIdentity() ? "" : " | local: " + plan.residual());
        return new CaptureInfo(backend.label(), query, truncation,
                ReadStats.complete(answer[0].body().length, traces.size(), answer[0].took()),
                Map.of("traces", Long.toString(traces.size()), "traces_shown", Long.toString(lines.size())));
    }
}
