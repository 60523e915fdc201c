package dev.aegis.afs.query.grep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs the real GNU tools under {@code LC_ALL=C.UTF-8} on a data file, many cases per process
 * (one bash script), so thousands of differential cases stay fast.
 */
final class GnuGrep {

    static final Path GREP = Path.of("/usr/bin/grep");

    /** grep's answer for one case: the selected line numbers (1-based), or rejected (exit 2). */
    record Outcome(boolean rejected, Set<Integer> lines, String diagnostics) {
    }

    /** One grep invocation: flags such as "-E", "-i", and the patterns (passed with -f). */
    record Case(List<String> flags, List<String> patterns) {
    }

    static boolean available() {
        return Files.isExecutable(GREP) && Files.isExecutable(Path.of("/bin/bash"));
    }

    static List<Outcome> run(Path dir, List<String> dataLines, List<Case> cases) throws IOException, InterruptedException {
        Path data = dir.resolve("data.txt");
        Files.writeString(data, joinLines(dataLines), StandardCharsets.UTF_8);
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Path pat = dir.resolve("p" + i);
            Files.writeString(pat, joinLines(c.patterns()), StandardCharsets.UTF_8);
            script.append("echo '@@case'\n/usr/bin/grep -n ").append(String.join(" ", c.flags()))
                    .append(" -f ").append(pat).append(' ').append(data).append(" 2>&1; echo \"@@rc $?\"\n");
        }
        Path scriptFile = dir.resolve("run.sh");
        Files.writeString(scriptFile, script.toString(), StandardCharsets.UTF_8);
        String out = bash(scriptFile);
        List<Outcome> outcomes = new ArrayList<>();
        Set<Integer> lines = new TreeSet<>();
        StringBuilder diag = new StringBuilder();
        for (String line : out.split("\n", -1)) {
            if (line.equals("@@case")) {
                lines = new TreeSet<>();
                diag = new StringBuilder();
            } else if (line.startsWith("@@rc ")) {
                outcomes.add(new Outcome(line.equals("@@rc 2"), lines, diag.toString()));
            } else if (!line.isEmpty() && Character.isDigit(line.charAt(0)) && line.indexOf(':') > 0) {
                lines.add(Integer.parseInt(line.substring(0, line.indexOf(':'))));
            } else {
                diag.append(line).append('\n');
            }
        }
        if (outcomes.size() != cases.size()) {
            throw new IllegalStateException("expected " + cases.size() + " outcomes, got " + outcomes.size());
        }
        return outcomes;
    }

    /** Runs a shell command over the data file (as $1) and returns its standard output. */
    static String shell(Path dir, List<String> dataLines, String command) throws IOException, InterruptedException {
        Path data = dir.resolve("shell-data.txt");
        Files.writeString(data, joinLines(dataLines), StandardCharsets.UTF_8);
        Path script = dir.resolve("shell.sh");
        Files.writeString(script, command + "\n", StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", script.toString(), data.toString());
        return start(pb);
    }

    private static String bash(Path script) throws IOException, InterruptedException {
        return start(new ProcessBuilder("/bin/bash", script.toString()));
    }

    private static String start(ProcessBuilder pb) throws IOException, InterruptedException {
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        try {
            byte[] bytes = p.getInputStream().readAllBytes();
            p.waitFor();
            return new String(bytes, StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }

    /** Every line newline-terminated, as log files are. */
    static String joinLines(List<String> lines) {
        StringBuilder out = new StringBuilder();
        lines.forEach(l -> out.append(l).append('\n'));
        return out.toString();
    }

    private GnuGrep() {
    }
}
