package dev.aegis.afs.core.cloudwatch;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.core.source.TimestampMode;
import dev.aegis.afs.query.insights.InsightsCompiler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClientBuilder;

/** A configured CloudWatch Logs account and region; its streams share one SDK client. */
final class CloudWatchBackend implements Backend {

    private static final Set<String> STREAM_KEYS = Set.of("backend", "window", "log_groups", "stream_prefix", TimestampMode.KEY);

    private final CloudWatchSettings settings;
    private final Clock clock;
    private final CloudWatchLogsClient logs;
    private final InsightsClient client;

    CloudWatchBackend(CloudWatchSettings settings, AwsCredentialsProvider credentials, Clock clock, Consumer<Duration> sleeper) {
        this.settings = settings;
        this.clock = clock;
        CloudWatchLogsClientBuilder builder = CloudWatchLogsClient.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .overrideConfiguration(c -> c.apiCallTimeout(settings.timeout())
                        .apiCallAttemptTimeout(settings.timeout())
                        .retryStrategy(r -> r.maxAttempts(settings.retries() + 1)));
        settings.endpoint().ifPresent(builder::endpointOverride);
        this.logs = builder.build();
        this.client = new InsightsClient(settings, logs, clock, sleeper);
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String type() {
        return "cloudwatch";
    }

    @Override
    public LogSource<?> logStream(String stream, ConfigNode config) {
        config.allowOnly(STREAM_KEYS);
        ConfigNode groupsNode = config.require("log_groups");
        List<String> groups = groupsNode.asStringList();
        if (groups.isEmpty()) {
            throw groupsNode.error("log_groups is empty; name at least one, e.g. log_groups: [/aws/lambda/payment-api]");
        }
        if (groups.size() > 50) {
            throw groupsNode.error(groups.size() + " log groups; Logs Insights searches at most 50 in one query");
        }
        for (String group : groups) {
            if (!group.matches("[\\w\\-./#]{1,512}")) {
                throw groupsNode.error("'" + group + "' is not a log group name; names use letters, digits and _-./#");
            }
        }
        Optional<String> prefix = config.optString("stream_prefix");
        InsightsCompiler compiler;
        try {
            compiler = new InsightsCompiler(groups, prefix, settings.lookback());
        } catch (IllegalArgumentException e) {
            throw config.require("stream_prefix").error(e.getMessage());
        }
        return new CloudWatchLogSource(settings, compiler, client, clock,
                TimestampMode.parse(config.get(TimestampMode.KEY), TimestampMode.AUTO));
    }

    @Override
    public void close() {
        logs.close();
    }
}
