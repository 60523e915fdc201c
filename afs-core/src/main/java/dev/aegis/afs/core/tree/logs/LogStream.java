package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.core.source.TimestampMode;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A configured stream: its source, default window, cache TTL, plain-tool bound and follow
 * settings, and (for {@code timestamp: auto}) the shape decided from its first lines, kept for
 * the daemon's life.
 */
record LogStream(String name, LogSource<?> source, Window window, long cacheTtlMillis, MaxPushdown maxPushdown,
                 FollowSettings follow, AtomicReference<TimestampMode> detected) {

    LogStream {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(window, "window is null");
        Objects.requireNonNull(maxPushdown, "maxPushdown is null");
        Objects.requireNonNull(follow, "follow is null");
        Objects.requireNonNull(detected, "detected is null");
    }

    LogStream(String name, LogSource<?> source, Window window, long cacheTtlMillis, MaxPushdown maxPushdown,
              FollowSettings follow) {
        this(name, source, window, cacheTtlMillis, maxPushdown, follow, new AtomicReference<>());
    }
}
