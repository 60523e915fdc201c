package dev.aegis.afs.query;

import static org.junit.jupiter.api.Assertions.fail;

import dev.aegis.afs.query.path.PathQueryParser;
import dev.aegis.afs.query.shell.ShellQueryParser;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Random text made of the characters that matter to each grammar: every input either compiles
 * or is refused with a {@link QuerySyntaxException}; nothing else escapes (no ANTLR exception,
 * no index error, no NullPointerException). The seed is fixed so a failure can be replayed.
 */
class QueryTextRobustnessTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void pathQueries() {
        String[] pieces = {"grep", "grep-v", "grep-i", "grep-F", "tail", "head", "since", "from", "to", "window",
            "=", "=", "&", "%", "%4", "%41", "%00", "%C3", "%A9", "%G", "+", "?", "/", "1", "50", "1h", "x", "(",
            "2026-11-21T10:00:00Z", "\t", "\n", "é", "\uD83D\uDE00", " "};
        run(pieces, text -> LogQueryCompiler.compile(PathQueryParser.parse(text), CLOCK));
    }

    @Test
    void shellScripts() {
        String[] pieces = {"grep", "cat", "tail", "head", "wc", "-l", "-n", "-c", "-i", "-v", "-F", "-e", "-E", "--",
            "-5", "+5", "5", " ", " ", " ", "\t", "|", "||", "&", ";", ">", "<", "(", ")", "$", "`", "*", "?", "[",
            "]", "{", "}", "~", "#", "\\", "'", "'", "\"", "\"", "\n", "\r", "f", "a.log?tail=5", "oom", "é",
            "\uD83D\uDE00"};
        run(pieces, ShellQueryParser::parse);
    }

    private static void run(String[] pieces, Consumer<String> parse) {
        Random random = new Random(20261121L);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder text = new StringBuilder();
            int n = random.nextInt(12);
            for (int j = 0; j < n; j++) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            try {
                parse.accept(text.toString());
            } catch (QuerySyntaxException expected) {
                // refused with a message: fine
            } catch (RuntimeException e) {
                fail("input " + escape(text.toString()) + " threw " + e, e);
            }
        }
    }

    private static String escape(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
                .replace("\"", "\\\"") + "\"";
    }
}
