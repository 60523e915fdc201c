package dev.aegis.afs.bench;

import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.LogQueryCompiler;
import dev.aegis.afs.query.path.PathQueryParser;
import dev.aegis.afs.query.shell.ShellQuery;
import dev.aegis.afs.query.shell.ShellQueryParser;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of turning query text into a plan, paid on every open of a {@code file?terms} path and
 * every {@code afs sh -c}: parsing (ANTLR), percent-decoding or quote removal, and compiling
 * each pattern once with RE2J to validate it. Sampled, so the report has the median (p0.50).
 *
 * <pre>java -jar bench/target/benchmarks.jar CompileBenchmark -wi 2 -i 3 -f 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CompileBenchmark {

    static final String PATH_QUERY = "since=1h&grep-i=oom&grep-v=healthz&tail=50";
    static final String PIPELINE = "grep -i oom /teams/payments/prod/logs/api.log | grep -v healthz | tail -n 50";

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);

    @Benchmark
    public LogQuery pathQuery() {
        return LogQueryCompiler.compile(PathQueryParser.parse(PATH_QUERY), clock);
    }

    @Benchmark
    public ShellQuery shellPipeline() {
        return ShellQueryParser.parse(PIPELINE);
    }
}
