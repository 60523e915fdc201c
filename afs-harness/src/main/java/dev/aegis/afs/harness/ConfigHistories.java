package dev.aegis.afs.harness;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.Namespaces;
import dev.aegis.afs.core.git.GitBackend;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The recent commits to a team/env's configuration for the risk report: the env's
 * {@code config:} section names the git backend and the folder, read as {@code config/.history}
 * reads it.
 */
public interface ConfigHistories {

    /** The commits and where they were read (e.g. {@code git:deploy envs/prod}). */
    record Found(String source, List<GitBackend.FolderCommit> commits) {
        public Found {
            Objects.requireNonNull(source, "source is null");
            commits = List.copyOf(commits);
        }
    }

    /** Commits since {@code from}; empty when the env has no {@code config:}. */
    Optional<Found> commits(String team, String env, Instant from) throws AfsException;

    ConfigHistories NONE = (team, env, from) -> Optional.empty();

    /** From the {@code config:} sections and {@code backends:} of an already loaded namespaces.yaml. */
    static ConfigHistories of(Namespaces namespaces) {
        EnvBackends backends = new EnvBackends(namespaces);
        if (!backends.any("config")) {
            return NONE;
        }
        return (team, env, from) -> {
            Optional<ConfigNode> section = backends.section(team, env, "config");
            if (section.isEmpty()) {
                return Optional.empty();
            }
            GitBackend git = backends.backend(section.get(), GitBackend.class, GitBackend.TYPE);
            String folder = section.get().get("path").map(ConfigNode::asString).orElse("").replaceAll("^/+|/+$", "");
            return Optional.of(new Found(git.label() + (folder.isEmpty() ? "" : " " + folder), git.commits(folder, from)));
        };
    }
}
