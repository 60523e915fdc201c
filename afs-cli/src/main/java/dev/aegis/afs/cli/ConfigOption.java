package dev.aegis.afs.cli;

import dev.aegis.afs.core.Afs;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config F}: namespaces.yaml; default {@code $AFS_CONFIG}, then {@code ./namespaces.yaml}. */
public final class ConfigOption {

    @Option(names = "--config", paramLabel = "FILE",
            description = "namespaces.yaml to use (default: $AFS_CONFIG, else ./namespaces.yaml)")
    Path file;

    Path file() {
        if (file != null) {
            return file.toAbsolutePath().normalize();
        }
        String env = System.getenv("AFS_CONFIG");
        return Path.of(env != null && !env.isBlank() ? env : "namespaces.yaml").toAbsolutePath().normalize();
    }

    Afs load() {
        return Afs.load(file());
    }
}
