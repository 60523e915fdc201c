package dev.aegis.afs.core.traces;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.query.pushdown.Pushdown;
import dev.aegis.afs.query.traces.TraceQuery;
import dev.aegis.afs.query.traces.TraceSearch;
import dev.aegis.afs.query.traces.ZipkinSearch;
import dev.aegis.afs.query.traces.ZipkinSearchCompiler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A configured Zipkin server ({@code type: zipkin}); {@code traces:} sections point at it. */
public final class ZipkinBackend implements TraceBackend {

    public static final String TYPE = "zipkin";

    private final String name;
    private final ZipkinClient client;
    private final ZipkinSearchCompiler compiler;

    ZipkinBackend(String name, ZipkinClient client, long defaultLimit, long maxTraces) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.client = Objects.requireNonNull(client, "client is null");
        this.compiler = new ZipkinSearchCompiler(defaultLimit, maxTraces);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return TYPE;
    }

    public ZipkinClient client() {
        return client;
    }

    @Override
    public List<String> services() throws AfsException {
        return client.services();
    }

    @Override
    public Pushdown<ZipkinSearch> compile(TraceQuery query) {
        return compiler.compile(query);
    }

    @Override
    public Fetched<List<TraceSummary>> search(TraceSearch search) throws AfsException {
        Fetched<List<List<Span>>> traces = client.traces(search.text());
        List<TraceSummary> out = new ArrayList<>();
        for (List<Span> spans : traces.value()) {
            if (!spans.isEmpty()) {
                out.add(TraceSummary.of(spans));
            }
        }
        return new Fetched<>(out, traces.request(), traces.bytes(), traces.took());
    }

    @Override
    public Optional<Fetched<TraceDocument>> trace(String traceId) throws AfsException {
        return client.trace(traceId);
    }

    @Override
    public Fetched<ServiceGraph> graph(Instant end, Duration lookback) throws AfsException {
        return client.dependencies(end, lookback);
    }
}
