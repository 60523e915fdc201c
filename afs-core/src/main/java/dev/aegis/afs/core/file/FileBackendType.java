package dev.aegis.afs.core.file;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.BackendType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code type: file}: logs read from local files, the embedded default.
 *
 * <pre>
 * backends:
 *   local:
 *     type: file
 *     root: /var/log            # required; relative paths resolve against the config's directory
 * teams:
 *   payments:
 *     prod:
 *       logs:
 *         api:
 *           backend: local
 *           path: payments/api.log   # a file (+ rotated siblings), a glob (nginx/*.log) or a directory
 *           timestamp: rfc3339       # default; or a java DateTimeFormatter pattern, or none
 *           format: plain            # default; or cri (kubelet's /var/log/pods)
 * </pre>
 */
public final class FileBackendType implements BackendType {

    @Override
    public String type() {
        return "file";
    }

    @Override
    public Backend create(String name, ConfigNode options, BackendContext context) {
        options.allowOnly(Set.of("type", "root"));
        ConfigNode rootNode = options.require("root");
        String rootText = rootNode.asString();
        Path root = context.configDir().resolve(rootText).normalize();
        if (!Files.isDirectory(root)) {
            throw rootNode.error("root '" + rootText + "' (" + root + ") " + (Files.exists(root) ? "is not a directory"
                    : "does not exist") + "; create the directory or point root at the directory that holds the logs");
        }
        Path real;
        try {
            real = root.toRealPath();
        } catch (IOException e) {
            throw rootNode.error("cannot resolve root '" + rootText + "': " + e.getMessage()
                    + "; check the directory's permissions");
        }
        return new FileBackend(name, real);
    }
}
