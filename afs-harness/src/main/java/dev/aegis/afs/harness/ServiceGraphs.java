package dev.aegis.afs.harness;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.Namespaces;
import dev.aegis.afs.core.traces.ServiceGraph;
import dev.aegis.afs.core.traces.TraceBackend;
import dev.aegis.afs.core.traces.TracesSection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The service graph of a team/env for the risk report: the env's {@code traces:} section of
 * namespaces.yaml names the tracing backend and the window, read as {@code traces/graph} reads it.
 */
public interface ServiceGraphs {

    /** A graph and the request that produced it (for the report). */
    record Reading(ServiceGraph graph, String source, Instant end, Duration window) {
        public Reading {
            Objects.requireNonNull(graph, "graph is null");
            Objects.requireNonNull(source, "source is null");
        }
    }

    /** Empty when the env has no traces; an exception when the backend cannot be read. */
    Optional<Reading> graph(String team, String env) throws AfsException;

    ServiceGraphs NONE = (team, env) -> Optional.empty();

    /** From the {@code traces:} sections and {@code backends:} of an already loaded namespaces.yaml. */
    static ServiceGraphs of(Namespaces namespaces, Clock clock) {
        EnvBackends backends = new EnvBackends(namespaces);
        if (!backends.any("traces")) {
            return NONE;
        }
        return (team, env) -> {
            Optional<ConfigNode> section = backends.section(team, env, "traces");
            if (section.isEmpty()) {
                return Optional.empty();
            }
            TracesSection.TraceSettings settings = TracesSection.settings(section.get());
            TraceBackend traces = backends.backend(section.get(), TraceBackend.class, TracesSection.TYPES);
            Instant end = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            TraceBackend.Fetched<ServiceGraph> graph = traces.graph(end, settings.window());
            return Optional.of(new Reading(graph.value(), traces.label() + " " + graph.request(), end, settings.window()));
        };
    }
}
