package dev.aegis.afs.core.loki;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import dev.aegis.afs.query.pushdown.BackendQuery;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Shared setup for the Loki tests: a backend built from YAML against a {@link FakeLoki}. */
final class LokiFixture {

    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    static final Clock CLOCK = Clock.fixed(T0.plus(Duration.ofHours(1)), ZoneOffset.UTC);

    /** What a read produced: the lines after the residual, and the backend's stats. */
    record Read(List<String> lines, ReadStats stats) {
    }


    static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    static Backend backend(String yaml, Path dir, Map<String, String> env, List<Duration> sleeps) {
        return backend(yaml, dir, env, sleeps, CLOCK);
    }

    static Backend backend(String yaml, Path dir, Map<String, String> env, List<Duration> sleeps, Clock clock) {
        BackendContext context = new BackendContext(dir, clock, env::get);
        return new LokiBackendType(sleeps::add).create("prod", ConfigReader.parse("namespaces.yaml", yaml), context);
    }

    static LogSource<?> stream(Backend backend, String selectorYaml) {
        return backend.logStream("app", ConfigReader.parse("namespaces.yaml", selectorYaml));
    }

    static <Q extends BackendQuery> Read read(LogSource<Q> source, LogQuery query) throws AfsException {
        Pushdown<Q> plan = source.plan(query);
        List<String> out = new ArrayList<>();
        LineSink sink = LocalEvaluator.pipeline(plan.residual(), collect(out));
        ReadStats stats = source.fetch(plan, sink);
        sink.end();
        return new Read(out, stats);
    }

    /**
     * The reference: the whole plan applied locally to the fixture lines, oldest first. The time
     * range is applied here, before the evaluator, so that its sink sees exactly one end().
     */
    static List<String> reference(List<LogLine> lines, LogQuery query) {
        List<String> out = new ArrayList<>();
        LineSink sink = LocalEvaluator.pipeline(query.withRange(dev.aegis.afs.query.TimeRange.ALL), collect(out));
        for (LogLine line : lines) {
            if (!query.range().contains(line.time())) {
                continue;
            }
            if (!sink.accept(line)) {
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

    private LokiFixture() {
    }

}
