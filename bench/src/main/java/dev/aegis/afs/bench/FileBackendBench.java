package dev.aegis.afs.bench;

import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.core.file.FileBackendType;
import dev.aegis.afs.core.file.FileLogSource;
import dev.aegis.afs.core.file.ScanPlan;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The file backend without FUSE, against the native tools on the same file: {@code tail=50}
 * vs {@code tail -n 50}, and {@code grep-F=X | wc -l} vs {@code grep -F X | wc -l}. Prints a
 * markdown table of medians (wall time, bytes read from disk) and the ratio.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.aegis.afs.bench.FileBackendBench LOG [NEEDLE] [RUNS]</pre>
 */
public final class FileBackendBench {

    private FileBackendBench() {
    }

    private record Run(double millis, long bytes, String output) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: FileBackendBench LOG [NEEDLE] [RUNS]");
            System.exit(2);
        }
        Path log = Path.of(args[0]).toAbsolutePath();
        String needle = args.length > 1 ? args[1] : "OOMKilled";
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        FileLogSource source = open(log);

        LogQuery tail = LogQuery.of(LineLimit.newest(50));
        LogQuery count = LogQuery.of(LineFilter.keep(Match.literal(needle)), new CountLines());
        System.out.printf("file %s (%,d bytes), needle '%s', median of %d runs after >= 2 s of warm-up%n%n", log,
                java.nio.file.Files.size(log), needle, runs);
        System.out.println("| operation | file backend (direct) | native | ratio | bytes read (backend) |");
        System.out.println("|---|---|---|---|---|");
        report("tail=50 vs tail -n 50", median(runs, () -> direct(source, tail)),
                median(runs, () -> command("tail", "-n", "50", log.toString())));
        report("grep-F=" + needle + " count vs grep -F | wc -l", median(runs, () -> direct(source, count)),
                median(runs, () -> command("sh", "-c", "grep -F -e \"$1\" \"$2\" | wc -l", "sh", needle, log.toString())));
    }

    static FileLogSource open(Path log) {
        Path root = log.getParent();
        BackendContext context = BackendContext.system(root);
        var backend = new FileBackendType().create("bench",
                ConfigReader.parse("bench.yaml", "type: file\nroot: '" + root + "'\n"), context);
        return (FileLogSource) backend.logStream("bench",
                ConfigReader.parse("bench.yaml", "path: '" + log.getFileName() + "'\nwindow: none\n"));
    }

    private static void report(String name, Run ours, Run theirs) {
        System.out.printf("| %s | %.2f ms | %.2f ms | %.2fx | %,d |%n", name, ours.millis(), theirs.millis(),
                ours.millis() / theirs.millis(), ours.bytes());
        if (!ours.output().strip().equals(theirs.output().strip())) {
            System.out.printf("| (outputs differ: %d vs %d chars) | | | | |%n", ours.output().length(), theirs.output().length());
        }
    }

    private interface Op {
        Run run() throws Exception;
    }

    /** Warms up (at least two runs and two seconds, so the JIT has compiled the scan), then takes the median. */
    private static Run median(int runs, Op op) throws Exception {
        long warmUntil = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; i < 2 || System.nanoTime() < warmUntil; i++) {
            op.run();
        }
        List<Run> results = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            results.add(op.run());
        }
        double[] ms = results.stream().mapToDouble(Run::millis).sorted().toArray();
        Run last = results.get(results.size() - 1);
        return new Run(ms[ms.length / 2], last.bytes(), last.output());
    }

    static Run direct(FileLogSource source, LogQuery query) throws Exception {
        long start = System.nanoTime();
        Pushdown<ScanPlan> plan = source.plan(query);
        StringBuilder out = new StringBuilder();
        LineSink print = new LineSink() {
            @Override
            public boolean accept(LogLine line) {
                out.append(line.text()).append('\n');
                return true;
            }

            @Override
            public void end() {
            }
        };
        LineSink residual = LocalEvaluator.pipeline(plan.residual(), print);
        ReadStats stats = source.fetch(plan, residual);
        residual.end();
        return new Run((System.nanoTime() - start) / 1e6, stats.bytesReceived(), out.toString());
    }

    private static Run command(String... command) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0 && !Arrays.asList(command).contains("sh")) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
        return new Run((System.nanoTime() - start) / 1e6, -1, new String(out, java.nio.charset.StandardCharsets.UTF_8));
    }
}
