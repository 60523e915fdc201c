package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.source.LogSource;
import java.util.Objects;

/** A configured stream: its source, default window and cache TTL. */
record LogStream(String name, LogSource<?> source, Window window, long cacheTtlMillis) {

    LogStream {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(window, "window is null");
    }
}
