package dev.aegis.afs.core.git;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.EnvContext;
import dev.aegis.afs.core.tree.EnvSection;
import java.util.Set;

/**
 * The {@code config:} section of an env:
 * <pre>{@code
 * config:
 *   backend: deploy-repo        # a backend of type git
 *   path: envs/prod             # optional: the env's folder in the repository (default: all of it)
 * }</pre>
 */
public final class ConfigSection implements EnvSection {

    @Override
    public String key() {
        return "config";
    }

    @Override
    public DirNode directory(EnvContext context, ConfigNode section) {
        section.allowOnly(Set.of("backend", "path"));
        GitBackend backend = context.backend(section, GitBackend.class, GitBackend.TYPE);
        String path = section.get("path").map(ConfigNode::asString).orElse("").replaceAll("^/+|/+$", "");
        if (path.contains("..") || path.contains("//")) {
            throw section.require("path").error("path must be a folder inside the repository, e.g. envs/prod");
        }
        GitView view = new GitView(backend, path);
        return new ConfigDirectory(context.treePath() + "/" + key(), "config", "", view, true, context.clock(),
                context.captures(), context.cacheTtlMillis(backend));
    }
}
