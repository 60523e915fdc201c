package dev.aegis.afs.query.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import dev.aegis.afs.query.shell.ShellQuery;
import dev.aegis.afs.query.shell.ShellQueryParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code afs sh -c SCRIPT} and {@code afs grep ARGV...} on arbitrary text: the shell grammar,
 * option parsing and GNU grep pattern translation ({@code GrepPatterns}) refuse with
 * {@link QuerySyntaxException} (incl. {@code UnsupportedPatternException}) only, with a bounded
 * message; an accepted pipeline runs locally over a few lines without failing.
 */
class ShellQueryFuzzTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    @FuzzTest(maxDuration = "10s")
    void script(FuzzedDataProvider data) {
        String line = data.consumeString(200);
        String script = data.consumeRemainingAsString();
        ShellQuery query;
        try {
            query = ShellQueryParser.parse(script);
        } catch (QuerySyntaxException e) {
            FuzzInvariants.assertBoundedMessage(script, e, FuzzInvariants.MAX_SHELL_MESSAGE_LENGTH);
            return;
        }
        run(query, line);
    }

    /** Argv form, mostly {@code grep OPTIONS PATTERN FILE}: reaches GrepPatterns with any pattern. */
    @FuzzTest(maxDuration = "10s")
    void grepArgv(FuzzedDataProvider data) {
        String line = data.consumeString(200);
        List<String> argv = new ArrayList<>();
        argv.add(data.pickValue(new String[] {"grep", "grep", "grep", "tail", "head", "cat", "wc"}));
        int words = data.consumeInt(0, 6);
        for (int i = 0; i < words; i++) {
            argv.add(data.consumeBoolean()
                    ? data.pickValue(new String[] {"-i", "-v", "-F", "-E", "-G", "-w", "-x", "-e", "-n", "--", "-c",
                            "-P", "-o", "-n5", "10", "-l"})
                    : data.consumeString(300));
        }
        argv.add("/teams/payments/prod/logs/api.log" + (data.consumeBoolean() ? "?" + data.consumeString(300) : ""));
        ShellQuery query;
        try {
            query = ShellQueryParser.parseArgv(argv);
        } catch (QuerySyntaxException e) {
            FuzzInvariants.assertBoundedMessage(String.join(" ", argv), e, FuzzInvariants.MAX_SHELL_MESSAGE_LENGTH);
            return;
        }
        run(query, line);
    }

    private static void run(ShellQuery query, String line) {
        LineSink sink = LocalEvaluator.pipeline(query.query(), new LineSink() {
            @Override
            public boolean accept(LogLine l) {
                return true;
            }

            @Override
            public void end() {
            }
        });
        for (String l : new String[] {line, "", "ERROR oom killed", "[x] a.b*c\\d"}) {
            if (!sink.accept(new LogLine(NOW, l))) {
                break;
            }
        }
        sink.end();
    }
}
