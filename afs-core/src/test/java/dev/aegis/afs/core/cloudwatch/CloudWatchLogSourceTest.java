package dev.aegis.afs.core.cloudwatch;

import static dev.aegis.afs.core.cloudwatch.CloudWatchFixture.T0;
import static dev.aegis.afs.core.cloudwatch.CloudWatchFixture.read;
import static dev.aegis.afs.core.cloudwatch.CloudWatchFixture.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.core.source.TimeCursor;
import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.TimeRange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudWatchLogSourceTest {

    private static final String GROUP = "/aws/lambda/payment-api";
    private static final String OTHER_GROUP = "/aws/lambda/checkout";

    @TempDir
    Path dir;
    private FakeCloudWatchLogs aws;
    private Backend backend;
    private final CloudWatchFixture fixture = new CloudWatchFixture();
    private final List<LogLine> lines = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        aws = new FakeCloudWatchLogs();
    }

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
        aws.close();
    }

    private LogSource<?> source(String backendExtra, String streamYaml) {
        backend = fixture.backend("type: cloudwatch\nregion: eu-west-1\nendpoint: " + aws.endpoint() + "\n" + backendExtra, dir);
        return CloudWatchFixture.stream(backend, streamYaml);
    }

    private LogSource<?> source() {
        return source("", "backend: aws-prod\nlog_groups: " + GROUP + "\n");
    }

    private void add(String stream, Instant time, String message) {
        aws.add(GROUP, stream, time.toEpochMilli(), message);
        lines.add(new LogLine(time, message.endsWith("\n") ? message.substring(0, message.length() - 1) : message));
    }

    private void standardFixture() {
        String[] kinds = {"GET /healthz 200", "POST /pay 200 12ms", "ERROR timeout calling bank", "WARN slow \"bank\" 900ms",
                "error: C:\\temp\\x not found", "Timeout after `retry`", "POST /pay 500 oom-killed", "debug 50% (?i) literal*",
                "kelvin \u212a and \u017fs: TIMEOUT\r"};
        for (int i = 0; i < 45; i++) {
            add(i % 3 == 0 ? "prod/canary" : "prod/main", T0.plusMillis(i * 1500L), kinds[i % kinds.length] + " #" + i + "\n");
            aws.add(OTHER_GROUP, "prod/main", T0.plusMillis(i * 1500L + 1).toEpochMilli(), "ERROR timeout in checkout #" + i);
        }
    }

    @Test
    void tailOfALiteralIsOneInsightsQueryWithTheExactStringPolledToCompletion() throws Exception {
        standardFixture();
        aws.runningPolls(2);
        LogQuery query = LogQuery.of(LineFilter.keep(Match.literal("timeout")), LineLimit.newest(3));
        CloudWatchFixture.Read read = read(source(), query);

        assertEquals(List.of("ERROR timeout calling bank #20", "ERROR timeout calling bank #29", "ERROR timeout calling bank #38"),
                read.lines());
        assertEquals(reference(lines, query), read.lines());
        long now = T0.plus(Duration.ofHours(1)).toEpochMilli();
        long from = T0.minus(Duration.ofHours(23)).toEpochMilli();
        assertEquals(List.of(new FakeCloudWatchLogs.StartQuery(List.of(GROUP), from / 1000, (now - 1) / 1000,
                "fields @timestamp, @message | filter toMillis(@timestamp) >= " + from + " and toMillis(@timestamp) < " + now
                        + " | filter @message like \"timeout\" | sort @timestamp desc | limit 3")), aws.started());
        assertEquals(List.of("Logs_20140328.StartQuery", "Logs_20140328.GetQueryResults", "Logs_20140328.GetQueryResults",
                "Logs_20140328.GetQueryResults"), aws.targets());
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(1)), fixture.sleeps);
        assertTrue(read.stats().truncation().isEmpty());
    }

    @Test
    void everyPlanAgreesWithTheLocalEvaluator() throws Exception {
        standardFixture();
        LogSource<?> source = source();
        TimeRange window = new TimeRange(T0.plusMillis(4500).plusNanos(1), T0.plusMillis(51_000));
        List<LogQuery> plans = List.of(
                LogQuery.ALL,
                LogQuery.of(LineFilter.keep(Match.literal("timeout"))),
                LogQuery.of(LineFilter.keep(new Match("timeout", true, true)), LineLimit.newest(4)),
                LogQuery.of(LineFilter.keep(new Match("s", true, true))),
                LogQuery.of(LineFilter.keep(Match.regex("POST /pay (2|5)00"), Match.literal("WARN")), LineLimit.newest(4)),
                LogQuery.of(LineFilter.keep(Match.regex("TIMEOUT.$"))),
                LogQuery.of(LineFilter.keep(Match.regex("(?i)kelvin k")), new CountLines()),
                LogQuery.of(LineFilter.drop(Match.literal("/healthz")), LineFilter.drop(Match.regex("^debug")), LineLimit.oldest(9)),
                LogQuery.of(LineFilter.keep(Match.literal("C:\\temp\\x")), new CountLines()),
                LogQuery.of(LineFilter.keep(Match.literal("`retry`"))),
                LogQuery.of(LineFilter.keep(Match.literal("\"bank\""))),
                LogQuery.of(LineFilter.keep(Match.literal("50% (?i) literal*"))),
                LogQuery.of(LineLimit.newest(25), LineFilter.keep(Match.literal("pay")), LineLimit.oldest(2)),
                LogQuery.of(LineLimit.oldest(0)),
                LogQuery.of(LineFilter.keep(Match.literal("ERROR")), LineLimit.newest(5)).withRange(window),
                LogQuery.of(LineLimit.oldest(3)).withRange(window));
        for (LogQuery plan : plans) {
            assertEquals(reference(lines, plan), read(source, plan).lines(), plan.toString());
        }
    }

    @Test
    void agreesWithGnuGrepAndTailOnTheSameBytes() throws Exception {
        standardFixture();
        Path file = dir.resolve("payment.log");
        Files.write(file, lines.stream().map(LogLine::text).toList(), StandardCharsets.UTF_8);
        LogSource<?> source = source();
        assertEquals(shell("grep -F -e timeout " + file + " | tail -n 4"),
                read(source, LogQuery.of(LineFilter.keep(Match.literal("timeout")), LineLimit.newest(4))).lines());
        assertEquals(shell("grep -v -F -e healthz " + file + " | grep -c -E 'pay (2|5)00'"),
                read(source, LogQuery.of(LineFilter.drop(Match.literal("healthz")),
                        LineFilter.keep(Match.regex("pay (2|5)00")), new CountLines())).lines());
    }

    private static List<String> shell(String command) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        p.waitFor();
        return out;
    }

    @Test
    void streamPrefixAndSeveralLogGroupsAreExact() throws Exception {
        standardFixture();
        LogSource<?> source = source("", "log_groups: [" + GROUP + ", " + OTHER_GROUP + "]\nstream_prefix: prod/canary\n");
        // every third line is in prod/canary, and the other group's lines are not in the fixture list
        List<String> got = read(source, LogQuery.of(LineFilter.keep(Match.literal("#3")), LineLimit.newest(3))).lines();
        assertEquals(List.of(lines.get(33).text(), lines.get(36).text(), lines.get(39).text()), got);
        assertEquals(List.of(GROUP, OTHER_GROUP), aws.started().get(0).logGroupNames());
        assertTrue(aws.started().get(0).queryString().contains(" | filter @logStream like /^prod\\/canary/ | "));
    }

    @Test
    void moreThanTenThousandRowsAreReadInTimeSplitQueriesWithoutDuplicates() throws Exception {
        for (int i = 0; i < 10_010; i++) {
            add("prod/main", T0.plusMillis(i / 4), "line " + i); // four events share each millisecond
        }
        CloudWatchFixture.Read read = read(source(), LogQuery.ALL);
        assertEquals(lines.stream().map(LogLine::text).toList(), read.lines());
        assertEquals(2, aws.started().size());
        assertTrue(aws.started().get(0).queryString().endsWith(" | limit 10000"));
        // the second query starts at the millisecond of the 10,000th row, inclusive, and asks for the rest
        // plus the rows already seen there
        assertTrue(aws.started().get(1).queryString().startsWith(
                "fields @timestamp, @message | filter toMillis(@timestamp) >= " + T0.plusMillis(9_999 / 4).toEpochMilli() + " "),
                aws.started().get(1).queryString());
        assertTrue(read.stats().truncation().isEmpty());
    }

    @Test
    void aSmallerRowCapSplitsIntoMoreQueriesWithTheSameResult() throws Exception {
        for (int i = 0; i < 230; i++) {
            add(i % 2 == 0 ? "prod/main" : "prod/canary", T0.plusMillis(i / 3), "line " + i);
        }
        LogSource<?> source = source("max_rows_per_query: 20\n", "log_groups: " + GROUP + "\n");
        assertEquals(lines.stream().map(LogLine::text).toList(), read(source, LogQuery.ALL).lines());
        assertTrue(aws.started().size() >= 12, "queries: " + aws.started().size());
        assertTrue(aws.started().stream().allMatch(q -> Integer.parseInt(q.queryString().replaceAll(".* limit ", "")) <= 20));
        LogQuery tail = LogQuery.of(LineLimit.newest(105));
        assertEquals(reference(lines, tail), read(source, tail).lines());
        assertTrue(aws.started().get(aws.started().size() - 1).queryString().contains("sort @timestamp desc"));
    }

    @Test
    void moreRowsAtOneMillisecondThanOneQueryHoldsIsReportedNotLooped() throws Exception {
        for (int i = 0; i < 30; i++) {
            add("prod/main", T0, "same time " + i);
        }
        CloudWatchFixture.Read read = read(source("max_rows_per_query: 20\n", "log_groups: " + GROUP + "\n"), LogQuery.ALL);
        assertEquals(20, read.lines().size());
        assertEquals("cloudwatch aws-prod: more than max_rows_per_query=20 events share one millisecond;"
                + " narrow the log groups or stream_prefix", read.stats().truncation().orElseThrow());
    }

    @Test
    void stoppingAtMaxEntriesIsReported() throws Exception {
        for (int i = 0; i < 12; i++) {
            add("prod/main", T0.plusSeconds(i), "line " + i);
        }
        CloudWatchFixture.Read read = read(source("max_entries: 5\n", "log_groups: " + GROUP + "\n"), LogQuery.ALL);
        assertEquals(List.of("line 0", "line 1", "line 2", "line 3", "line 4"), read.lines());
        assertEquals("cloudwatch aws-prod: stopped after max_entries=5 events; narrow the time range, add a filter,"
                + " or raise max_entries for backend 'aws-prod' in namespaces.yaml", read.stats().truncation().orElseThrow());
        CloudWatchFixture.Read exact = read(CloudWatchFixture.stream(backend, "log_groups: " + GROUP),
                LogQuery.of(LineLimit.newest(5)));
        assertEquals(List.of("line 7", "line 8", "line 9", "line 10", "line 11"), exact.lines());
        assertFalse(exact.stats().truncation().isPresent());
    }

    @Test
    void aMultiLineMessageBecomesSeveralLines() throws Exception {
        aws.add(GROUP, "s", T0.toEpochMilli(), "Exception in thread main\n\tat A.b(A.java:1)\n");
        assertEquals(List.of("Exception in thread main", "\tat A.b(A.java:1)"), read(source(), LogQuery.ALL).lines());
    }

    /**
     * {@code tail -f} on a CloudWatch stream: CloudWatch cannot follow, so the follower polls it
     * with a {@link TimeCursor}, one Insights query from the newest time passed; a line is passed
     * once, lines at the cursor's exact time already passed are not passed again, and a line
     * ingested late with a time before the cursor is missed (as the README says).
     */
    @Test
    void pollsFromTheNewestTimePassedAndPassesEachLineOnce() throws Exception {
        Instant from = fixture.clock.instant(); // the follow starts now
        TimeCursor cursor = new TimeCursor(source(), fixture.clock);
        aws.add(GROUP, "prod/main", from.minusSeconds(5).toEpochMilli(), "before the follow");
        aws.add(GROUP, "prod/main", from.plusSeconds(1).toEpochMilli(), "ERROR one");
        aws.add(GROUP, "prod/main", from.plusSeconds(2).toEpochMilli(), "ERROR two");
        aws.add(GROUP, "prod/canary", from.plusSeconds(2).toEpochMilli(), "ERROR two, same millisecond");
        fixture.clock.advance(Duration.ofSeconds(3));
        assertEquals(List.of("ERROR one", "ERROR two", "ERROR two, same millisecond"), poll(cursor));
        assertEquals(List.of(), poll(cursor), "nothing new: nothing passed again");

        aws.add(GROUP, "prod/main", from.plusSeconds(2).toEpochMilli(), "ERROR three, at the cursor's time");
        aws.add(GROUP, "prod/main", from.plusSeconds(4).toEpochMilli(), "ERROR four");
        aws.add(GROUP, "prod/main", from.plusMillis(1500).toEpochMilli(), "late, stamped before the cursor");
        fixture.clock.advance(Duration.ofSeconds(3));
        assertEquals(List.of("ERROR three, at the cursor's time", "ERROR four"), poll(cursor));

        List<FakeCloudWatchLogs.StartQuery> queries = aws.started();
        assertEquals(from.getEpochSecond(), queries.get(0).startTime(), "the first poll starts at the follow's start");
        assertEquals(from.plusSeconds(2).getEpochSecond(), queries.get(queries.size() - 1).startTime(),
                "a later poll starts at the newest time passed: " + queries);
    }

    private static List<String> poll(TimeCursor cursor) throws Exception {
        List<String> out = new ArrayList<>();
        cursor.poll(CloudWatchFixture.collect(out), 1000);
        return out;
    }
}
