package dev.aegis.afs.core.source;

import dev.aegis.afs.core.config.ConfigNode;

/** A kind of backend that namespaces.yaml can name with {@code type:}. */
public interface BackendType {

    /** The value of {@code type:}, e.g. {@code file}. */
    String type();

    /**
     * Builds the backend named {@code name} from its section; rejects unknown or bad options
     * with {@link ConfigNode#error}.
     */
    Backend create(String name, ConfigNode options, BackendContext context);
}
