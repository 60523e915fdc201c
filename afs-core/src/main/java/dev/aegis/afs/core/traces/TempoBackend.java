package dev.aegis.afs.core.traces;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.prometheus.PrometheusClient;
import dev.aegis.afs.core.prometheus.QueryResult;
import dev.aegis.afs.core.prometheus.Series;
import dev.aegis.afs.query.promql.PrometheusQuery;
import dev.aegis.afs.query.pushdown.Pushdown;
import dev.aegis.afs.query.traces.TraceQlCompiler;
import dev.aegis.afs.query.traces.TraceQlSearch;
import dev.aegis.afs.query.traces.TraceQuery;
import dev.aegis.afs.query.traces.TraceSearch;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A configured Grafana Tempo ({@code type: tempo}). Listings are TraceQL searches; Tempo's search
 * answers with the matched spans only, so each trace found is then fetched whole (its line shows
 * all its spans, services and errors, as a Zipkin listing does). The service graph is read from
 * the metrics Tempo's metrics-generator writes to Prometheus
 * ({@code traces_service_graph_request_total} and {@code ..._failed_total}, by {@code client} and
 * {@code server}), when {@code service_graph:} names that Prometheus.
 */
public final class TempoBackend implements TraceBackend {

    public static final String TYPE = "tempo";

    /** Calls and failed calls per edge over the window, as the metrics-generator counts them. */
    static final String CALLS = "traces_service_graph_request_total";
    static final String FAILED = "traces_service_graph_request_failed_total";

    private final String name;
    private final TempoClient client;
    private final TraceQlCompiler compiler;
    private final Optional<PrometheusClient> graphMetrics;

    TempoBackend(String name, TempoClient client, long defaultLimit, long maxTraces, Optional<PrometheusClient> graphMetrics) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.client = Objects.requireNonNull(client, "client is null");
        this.compiler = new TraceQlCompiler(defaultLimit, maxTraces);
        this.graphMetrics = Objects.requireNonNull(graphMetrics, "graphMetrics is null");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> services() throws AfsException {
        return client.services();
    }

    @Override
    public Pushdown<TraceQlSearch> compile(TraceQuery query) {
        return compiler.compile(query);
    }

    @Override
    public Fetched<List<TraceSummary>> search(TraceSearch search) throws AfsException {
        Fetched<List<String>> ids = client.search(search.text());
        List<TraceSummary> out = new ArrayList<>();
        long bytes = ids.bytes();
        Duration took = ids.took();
        for (String id : ids.value()) {
            Optional<Fetched<TraceDocument>> trace = client.trace(id);
            if (trace.isEmpty() || trace.get().value().spans().isEmpty()) {
                continue; // aged out between the search and the fetch
            }
            out.add(TraceSummary.of(trace.get().value().spans()));
            bytes += trace.get().bytes();
            took = took.plus(trace.get().took());
        }
        String request = ids.request() + (ids.value().isEmpty() ? "" : " then GET /api/traces/<id> for each of "
                + ids.value().size() + " traces");
        return new Fetched<>(out, request, bytes, took);
    }

    @Override
    public Optional<Fetched<TraceDocument>> trace(String traceId) throws AfsException {
        return client.trace(traceId);
    }

    @Override
    public Fetched<ServiceGraph> graph(Instant end, Duration lookback) throws AfsException {
        if (graphMetrics.isEmpty()) {
            throw client.http().failure(AfsError.NOT_FOUND, "no service graph: Tempo keeps it as metrics in Prometheus;"
                    + " add service_graph: {url: <that Prometheus>} to the backend (the metrics-generator's"
                    + " service-graphs processor must be on)");
        }
        PrometheusQuery calls = instant(CALLS, end, lookback);
        PrometheusQuery failed = instant(FAILED, end, lookback);
        QueryResult c = graphMetrics.get().query(calls);
        QueryResult f = graphMetrics.get().query(failed);
        Map<List<String>, long[]> edges = new LinkedHashMap<>();
        add(edges, c, 0);
        add(edges, f, 1);
        List<ServiceGraph.Link> links = new ArrayList<>();
        edges.forEach((k, v) -> links.add(new ServiceGraph.Link(k.get(0), k.get(1), v[0], v[1])));
        return new Fetched<>(new ServiceGraph(links), "prometheus GET " + calls.text() + " ; GET " + failed.text(),
                c.bytesReceived() + f.bytesReceived(), c.took().plus(f.took()));
    }

    /** {@code sum by (client, server) (increase(<metric>[<lookback>s]))} at {@code end}. */
    static PrometheusQuery instant(String metric, Instant end, Duration lookback) {
        String promQl = "sum by (client, server) (increase(" + metric + "[" + Math.max(1, lookback.toSeconds()) + "s]))";
        return new PrometheusQuery(PrometheusQuery.Endpoint.QUERY, List.of(new PrometheusQuery.Param("query", promQl),
                new PrometheusQuery.Param("time", end.toString())));
    }

    /** Adds each series' value (increase() extrapolates: rounded to whole calls) to its edge's slot. */
    private static void add(Map<List<String>, long[]> edges, QueryResult result, int slot) {
        for (Series s : result.series()) {
            String client = s.labels().getOrDefault("client", "");
            String server = s.labels().getOrDefault("server", "");
            if (client.isEmpty() || server.isEmpty() || s.samples().isEmpty()) {
                continue;
            }
            String value = s.samples().get(s.samples().size() - 1).value();
            long n;
            try {
                n = new BigDecimal(value).setScale(0, RoundingMode.HALF_UP).longValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                continue; // NaN or Inf: no count to show
            }
            edges.computeIfAbsent(List.of(client, server), k -> new long[2])[slot] += n;
        }
    }
}
