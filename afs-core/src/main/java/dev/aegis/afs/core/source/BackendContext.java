package dev.aegis.afs.core.source;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a backend may use when it is built: the directory relative paths resolve against (the
 * config file's), the clock, and the environment (for credentials named by variable). Injected
 * so tests are exact.
 */
public record BackendContext(Path configDir, Clock clock, Function<String, String> environment) {

    public BackendContext {
        Objects.requireNonNull(configDir, "configDir is null");
        Objects.requireNonNull(clock, "clock is null");
        Objects.requireNonNull(environment, "environment is null");
    }

    public static BackendContext system(Path configDir) {
        return new BackendContext(configDir, Clock.systemUTC(), System::getenv);
    }
}
