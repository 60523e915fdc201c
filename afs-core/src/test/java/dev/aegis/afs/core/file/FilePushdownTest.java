package dev.aegis.afs.core.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden tests: what each query pushes (the exact scan text) and what it leaves as residual. */
class FilePushdownTest {

    private static final Instant FROM = Instant.parse("2026-11-21T20:00:00Z");
    private static final Instant TO = Instant.parse("2026-11-21T21:30:00Z");

    @TempDir
    Path dir;

    private FileLogSource source;

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        source = StreamFixture.stream(StreamFixture.backend(dir, "logs"), "path: payments/api.log\n");
    }

    @Test
    void rangeFiltersAndTailArePushed() {
        LogQuery query = new LogQuery(new TimeRange(FROM, null), List.of(LineFilter.keep(Match.literal("OOM")),
                LineLimit.newest(50)));
        assertPlan(query, "scan payments/api.log since=2026-11-21T20:00:00Z grep-F='OOM' tail=50", "cat");
    }

    @Test
    void everyKindOfFilterIsPushedInOrder() {
        LogQuery query = new LogQuery(new TimeRange(FROM, TO), List.of(
                LineFilter.drop(Match.literal("health"), Match.literal("it's")),
                LineFilter.keep(new Match("oom", true, true)),
                LineFilter.keep(Match.regex("status=5\\d\\d")),
                LineLimit.oldest(10)));
        assertPlan(query, "scan payments/api.log since=2026-11-21T20:00:00Z until=2026-11-21T21:30:00Z"
                + " grep-vF='health','it'\\''s' grep-E='(?i)oom' grep-E='status=5\\d\\d' head=10", "cat");
    }

    @Test
    void onlyTheFirstLimitIsPushedAndTheRestIsResidual() {
        LogQuery query = LogQuery.of(LineFilter.keep(Match.literal("a")), LineLimit.newest(100),
                LineFilter.keep(Match.literal("b")), LineLimit.oldest(5));
        assertPlan(query, "scan payments/api.log grep-F='a' tail=100", "grep -F -e 'b' | head -n 5");
    }

    @Test
    void countIsPushedWhenEverythingBeforeItIs() {
        assertPlan(LogQuery.of(LineFilter.keep(Match.literal("x")), new CountLines()),
                "scan payments/api.log grep-F='x' count", "cat");
        assertPlan(LogQuery.of(LineLimit.newest(5), new CountLines()), "scan payments/api.log tail=5", "wc -l");
    }

    @Test
    void theWholeWindowIsAPlainScan() {
        assertPlan(LogQuery.ALL, "scan payments/api.log", "cat");
    }

    @Test
    void anInvalidRegexFailsAtPlanTime() {
        assertThrows(QuerySyntaxException.class, () -> source.plan(LogQuery.of(LineFilter.keep(Match.regex("a(")))));
    }

    private void assertPlan(LogQuery query, String scan, String residual) {
        Pushdown<ScanPlan> plan = source.plan(query);
        assertEquals(scan, plan.query().text());
        assertEquals(residual, plan.residual().toString());
        assertEquals(plan, source.plan(query), "plan is deterministic");
    }
}
