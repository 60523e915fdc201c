package dev.aegis.afs.core.traces;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.evidence.Captures;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathQueryParser;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@code traces/<service>[?terms]}: {@code traces.log} (the listing, live, evidence on read) and,
 * for each trace the search finds, {@code <traceId>.txt} (span tree) and {@code <traceId>.json}.
 * The directory's terms are the listing's default: {@code ls 'traces/api?status=error'} lists
 * the failed traces, and {@code traces.log} inside it reads the same search.
 */
final class ServiceTracesDirectory implements DirNode {

    static final String LISTING = "traces.log";
    private static final Pattern TRACE_FILE = Pattern.compile("([0-9a-f]{16}|[0-9a-f]{32})\\.(txt|json)");

    private final String treePath;
    private final String service;
    private final PathQuery query;
    private final TraceBackend backend;
    private final TracesSection.TraceSettings settings;
    private final Clock clock;
    private final Captures captures;
    private final long cacheTtlMillis;
    private final Instant created;

    ServiceTracesDirectory(String treePath, String service, PathQuery query, TraceBackend backend,
                           TracesSection.TraceSettings settings, Clock clock, Captures captures, long cacheTtlMillis) {
        this.treePath = Objects.requireNonNull(treePath, "treePath is null");
        this.service = Objects.requireNonNull(service, "service is null");
        this.query = Objects.requireNonNull(query, "query is null");
        this.backend = Objects.requireNonNull(backend, "backend is null");
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.captures = Objects.requireNonNull(captures, "captures is null");
        this.cacheTtlMillis = cacheTtlMillis;
        this.created = clock.instant();
    }

    @Override
    public String name() {
        return treePath.substring(treePath.lastIndexOf('/') + 1);
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return NodeAttributes.dir(created, 0);
    }

    /** Refuses bad directory terms at lookup, before any listing. */
    void checkTerms() throws AfsException {
        listing(LISTING, query).plan();
    }

    @Override
    public List<Node> list(Caller caller) throws AfsException {
        List<Node> out = new ArrayList<>();
        out.add(listingFile(LISTING, query));
        TraceListingRead read = listing(LISTING, query);
        for (TraceSummary t : read.search(read.plan()).value()) {
            out.add(traceFile(t.traceId() + ".txt", t.traceId(), TraceRead.Format.TREE));
            out.add(traceFile(t.traceId() + ".json", t.traceId(), TraceRead.Format.JSON));
        }
        return out;
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        int mark = name.indexOf('?');
        String base = mark < 0 ? name : name.substring(0, mark);
        if (base.equals(LISTING)) {
            PathQuery terms = query;
            if (mark >= 0) {
                try {
                    terms = PathQueryParser.parse(name.substring(mark + 1));
                } catch (QuerySyntaxException e) {
                    throw new AfsException(AfsError.INVALID_QUERY, treePath + "/" + name + ": " + e.getMessage(), e);
                }
            }
            listing(name, terms).plan();
            return listingFile(name, terms);
        }
        var m = TRACE_FILE.matcher(base);
        if (!m.matches()) {
            throw new AfsException(AfsError.NOT_FOUND, treePath + "/" + name + ": no such file; a service directory has "
                    + LISTING + " and <traceId>.txt / <traceId>.json (16 or 32 lowercase hex digits)");
        }
        if (mark >= 0) {
            throw new AfsException(AfsError.INVALID_QUERY, treePath + "/" + name + ": a trace file takes no terms;"
                    + " grep it, or search with " + LISTING + "?...");
        }
        return traceFile(name, m.group(1), m.group(2).equals("txt") ? TraceRead.Format.TREE : TraceRead.Format.JSON);
    }

    private TraceListingRead listing(String name, PathQuery terms) {
        return new TraceListingRead(treePath + "/" + name, service, backend, terms, clock, settings.window());
    }

    private LiveFile listingFile(String name, PathQuery terms) {
        return new LiveFile(name, treePath + "/" + name, clock::instant, cacheTtlMillis, captures, listing(name, terms));
    }

    private LiveFile traceFile(String name, String traceId, TraceRead.Format format) {
        return new LiveFile(name, treePath + "/" + name, clock::instant, cacheTtlMillis, captures,
                new TraceRead(treePath + "/" + name, traceId, backend, format));
    }
}
