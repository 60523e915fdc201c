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

/**
 * {@code /teams/<team>/<env>/traces}: {@code graph} (live) and one directory per service
 * (configured, or every service the tracing backend knows). {@code <service>?status=error&since=1h} is the
 * same directory listing only the traces of that search.
 */
final class TracesDirectory implements DirNode {

    static final String GRAPH = "graph";

    private final String treePath;
    private final TraceBackend backend;
    private final TracesSection.TraceSettings settings;
    private final Clock clock;
    private final Captures captures;
    private final long cacheTtlMillis;
    private final Instant created;

    TracesDirectory(String treePath, TraceBackend backend, TracesSection.TraceSettings settings, Clock clock,
                    Captures captures, long cacheTtlMillis) {
        this.treePath = Objects.requireNonNull(treePath, "treePath is null");
        this.backend = Objects.requireNonNull(backend, "backend is null");
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.captures = Objects.requireNonNull(captures, "captures is null");
        this.cacheTtlMillis = cacheTtlMillis;
        this.created = clock.instant();
    }

    @Override
    public String name() {
        return "traces";
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return NodeAttributes.dir(created, 0);
    }

    private List<String> services() throws AfsException {
        return settings.services().isPresent() ? settings.services().get() : backend.services();
    }

    @Override
    public List<Node> list(Caller caller) throws AfsException {
        List<Node> out = new ArrayList<>();
        out.add(graph(GRAPH, PathQuery.EMPTY));
        for (String service : services()) {
            if (isFileName(service)) {
                out.add(new ServiceTracesDirectory(treePath + "/" + service, service, PathQuery.EMPTY, backend, settings,
                        clock, captures, cacheTtlMillis));
            }
        }
        return out;
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        int mark = name.indexOf('?');
        String base = mark < 0 ? name : name.substring(0, mark);
        PathQuery query;
        try {
            query = mark < 0 ? PathQuery.EMPTY : PathQueryParser.parse(name.substring(mark + 1));
        } catch (QuerySyntaxException e) {
            throw new AfsException(AfsError.INVALID_QUERY, treePath + "/" + name + ": " + e.getMessage(), e);
        }
        if (base.equals(GRAPH)) {
            LiveFile file = graph(name, query);
            new GraphRead(treePath + "/" + name, backend, query, clock, settings.window()).window();
            return file;
        }
        if (!isFileName(base) || !services().contains(base)) {
            throw new AfsException(AfsError.NOT_FOUND, treePath + "/" + base + ": no such service in "
                    + backend.label() + (settings.services().isPresent() ? " (configured: " + String.join(", ",
                    settings.services().get()) + ")" : "") + "; ls " + treePath + " lists them");
        }
        ServiceTracesDirectory dir = new ServiceTracesDirectory(treePath + "/" + name, base, query, backend, settings,
                clock, captures, cacheTtlMillis);
        dir.checkTerms();
        return dir;
    }

    private LiveFile graph(String name, PathQuery query) {
        return new LiveFile(name, treePath + "/" + name, clock::instant, cacheTtlMillis, captures,
                new GraphRead(treePath + "/" + name, backend, query, clock, settings.window()));
    }

    /** A service name usable as one path segment. */
    static boolean isFileName(String s) {
        return !s.isEmpty() && !s.equals(".") && !s.equals("..") && s.indexOf('/') < 0 && s.indexOf('?') < 0
                && s.indexOf('\0') < 0 && !s.equals(GRAPH) && s.length() <= 200;
    }
}
