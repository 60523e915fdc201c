package dev.aegis.afs.core.cloudwatch;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import dev.aegis.afs.query.pushdown.BackendQuery;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Shared setup for the CloudWatch tests: a backend built from YAML against a {@link FakeCloudWatchLogs}. */
final class CloudWatchFixture {

    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    static final String ACCESS_KEY = "AKIDEXAMPLEFAKE01";
    static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKESECRET";

    record Read(List<String> lines, ReadStats stats) {
    }

    final MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(1)));
    final List<Duration> sleeps = new ArrayList<>();

    Backend backend(String yaml, Path dir) {
        BackendContext context = new BackendContext(dir, clock, name -> null);
        CloudWatchBackendType type = new CloudWatchBackendType(
                () -> StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)),
                d -> {
                    sleeps.add(d);
                    clock.advance(d);
                });
        return type.create("aws-prod", ConfigReader.parse("namespaces.yaml", yaml), context);
    }

    static LogSource<?> stream(Backend backend, String yaml) {
        return backend.logStream("app", ConfigReader.parse("namespaces.yaml", yaml));
    }

    static <Q extends BackendQuery> Read read(LogSource<Q> source, LogQuery query) throws AfsException {
        Pushdown<Q> plan = source.plan(query);
        List<String> out = new ArrayList<>();
        LineSink sink = LocalEvaluator.pipeline(plan.residual(), collect(out));
        ReadStats stats = source.fetch(plan, sink);
        sink.end();
        return new Read(out, stats);
    }

    /** The plan applied locally to the fixture lines (range first, so the evaluator sees one end()). */
    static List<String> reference(List<LogLine> lines, LogQuery query) {
        List<String> out = new ArrayList<>();
        LineSink sink = LocalEvaluator.pipeline(query.withRange(TimeRange.ALL), collect(out));
        for (LogLine line : lines) {
            if (query.range().contains(line.time()) && !sink.accept(line)) {
                break;
            }
        }
        sink.end();
        return out;
    }

    static LineSink collect(List<String> out) {
        return new LineSink() {
            @Override
            public boolean accept(LogLine line) {
                out.add(line.text());
                return true;
            }

            @Override
            public void end() {
            }
        };
    }
}
