package dev.aegis.afs.harness;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.Namespaces;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.BackendTypes;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The backends an env's sections name ({@code traces:}, {@code config:}), built from
 * namespaces.yaml's {@code backends:} the first time the risk report needs one, then reused.
 */
final class EnvBackends {

    private final Namespaces namespaces;
    private final Map<String, Backend> built = new ConcurrentHashMap<>();

    EnvBackends(Namespaces namespaces) {
        this.namespaces = Objects.requireNonNull(namespaces, "namespaces is null");
    }

    /** Whether any env has a section {@code key}. */
    boolean any(String key) {
        return namespaces.teams().values().stream().anyMatch(envs -> envs.values().stream().anyMatch(n -> n.get(key).isPresent()));
    }

    /** The section {@code key} of team/env, if it has one. */
    Optional<ConfigNode> section(String team, String env, String key) {
        return Optional.ofNullable(namespaces.teams().get(team)).map(envs -> envs.get(env)).flatMap(n -> n.get(key));
    }

    /** The backend {@code section.backend} names, checked to be a {@code type} (named {@code typeNames} in the error). */
    <B extends Backend> B backend(ConfigNode section, Class<B> type, String typeNames) {
        ConfigNode ref = section.require("backend");
        Backend backend = built.computeIfAbsent(ref.asString(), n -> {
            ConfigNode options = namespaces.backends().get(n);
            if (options == null) {
                throw ref.error("no backend named '" + n + "'; define it under backends:");
            }
            return BackendTypes.create(n, options, BackendContext.system(namespaces.configDir()));
        });
        if (!type.isInstance(backend)) {
            throw ref.error("backend '" + ref.asString() + "' is of type " + backend.type() + "; this section needs a backend"
                    + " of type " + typeNames);
        }
        return type.cast(backend);
    }
}
