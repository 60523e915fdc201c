package dev.aegis.afs.harness;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.Namespaces;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.BackendTypes;
import dev.aegis.afs.core.traces.ServiceGraph;
import dev.aegis.afs.core.traces.TracesSection;
import dev.aegis.afs.core.traces.TraceBackend;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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
        Map<String, ConfigNode> sections = new LinkedHashMap<>();
        namespaces.teams().forEach((team, envs) -> envs.forEach((env, node) ->
                node.get("traces").ifPresent(t -> sections.put(team + "/" + env, t))));
        if (sections.isEmpty()) {
            return NONE;
        }
        Map<String, Backend> backends = new ConcurrentHashMap<>();
        return (team, env) -> {
            ConfigNode section = sections.get(team + "/" + env);
            if (section == null) {
                return Optional.empty();
            }
            TracesSection.TraceSettings settings = TracesSection.settings(section);
            String name = section.require("backend").asString();
            Backend backend = backends.computeIfAbsent(name, n -> {
                ConfigNode options = namespaces.backends().get(n);
                if (options == null) {
                    throw section.require("backend").error("no backend named '" + n + "'; define it under backends:");
                }
                return BackendTypes.create(n, options, BackendContext.system(namespaces.configDir()));
            });
            if (!(backend instanceof TraceBackend traces)) {
                throw section.require("backend").error("backend '" + name + "' is of type " + backend.type()
                        + "; traces: needs a backend of type " + TracesSection.TYPES);
            }
            Instant end = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            TraceBackend.Fetched<ServiceGraph> graph = traces.graph(end, settings.window());
            return Optional.of(new Reading(graph.value(), traces.label() + " " + graph.request(), end, settings.window()));
        };
    }
}
