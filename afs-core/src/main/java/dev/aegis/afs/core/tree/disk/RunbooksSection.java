package dev.aegis.afs.core.tree.disk;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.EnvContext;
import dev.aegis.afs.core.tree.EnvSection;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code runbooks: <directory>}: the env's runbooks, read-only, from disk. */
public final class RunbooksSection implements EnvSection {

    @Override
    public String key() {
        return "runbooks";
    }

    @Override
    public DirNode directory(EnvContext context, ConfigNode section) {
        Path dir = context.configDir().resolve(section.asString()).normalize();
        if (!Files.isDirectory(dir)) {
            throw section.error("runbooks directory " + dir + " does not exist; create it or fix the path");
        }
        return new DiskDir(key(), dir);
    }
}
