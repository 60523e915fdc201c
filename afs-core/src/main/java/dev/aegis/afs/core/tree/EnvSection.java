package dev.aegis.afs.core.tree;

import dev.aegis.afs.core.config.ConfigNode;

/**
 * A kind of source under {@code teams.<team>.<env>} in namespaces.yaml, shown as the directory
 * {@code /teams/<team>/<env>/<key>}: {@code logs}, {@code runbooks}, {@code metrics}, {@code k8s}.
 * Each section validates its own keys (errors at file:line:column) and builds its directory
 * once, when the configuration is loaded.
 */
public interface EnvSection {

    /** The key in namespaces.yaml and the directory name. */
    String key();

    DirNode directory(EnvContext context, ConfigNode section);
}
