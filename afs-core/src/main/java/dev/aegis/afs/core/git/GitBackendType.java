package dev.aegis.afs.core.git;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.BackendType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import dev.aegis.afs.core.prometheus.Credentials;

/**
 * {@code type: git}: {@code repo} (a local clone or bare repository, relative to the config
 * file) and {@code branch} (default: HEAD). Without {@code url} the repository is kept up to date
 * by whatever fetches it (e.g. a cron'd {@code git fetch}) and opened read-only. With
 * {@code url} (http or https) {@code repo} is a bare mirror this backend creates and fetches
 * into every {@code fetch_interval} (default 1m) at a read, authenticating with
 * {@code bearer_token_file} / {@code bearer_token_env} or {@code username} with
 * {@code password_file} / {@code password_env} (a token as the password), read at each fetch as
 * for the HTTP backends. Nothing is ever pushed.
 */
public final class GitBackendType implements BackendType {

    @Override
    public String type() {
        return GitBackend.TYPE;
    }

    @Override
    public Backend create(String name, ConfigNode options, BackendContext context) {
        options.allowOnly(Backend.keys(Backend.COMMON_OPTION_KEYS, "repo", "branch", "url", "fetch_interval",
                "bearer_token_file", "bearer_token_env", "username", "password_file", "password_env"));
        ConfigNode repoNode = options.require("repo");
        Path repo = context.configDir().resolve(repoNode.asString()).normalize();
        String branch = options.get("branch").map(ConfigNode::asString).orElse("HEAD");
        Optional<ConfigNode> url = options.get("url");
        if (url.isPresent()) {
            String u = url.get().asString().strip();
            if (!u.startsWith("http://") && !u.startsWith("https://")) {
                throw url.get().error("'" + u + "' is not an http or https URL; write e.g. https://git.example.com/deploy.git"
                        + " (ssh remotes are not supported: mirror them with a cron'd git fetch and leave url out)");
            }
            if (u.matches("https?://[^/]*@.*")) {
                throw url.get().error("the url holds credentials; move them to username and password_file");
            }
            Duration interval = options.get("fetch_interval").map(ConfigNode::asDuration).orElse(Duration.ofMinutes(1));
            try {
                return GitBackend.mirror(name, repo, branch, new GitBackend.Remote(u, Credentials.from(options, context),
                        interval, context.clock()));
            } catch (IllegalArgumentException e) {
                throw repoNode.error(e.getMessage());
            }
        }
        for (String key : java.util.List.of("fetch_interval", "bearer_token_file", "bearer_token_env", "username",
                "password_file", "password_env")) {
            if (options.get(key).isPresent()) {
                throw options.require(key).error(key + " applies to a mirror fetched from url; add url or remove " + key);
            }
        }
        if (!Files.isDirectory(repo)) {
            throw repoNode.error("repo " + repo + " is not a directory; give the path of a git clone or bare repository"
                    + " (relative paths resolve against the config file's directory)");
        }
        try {
            return GitBackend.open(name, repo, branch);
        } catch (IllegalArgumentException e) {
            throw repoNode.error(e.getMessage());
        }
    }
}
