package dev.aegis.afs.core.tree;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.evidence.Captures;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.tree.logs.PlainTools;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * What an {@link EnvSection} may use to build its directory.
 *
 * @param treePath  {@code /teams/<team>/<env>}
 * @param backends  the configured backends by name
 * @param cacheTtlMillis each backend's {@code cache_ttl}: how long a live read may be reused
 * @param captures  runs live reads once and records them as evidence (see {@link LiveFile})
 * @param configDir relative paths in the section resolve against it
 * @param plainTools whether plain grep/tail/head are pushed down, and the follow scheduler
 */
public record EnvContext(String team, String env, String treePath, Map<String, Backend> backends,
                         Map<String, Long> cacheTtlMillis, Captures captures, Clock clock, Path configDir,
                         PlainTools plainTools) {

    /** Without plain-tool pushdown. */
    public EnvContext(String team, String env, String treePath, Map<String, Backend> backends,
                      Map<String, Long> cacheTtlMillis, Captures captures, Clock clock, Path configDir) {
        this(team, env, treePath, backends, cacheTtlMillis, captures, clock, configDir, PlainTools.off());
    }

    public EnvContext {
        Objects.requireNonNull(team, "team is null");
        Objects.requireNonNull(env, "env is null");
        Objects.requireNonNull(treePath, "treePath is null");
        backends = Map.copyOf(backends);
        cacheTtlMillis = Map.copyOf(cacheTtlMillis);
        Objects.requireNonNull(captures, "captures is null");
        Objects.requireNonNull(clock, "clock is null");
        Objects.requireNonNull(configDir, "configDir is null");
        Objects.requireNonNull(plainTools, "plainTools is null");
    }

    /** The backend named by {@code section.backend}, or an error at that position listing the known ones. */
    public Backend backend(ConfigNode section) {
        ConfigNode ref = section.require("backend");
        Backend b = backends.get(ref.asString());
        if (b == null) {
            throw ref.error("no backend named '" + ref.asString() + "'; define it under backends: (known: "
                    + String.join(", ", new java.util.TreeSet<>(backends.keySet())) + ")");
        }
        return b;
    }

    /** {@link #backend} checked to be of {@code type}, e.g. a Prometheus backend for a metrics section. */
    public <B extends Backend> B backend(ConfigNode section, Class<B> type, String typeName) {
        Backend b = backend(section);
        if (!type.isInstance(b)) {
            throw section.require("backend").error("backend '" + b.name() + "' is of type " + b.type()
                    + "; this section needs a backend of type " + typeName);
        }
        return type.cast(b);
    }

    /** How long a read of {@code backend} may be reused (its {@code cache_ttl}); 0 disables. */
    public long cacheTtlMillis(Backend backend) {
        return cacheTtlMillis.getOrDefault(backend.name(), 0L);
    }
}
