package dev.aegis.afs.query.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.grep.UnsupportedPatternException;
import dev.aegis.afs.query.local.GrepSelection;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * afs sh's grep against GNU grep 3.8 on generated data: random output options (-c -q -l -L -m -o
 * -n -h -H -A -B -C), matching options and patterns, alone and in pipelines; the printed bytes
 * and the exit status must be GNU's. One bash process runs every case.
 */
class GrepOutputDifferentialTest {

    private static final long SEED = Long.getLong("grep.seed", 20261202L);
    private static final int CASES = Integer.getInteger("grep.cases", 600);
    private static final Path GREP = Path.of("/usr/bin/grep");

    private static final String[] PATTERNS = {"a", "b", "ab", "a.", "^a", "b$", "x", "a*", "[ab]c", "c\\|a", "A",
        "ERROR", "E.*R", "", "^$", "b\\+", "oom", "[[:digit:]]", "ba*c", "q"};
    private static final String[] OPTIONS = {"-c", "-q", "-l", "-L", "-o", "-n", "-h", "-H", "-v", "-i", "-x",
        "-F", "-E", "-s"};

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "grep -n a FILE", "grep -c -v a FILE", "grep -q zz FILE", "grep -l a FILE", "grep -L a FILE",
        "grep -L zz FILE", "grep -m 2 a FILE", "grep -m 0 -c a FILE", "grep -o 'a*' FILE", "grep -o -v a FILE",
        "grep -A 1 -n a FILE", "grep -B 2 b FILE", "grep -C 1 -H -n ERROR FILE", "grep -o -A1 a FILE",
        "grep -n -A1 -m1 a FILE", "grep -c -l a FILE", "grep -H -c a FILE", "grep -h a FILE",
        "grep -n a FILE | tail -n 2", "grep a FILE | grep -c b", "grep a FILE | grep -l b",
        "grep a FILE | grep -H b", "grep -v a FILE | grep -q zz", "grep zz FILE", "grep zz FILE | wc -l",
        "tail -n 3 FILE | grep -n b", "grep -ion AB FILE", "grep -m1 -c -v a FILE", "grep --context=1 oom FILE",
        "grep -A 1 -B 0 -C 3 a FILE", "grep -c zz FILE", "grep -lv a FILE", "grep -e a -e b -o FILE",
    })
    void fixedCases(String script, @TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(GREP) && Files.isExecutable(Path.of("/bin/bash")), "GNU grep or bash missing");
        Random random = new Random(SEED);
        List<String> data = data(random, 60);
        List<String> failures = compare(dir, data, List.of(script));
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void randomOptionsAndPatterns(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(GREP) && Files.isExecutable(Path.of("/bin/bash")), "GNU grep or bash missing");
        Random random = new Random(SEED);
        List<String> data = data(random, 80);
        List<String> scripts = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            String grep = randomGrep(random, "FILE");
            scripts.add(switch (random.nextInt(6)) {
                case 0 -> "cat FILE | " + randomGrep(random, "");
                case 1 -> "grep " + quote(PATTERNS[random.nextInt(PATTERNS.length)]) + " FILE | " + randomGrep(random, "");
                case 2 -> grep + " | tail -n " + random.nextInt(5);
                default -> grep;
            });
        }
        List<String> failures = compare(dir, data, scripts);
        assertTrue(failures.isEmpty(), failures.size() + " of " + scripts.size() + " differ:\n"
                + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
    }

    private static String randomGrep(Random random, String file) {
        StringBuilder out = new StringBuilder("grep");
        for (String option : OPTIONS) {
            if (random.nextInt(8) == 0) {
                out.append(' ').append(option);
            }
        }
        if (random.nextInt(5) == 0) {
            out.append(" -m ").append(random.nextInt(4));
        }
        String[] context = {"-A", "-B", "-C"};
        if (random.nextInt(4) == 0) {
            out.append(' ').append(context[random.nextInt(3)]).append(' ').append(random.nextInt(3));
        }
        out.append(" -e ").append(quote(PATTERNS[random.nextInt(PATTERNS.length)]));
        if (random.nextInt(5) == 0) {
            out.append(" -e ").append(quote(PATTERNS[random.nextInt(PATTERNS.length)]));
        }
        if (!file.isEmpty()) {
            out.append(' ').append(file);
        }
        return out.toString();
    }

    private static String quote(String s) {
        return "'" + s + "'";
    }

    private static List<String> data(Random random, int n) {
        String alphabet = "aabbcxAB ERROR oom 7.";
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = random.nextInt(6) == 0 ? 0 : 1 + random.nextInt(12);
            StringBuilder line = new StringBuilder();
            for (int k = 0; k < len; k++) {
                line.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            lines.add(line.toString());
        }
        return lines;
    }

    /** Runs every script through bash and through afs sh's compiler; returns the differences. */
    private static List<String> compare(Path dir, List<String> data, List<String> scripts) throws Exception {
        Path file = dir.resolve("data.log");
        StringBuilder content = new StringBuilder();
        data.forEach(l -> content.append(l).append('\n'));
        Files.writeString(file, content, StandardCharsets.UTF_8);
        StringBuilder script = new StringBuilder();
        for (String s : scripts) {
            script.append("echo '@@case'\n").append(s.replace("FILE", file.toString())).append(" 2>/dev/null\n")
                    .append("echo \"@@rc $?\"\n");
        }
        Path run = dir.resolve("run.sh");
        Files.writeString(run, script, StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", run.toString());
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        String[] parts = out.split("@@case\n", -1);
        assertEquals(scripts.size() + 1, parts.length, "one answer per case");
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < scripts.size(); i++) {
            String part = parts[i + 1];
            int rcAt = part.lastIndexOf("@@rc ");
            String gnuOut = part.substring(0, rcAt);
            int gnuRc = Integer.parseInt(part.substring(rcAt + 5).trim());
            String text = scripts.get(i).replace("FILE", file.toString());
            String oursOut;
            int oursRc;
            try {
                ShellQuery query = ShellQueryParser.parse(text);
                StringBuilder printed = new StringBuilder();
                GrepSelection selection = new GrepSelection();
                LineSink sink = LocalEvaluator.pipeline(query.query(), new LineSink() {
                    @Override
                    public boolean accept(LogLine line) {
                        printed.append(line.text()).append('\n');
                        return true;
                    }

                    @Override
                    public void end() {
                    }
                }, selection);
                for (String line : data) {
                    if (!sink.accept(new LogLine(null, line))) {
                        break;
                    }
                }
                sink.end();
                oursOut = printed.toString();
                oursRc = switch (query.status()) {
                    case ZERO -> 0;
                    case GREP_SELECTED -> selection.selected() > 0 ? 0 : 1;
                    case GREP_LINES -> oursOut.isEmpty() ? 1 : 0;
                    case GREP_COUNT -> oursOut.equals("0\n") ? 1 : 0;
                };
            } catch (UnsupportedPatternException e) {
                continue; // documented refusals: grep accepts it, RE2 cannot do it exactly
            } catch (QuerySyntaxException e) {
                if (scripts.get(i).contains(" -o") && scripts.get(i).contains(" -w")) {
                    continue;
                }
                oursOut = "";
                oursRc = 2;
            }
            if (!oursOut.equals(gnuOut) || oursRc != gnuRc) {
                failures.add(scripts.get(i) + "\n  gnu  rc=" + gnuRc + " " + show(gnuOut) + "\n  ours rc=" + oursRc
                        + " " + show(oursOut));
            }
        }
        return failures;
    }

    private static String show(String s) {
        return s.length() > 300 ? s.substring(0, 300).replace("\n", "⏎") + "..." : s.replace("\n", "⏎");
    }
}
