package dev.aegis.afs.bench;

import dev.aegis.afs.core.redact.RedactionPolicy;
import dev.aegis.afs.core.redact.Redactor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of redacting one log line with every built-in rule, as each live read pays it per line.
 * {@code typical} lines are what {@code bench/gen-log.sh} writes (access and worker lines, a
 * stack frame); {@code sensitive} lines hold an email, an IP and a key, so every rule's regex
 * runs. Sampled, so the report has the median.
 *
 * <pre>java -jar bench/target/benchmarks.jar RedactionBenchmark -wi 2 -i 3 -f 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RedactionBenchmark {

    static final String[] TYPICAL = {
        "2026-11-21T20:00:00.123Z INFO  [http-nio-8080-exec-7] c.a.p.api.AccessLog GET /v1/payments/8f3a2c 200 12ms bytes=5123",
        "2026-11-21T20:00:00.131Z INFO  [worker-3] c.a.p.ledger.Worker settled batch=48211 entries=250 lag_ms=37",
        "2026-11-21T20:00:00.140Z WARN  [http-nio-8080-exec-2] c.a.p.api.Pool db pool at 92% (46/50) waiting=3",
        "\tat com.aegis.payments.ledger.Worker.settle(Worker.java:214)",
        "2026-11-21T20:00:00.152Z ERROR [worker-1] c.a.p.ledger.Worker retry 3/5 after timeout talking to ledger-db:5432",
    };

    static final String[] SENSITIVE = {
        "2026-11-21T20:00:00.123Z INFO login ok user=ana.lopez@example.com from 10.0.3.7",
        "2026-11-21T20:00:00.124Z ERROR s3 upload failed key_id=AKIAIOSFODNN7EXAMPLE password=hunter2",
    };

    @Param({"typical", "sensitive"})
    public String kind;

    private Redactor redactor;
    private String[] lines;
    private int next;

    @Setup
    public void setup() {
        redactor = RedactionPolicy.builtins().forPath("/teams/payments/prod/logs/api.log");
        lines = kind.equals("typical") ? TYPICAL : SENSITIVE;
    }

    @Benchmark
    public String redactLine() {
        String line = lines[next];
        next = (next + 1) % lines.length;
        return redactor.redact(line);
    }
}
