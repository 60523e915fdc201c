package dev.aegis.afs.bench;

import dev.aegis.afs.harness.Guardrails;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One CEL guardrail (the shipped replicas rule) evaluated over action, target and limits; the
 * program is compiled once and cached, as in the harness. Target: under 1 ms (expect µs).
 *
 * <pre>java -jar bench/target/benchmarks.jar HarnessGuardrailBenchmark -wi 2 -i 3 -f 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HarnessGuardrailBenchmark {

    private final Guardrails guardrails = new Guardrails();
    private String expression;
    private Map<String, Object> vars;

    @Setup
    public void setUp() throws Exception {
        expression = Guardrails.DEFAULTS.get(0).expression();
        vars = Map.of(
                "action", Map.of("tool", "scale", "kind", "Deployment", "name", "api", "namespace", "payments",
                        "replicas", 6L, "memory_limit_bytes", 0L),
                "target", Map.of("kind", "Deployment", "name", "api", "namespace", "payments", "exists", true,
                        "replicas", 4L, "ready_replicas", 4L, "pods_at_once", 1L, "memory_limit_bytes", 0L),
                "incident", Map.of("id", "INC-1", "frozen", false, "in_window", true),
                "limits", Map.of("max_scale_factor", 2L, "max_restart_percent", 20L, "max_memory_factor", 2L));
        if (!guardrails.evaluate(expression, vars)) {
            throw new IllegalStateException("the benchmark case should pass the guardrail");
        }
    }

    @Benchmark
    public boolean replicasGuardrail() throws Exception {
        return guardrails.evaluate(expression, vars);
    }
}
