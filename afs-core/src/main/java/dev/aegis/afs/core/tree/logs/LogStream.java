package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.source.LogSource;
import java.util.Objects;

/** A configured stream: its source, default window, cache TTL, plain-tool bound and follow settings. */
record LogStream(String name, LogSource<?> source, Window window, long cacheTtlMillis, MaxPushdown maxPushdown,
                 FollowSettings follow) {

    LogStream {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(window, "window is null");
        Objects.requireNonNull(maxPushdown, "maxPushdown is null");
        Objects.requireNonNull(follow, "follow is null");
    }
}
