package dev.aegis.afs.core.loki;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.core.source.TimestampMode;
import dev.aegis.afs.query.logql.LogQlCompiler;
import dev.aegis.afs.query.logql.StreamSelector;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;

/** A configured Loki; its streams share one HTTP client. */
final class LokiBackend implements Backend {

    private static final Set<String> STREAM_KEYS = Set.of("backend", "window", "selector", TimestampMode.KEY);

    private final LokiSettings settings;
    private final Clock clock;
    private final OkHttpClient http;
    private final LokiClient client;

    LokiBackend(LokiSettings settings, Clock clock, Consumer<Duration> sleeper) {
        this.settings = settings;
        this.clock = clock;
        this.http = new OkHttpClient.Builder()
                .callTimeout(settings.timeout())
                .connectTimeout(settings.timeout())
                .readTimeout(settings.timeout())
                .retryOnConnectionFailure(false) // retries are ours, bounded and logged in the reason
                .build();
        this.client = new LokiClient(settings, http, sleeper);
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String type() {
        return "loki";
    }

    @Override
    public LogSource<?> logStream(String stream, ConfigNode config) {
        config.allowOnly(STREAM_KEYS);
        ConfigNode selectorNode = config.require("selector");
        StreamSelector selector;
        try {
            selector = new StreamSelector(selectorNode.asString());
        } catch (IllegalArgumentException e) {
            throw selectorNode.error(e.getMessage());
        }
        return new LokiLogSource(settings, new LogQlCompiler(selector, settings.lookback()), client, clock,
                TimestampMode.parse(config.get(TimestampMode.KEY), TimestampMode.AUTO));
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
