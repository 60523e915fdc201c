package dev.aegis.afs.core.traces;

import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.query.traces.ZipkinSearchCompiler;
import java.util.Objects;

/** A configured Zipkin server ({@code type: zipkin}); {@code traces:} sections point at it. */
public final class ZipkinBackend implements Backend {

    public static final String TYPE = "zipkin";

    private final String name;
    private final ZipkinClient client;
    private final long defaultLimit;
    private final long maxTraces;

    ZipkinBackend(String name, ZipkinClient client, long defaultLimit, long maxTraces) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.client = Objects.requireNonNull(client, "client is null");
        this.defaultLimit = defaultLimit;
        this.maxTraces = maxTraces;
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

    public ZipkinSearchCompiler compiler() {
        return new ZipkinSearchCompiler(defaultLimit, maxTraces);
    }

    /** How evidence names it, e.g. {@code zipkin:prod}. */
    public String label() {
        return TYPE + ":" + name;
    }
}
