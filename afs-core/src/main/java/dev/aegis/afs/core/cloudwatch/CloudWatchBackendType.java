package dev.aegis.afs.core.cloudwatch;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.BackendType;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * {@code type: cloudwatch}. Backend options: {@code region} (required), {@code endpoint} (an
 * override, e.g. for a local fake), {@code timeout} (30s per API call), {@code query_timeout}
 * (2m for an Insights query to complete), {@code poll_interval} (1s), {@code max_entries}
 * (100000), {@code max_rows_per_query} (Insights' cap of 10000; lower it for smaller queries),
 * {@code retries} (3, the SDK's), {@code lookback} (24h: what an open start reads).
 * Credentials come from the AWS SDK's default provider chain. Stream options:
 * {@code log_groups} (one or a list, required), {@code stream_prefix}, besides the core's
 * {@code backend} and {@code window}.
 */
public final class CloudWatchBackendType implements BackendType {

    private final Supplier<AwsCredentialsProvider> credentials;
    private final Consumer<Duration> sleeper;

    public CloudWatchBackendType() {
        this(DefaultCredentialsProvider::create, CloudWatchBackendType::sleep);
    }

    /**
     * @param credentials supplies the credentials provider for each backend built
     * @param sleeper     waits between polls (tests pass one that advances their clock)
     */
    public CloudWatchBackendType(Supplier<AwsCredentialsProvider> credentials, Consumer<Duration> sleeper) {
        this.credentials = Objects.requireNonNull(credentials, "credentials is null");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper is null");
    }

    @Override
    public String type() {
        return "cloudwatch";
    }

    @Override
    public Backend create(String name, ConfigNode options, BackendContext context) {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(options, "options is null");
        Objects.requireNonNull(context, "context is null");
        return new CloudWatchBackend(CloudWatchSettings.read(name, options), credentials.get(), context.clock(), sleeper);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
