package dev.aegis.afs.core.git;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.BackendType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code type: git}: {@code repo} (a local clone or bare repository, relative to the config
 * file; kept up to date by whatever fetches it, e.g. a cron'd {@code git fetch}) and
 * {@code branch} (default: HEAD). Opened read-only: nothing here writes to the repository.
 */
public final class GitBackendType implements BackendType {

    @Override
    public String type() {
        return GitBackend.TYPE;
    }

    @Override
    public Backend create(String name, ConfigNode options, BackendContext context) {
        options.allowOnly(Backend.keys(Backend.COMMON_OPTION_KEYS, "repo", "branch"));
        ConfigNode repoNode = options.require("repo");
        Path repo = context.configDir().resolve(repoNode.asString()).normalize();
        if (!Files.isDirectory(repo)) {
            throw repoNode.error("repo " + repo + " is not a directory; give the path of a git clone or bare repository"
                    + " (relative paths resolve against the config file's directory)");
        }
        String branch = options.get("branch").map(ConfigNode::asString).orElse("HEAD");
        try {
            return GitBackend.open(name, repo, branch);
        } catch (IllegalArgumentException e) {
            throw repoNode.error(e.getMessage());
        }
    }
}
