package dev.aegis.afs.core.prometheus;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.Help;
import dev.aegis.afs.core.tree.TextFile;
import dev.aegis.afs.core.evidence.Captures;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathQueryParser;
import dev.aegis.afs.query.promql.SeriesDefinition;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code /teams/<team>/<env>/metrics}: for each configured series {@code <name>.prom},
 * {@code <name>.csv} and {@code <name>.tsv}, each a live file; {@code <name>.prom?window=1h&...}
 * resolves to a live file reading with those terms; {@code README} lists every term.
 */
final class MetricsDirectory implements DirNode {

    private final String treePath;
    private final PrometheusBackend backend;
    private final Map<String, SeriesDefinition> series;
    private final Clock clock;
    private final Captures captures;
    private final long cacheTtlMillis;
    private final Instant created;

    MetricsDirectory(String treePath, PrometheusBackend backend, Map<String, SeriesDefinition> series, Clock clock,
                     Captures captures, long cacheTtlMillis) {
        this.treePath = Objects.requireNonNull(treePath, "treePath is null");
        this.backend = Objects.requireNonNull(backend, "backend is null");
        this.series = new LinkedHashMap<>(Objects.requireNonNull(series, "series is null"));
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.captures = Objects.requireNonNull(captures, "captures is null");
        this.cacheTtlMillis = cacheTtlMillis;
        this.created = clock.instant();
    }

    @Override
    public String name() {
        return "metrics";
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return NodeAttributes.dir(created, 0);
    }

    /** {@code README}: every term a metrics file takes, with an example. */
    static final String README = "README";

    private TextFile readme() {
        return new TextFile(README, clock, caller -> Help.metrics());
    }

    @Override
    public List<Node> list(Caller caller) {
        List<Node> out = new ArrayList<>();
        out.add(readme());
        for (Map.Entry<String, SeriesDefinition> e : series.entrySet()) {
            for (MetricFormat format : MetricFormat.values()) {
                out.add(file(e.getKey() + format.suffix(), e.getValue(), format, PathQuery.EMPTY));
            }
        }
        return out;
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        if (name.equals(README)) {
            return readme();
        }
        int mark = name.indexOf('?');
        String file = mark < 0 ? name : name.substring(0, mark);
        MetricFormat format = MetricFormat.of(file).orElseThrow(() -> notFound(name));
        SeriesDefinition definition = series.get(file.substring(0, file.length() - format.suffix().length()));
        if (definition == null) {
            throw notFound(name);
        }
        PathQuery query;
        try {
            query = mark < 0 ? PathQuery.EMPTY : PathQueryParser.parse(name.substring(mark + 1));
        } catch (QuerySyntaxException e) {
            throw new AfsException(AfsError.INVALID_QUERY, treePath + "/" + name + ": " + e.getMessage(), e);
        }
        LiveFile live = file(name, definition, format, query);
        read(name, definition, format, query).plan(); // refuse bad terms at lookup, before any open
        return live;
    }

    private AfsException notFound(String name) {
        return new AfsException(AfsError.NOT_FOUND, treePath + "/" + name + ": no such metrics file; configured: "
                + String.join(", ", series.keySet()) + " (each as .prom, .csv and .tsv)");
    }

    private LiveFile file(String name, SeriesDefinition definition, MetricFormat format, PathQuery query) {
        return new LiveFile(name, treePath + "/" + name, clock::instant, cacheTtlMillis, captures,
                read(name, definition, format, query));
    }

    private MetricsRead read(String name, SeriesDefinition definition, MetricFormat format, PathQuery query) {
        return new MetricsRead(treePath + "/" + name, backend, definition, format, query, clock);
    }
}
