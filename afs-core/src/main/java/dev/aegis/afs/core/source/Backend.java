package dev.aegis.afs.core.source;

import dev.aegis.afs.core.config.ConfigNode;

/**
 * A configured backend from the {@code backends:} section of namespaces.yaml. It builds the
 * sources that teams' envs point at. A backend that does not serve a kind of source leaves the
 * default, which names the problem at the config position.
 */
public interface Backend extends AutoCloseable {

    /** Keys every backend section has, read by the core: {@code type}, {@code cache_ttl}. */
    java.util.Set<String> COMMON_OPTION_KEYS = java.util.Set.of("type", "cache_ttl");

    /** Keys every log stream section has, read by the core: {@code backend}, {@code window}. */
    java.util.Set<String> COMMON_STREAM_KEYS = java.util.Set.of("backend", "window");

    /** {@code own} plus {@code common}, for {@link ConfigNode#allowOnly}. */
    static java.util.Set<String> keys(java.util.Set<String> common, String... own) {
        java.util.Set<String> all = new java.util.HashSet<>(common);
        all.addAll(java.util.List.of(own));
        return all;
    }

    /** The name given in namespaces.yaml. */
    String name();

    /** The type, e.g. {@code file}, {@code loki}. */
    String type();

    /**
     * The log stream configured at {@code teams.<team>.<env>.logs.<stream>}.
     *
     * @param config the stream's section (its keys besides {@code backend} are this type's)
     */
    default LogSource<?> logStream(String stream, ConfigNode config) {
        throw config.error("backend '" + name() + "' (type " + type() + ") does not serve logs;"
                + " point this stream at a backend of type file, loki or cloudwatch");
    }

    @Override
    default void close() {
    }
}
