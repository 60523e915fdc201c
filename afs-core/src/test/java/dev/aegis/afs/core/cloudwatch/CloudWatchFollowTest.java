package dev.aegis.afs.core.cloudwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.TimeCursor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tail -f} on a CloudWatch stream: CloudWatch cannot follow, so the follower polls it with
 * a {@link TimeCursor}. Each poll is one Insights query from the newest time passed; a line is
 * passed once, lines at the cursor's exact time that were passed are not passed again, and a
 * line ingested late with a time before the cursor is missed (as the README says).
 */
class CloudWatchFollowTest {

    private static final String GROUP = "/aws/lambda/payment-api";

    @TempDir
    Path dir;
    private FakeCloudWatchLogs aws;
    private Backend backend;
    private final CloudWatchFixture fixture = new CloudWatchFixture();

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

    @Test
    void pollsFromTheNewestTimePassedAndPassesEachLineOnce() throws Exception {
        backend = fixture.backend("type: cloudwatch\nregion: eu-west-1\nendpoint: " + aws.endpoint() + "\n", dir);
        Instant from = fixture.clock.instant(); // the follow starts now
        TimeCursor cursor = new TimeCursor(CloudWatchFixture.stream(backend, "backend: aws-prod\nlog_groups: " + GROUP + "\n"),
                fixture.clock);
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
