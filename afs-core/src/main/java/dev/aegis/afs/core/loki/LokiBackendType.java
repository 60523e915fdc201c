package dev.aegis.afs.core.loki;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.BackendType;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * {@code type: loki}. Backend options: {@code url} (required), {@code tenant} (sent as
 * {@code X-Scope-OrgID}), {@code bearer_token_file} or {@code bearer_token_env}, or
 * {@code username} with {@code password_file} or {@code password_env}; {@code timeout} (30s),
 * {@code max_entries_per_query} (5000, keep at most Loki's {@code max_entries_limit_per_query}),
 * {@code max_entries} (100000), {@code retries} (3), {@code lookback} (24h: what an open start
 * reads). Stream options: {@code selector} (required, e.g. {@code {app="payment-api"}}) besides
 * the core's {@code backend} and {@code window}.
 */
public final class LokiBackendType implements BackendType {

    private final Consumer<Duration> sleeper;

    public LokiBackendType() {
        this(LokiBackendType::sleep);
    }

    /** @param sleeper waits between retries (tests pass one that records instead of waiting) */
    public LokiBackendType(Consumer<Duration> sleeper) {
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper is null");
    }

    @Override
    public String type() {
        return "loki";
    }

    @Override
    public Backend create(String name, ConfigNode options, BackendContext context) {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(options, "options is null");
        Objects.requireNonNull(context, "context is null");
        return new LokiBackend(LokiSettings.read(name, options, context), context.clock(), sleeper);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
