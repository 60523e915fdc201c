package dev.aegis.afs.core.source;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.cloudwatch.CloudWatchBackendType;
import dev.aegis.afs.core.file.FileBackendType;
import dev.aegis.afs.core.k8s.KubernetesBackendType;
import dev.aegis.afs.core.loki.LokiBackendType;
import dev.aegis.afs.core.prometheus.PrometheusBackendType;
import dev.aegis.afs.core.traces.TempoBackendType;
import dev.aegis.afs.core.traces.ZipkinBackendType;
import dev.aegis.afs.core.git.GitBackendType;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Every backend type namespaces.yaml can name with {@code type:}. */
public final class BackendTypes {

    private static final List<BackendType> ALL = List.of(
            new FileBackendType(),
            new PrometheusBackendType(),
            new LokiBackendType(),
            new CloudWatchBackendType(),
            new KubernetesBackendType(),
            new ZipkinBackendType(),
            new TempoBackendType(),
            new GitBackendType());

    private BackendTypes() {
    }

    public static List<BackendType> all() {
        return ALL;
    }

    public static Optional<BackendType> find(String type) {
        return ALL.stream().filter(t -> t.type().equals(type)).findFirst();
    }

    /** Builds the backend from its section, or fails at {@code type:} listing the known types. */
    public static Backend create(String name, ConfigNode options, BackendContext context) {
        ConfigNode typeNode = options.require("type");
        BackendType type = find(typeNode.asString()).orElseThrow(() -> typeNode.error("unknown backend type '"
                + typeNode.asString() + "'; use one of " + ALL.stream().map(BackendType::type).collect(Collectors.joining(", "))));
        return type.create(name, options.without(java.util.Set.of("cache_ttl")), context);
    }
}
