package dev.aegis.afs.query.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pushdown contract, checked exhaustively over a set of plans: what a kubelet returns for the
 * compiled call, with the residual applied, equals the whole plan applied locally to the log.
 */
class PodLogPushdownEquivalenceTest {

    private static final Instant T = Instant.parse("2026-11-21T20:00:00Z");
    private static final PodLogTarget TARGET = new PodLogTarget("ns", "pod", "c", false);

    /** Ten lines, some sharing a second, some "error" lines, in time order. */
    private static final List<LogLine> LOG = List.of(
            line(0, 0, "start"), line(1, 200, "error a"), line(1, 700, "ok"), line(2, 0, "error b"),
            line(2, 999, "ok"), line(3, 500, "error c"), line(5, 0, "ok"), line(5, 1, "error d"),
            line(8, 0, "ok"), line(9, 300, "error e"));

    private static LogLine line(int seconds, int millis, String text) {
        return new LogLine(T.plusSeconds(seconds).plusMillis(millis), text);
    }

    /** What the kubelet returns: lines at or after sinceTime, the newest tailLines of them, maybe stamped. */
    private static List<LogLine> kubelet(PodLogRequest request) {
        List<LogLine> out = new ArrayList<>();
        for (LogLine l : LOG) {
            if (request.sinceTime().map(s -> !l.time().isBefore(s)).orElse(true)) {
                out.add(l);
            }
        }
        if (request.tailLines().isPresent()) {
            out = out.subList((int) Math.max(0, out.size() - request.tailLines().getAsLong()), out.size());
        }
        // Without timestamps the reader cannot know a line's time.
        return request.timestamps() ? out : out.stream().map(l -> new LogLine(null, l.text())).toList();
    }

    private static List<String> run(LogQuery query, List<LogLine> lines) {
        List<String> out = new ArrayList<>();
        LineSink sink = LocalEvaluator.pipeline(query, new LineSink() {
            @Override
            public boolean accept(LogLine line) {
                out.add(line.text());
                return true;
            }

            @Override
            public void end() {
            }
        });
        for (LogLine l : lines) {
            if (!sink.accept(l)) {
                break;
            }
        }
        sink.end();
        return out;
    }

    @Test
    void pushdownPlusResidualEqualsTheLocalReference() {
        List<TimeRange> ranges = List.of(TimeRange.ALL, new TimeRange(T.plusSeconds(2), null),
                new TimeRange(T.plusSeconds(1).plusMillis(500), null), new TimeRange(T.plusSeconds(2), T.plusSeconds(6)),
                new TimeRange(null, T.plusSeconds(3)));
        LineFilter grep = LineFilter.keep(Match.literal("error"));
        List<List<Stage>> stageLists = new ArrayList<>();
        for (long n : new long[] {0, 1, 3, 100}) {
            stageLists.add(List.of(LineLimit.newest(n)));
            stageLists.add(List.of(grep, LineLimit.newest(n)));
            stageLists.add(List.of(LineLimit.newest(n), grep));
            stageLists.add(List.of(LineLimit.newest(n), LineLimit.oldest(2)));
            stageLists.add(List.of(LineLimit.oldest(n), LineLimit.newest(1)));
        }
        stageLists.add(List.of());
        stageLists.add(List.of(grep, new CountLines()));
        int checked = 0;
        for (TimeRange range : ranges) {
            for (List<Stage> stages : stageLists) {
                LogQuery plan = new LogQuery(range, stages);
                Pushdown<PodLogRequest> p = new PodLogCompiler(TARGET, false).compile(plan);
                assertEquals(run(plan, LOG), run(p.residual(), kubelet(p.query())), plan + " via " + p.query().text());
                checked++;
            }
        }
        assertEquals(ranges.size() * stageLists.size(), checked);
    }
}
