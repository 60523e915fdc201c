package dev.aegis.afs.query.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.LogQueryCompiler;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import dev.aegis.afs.query.logql.LogQlCompiler;
import dev.aegis.afs.query.logql.StreamSelector;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathQueryParser;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The path query ({@code file?since=1h&grep=x}) parser, the log query compiler, the Loki
 * pushdown and the local evaluator on arbitrary text: only {@link QuerySyntaxException} escapes,
 * with a bounded message, and an accepted query runs over a few lines without failing.
 *
 * <p>Regression mode (every {@code mvn test}) replays {@code PathQueryFuzzTestInputs/}; fuzzing
 * mode runs when {@code JAZZER_FUZZ=1} (the {@code fuzz} surefire executions of {@code verify}).
 */
class PathQueryFuzzTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @FuzzTest(maxDuration = "10s")
    void parseCompileAndRun(FuzzedDataProvider data) {
        String line = data.consumeString(200);
        String text = data.consumeRemainingAsString();
        LogQuery query;
        try {
            PathQuery parsed = PathQueryParser.parse(text);
            assertTrue(text.codePointCount(0, text.length()) <= PathQueryParser.MAX_QUERY_LENGTH,
                    "a query over the length limit was accepted");
            query = LogQueryCompiler.compile(parsed, CLOCK);
        } catch (QuerySyntaxException e) {
            FuzzInvariants.assertBoundedMessage(text, e);
            return;
        }
        // An accepted plan must also compile for Loki (its residual may be anything) ...
        new LogQlCompiler(new StreamSelector("{app=\"api\"}"), Duration.ofHours(1)).compile(query);
        // ... and run locally: no stage may throw on ordinary or odd lines.
        LineSink sink = LocalEvaluator.pipeline(query, new LineSink() {
            @Override
            public boolean accept(LogLine l) {
                return true;
            }

            @Override
            public void end() {
            }
        });
        for (String l : new String[] {line, "", "ERROR oom killed pid=42", "\u00e9\u00df\ud83d\ude00"}) {
            if (!sink.accept(new LogLine(NOW.minusSeconds(30), l))) {
                break;
            }
        }
        sink.end();
    }
}
