package dev.aegis.afs.core.loki;

import static dev.aegis.afs.core.loki.LokiFixture.nanos;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.FollowableSource;
import dev.aegis.afs.core.source.LineCursor;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.local.LineSink;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Following a Loki stream through Loki's tail websocket: the exact tail request, pushed lines
 * passed with their time and labels and waking the follower, polling query_range with a cursor
 * when the tail is refused, and a reconnect from the cursor when Loki closes a tail.
 */
class LokiTailTest {

    private static final Map<String, String> API = Map.of("app", "payment-api", "env", "prod");
    private static final Map<String, String> OTHER = Map.of("app", "checkout", "env", "prod");
    private static final Instant START = Instant.parse("2026-11-21T11:00:00Z");

    @TempDir
    Path dir;
    private FakeLoki loki;
    private Backend backend;
    private LineCursor cursor;
    private final Semaphore wakes = new Semaphore(0);
    private volatile Instant now = START;
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @BeforeEach
    void start() throws IOException {
        loki = new FakeLoki();
    }

    @AfterEach
    void stop() {
        if (cursor != null) {
            cursor.close();
        }
        if (backend != null) {
            backend.close();
        }
        loki.close();
    }

    private LokiLogSource source() {
        backend = LokiFixture.backend("url: " + loki.url() + "\ntenant: payments\nretries: 0\nmax_entries_per_query: 700\n",
                dir, Map.of(), new ArrayList<>(), clock);
        return (LokiLogSource) LokiFixture.stream(backend, "backend: prod\nselector: '{app=\"payment-api\"}'\n");
    }

    private LineCursor follow(LineCursor c) {
        cursor = c;
        cursor.onArrival(wakes::release);
        return cursor;
    }

    private static long at(Instant t) {
        return nanos(t);
    }

    /** Polls until {@code n} lines have been passed (each as "<time> <labels> <text>"), or fails after 10 s. */
    private List<String> pollFor(int n) throws Exception {
        List<String> out = new ArrayList<>();
        LineSink sink = new LineSink() {
            @Override
            public boolean accept(LogLine line) {
                return accept(line, null);
            }

            @Override
            public boolean accept(LogLine line, String labels) {
                out.add(line.time() + " " + labels + " " + line.text());
                return true;
            }

            @Override
            public void end() {
            }
        };
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (out.size() < n) {
            cursor.poll(sink, 1000);
            if (System.nanoTime() > until) {
                fail("after 10 s the follow passed " + out + ", expected " + n + " lines");
            }
            Thread.sleep(20);
        }
        cursor.poll(sink, 1000);
        return out;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                fail("not within 10 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void pushedLinesArriveThroughTheTailWithTheirTimeAndLabelsAndWakeTheFollower() throws Exception {
        FollowableSource source = source();
        follow(source.follow());
        await(() -> loki.openTails() == 1, "the tail is open");

        Instant t1 = START.plusMillis(1500);
        loki.add(API, at(t1), "ERROR pushed 1");
        loki.add(OTHER, at(t1), "not selected");
        loki.add(API, at(t1.plusMillis(1)), "INFO pushed 2\nsecond line of the entry");

        assertTrue(wakes.tryAcquire(10, TimeUnit.SECONDS), "a pushed entry wakes the follower");
        assertEquals(List.of(
                t1 + " {app=\"payment-api\", env=\"prod\"} ERROR pushed 1",
                t1.plusMillis(1) + " {app=\"payment-api\", env=\"prod\"} INFO pushed 2",
                t1.plusMillis(1) + " {app=\"payment-api\", env=\"prod\"} second line of the entry"), pollFor(3));

        assertEquals(1, loki.tails().size());
        FakeLoki.Received tail = loki.tails().get(0);
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("query", "{app=\"payment-api\"}");
        expected.put("start", Long.toString(at(START)));
        expected.put("limit", "700");
        expected.put("delay_for", "0");
        assertEquals(expected, tail.params(), "the selector alone, from the follow's start, without delay");
        assertEquals("payments", tail.tenant());
        assertEquals(List.of(), loki.received(), "nothing polled while the tail is open");
    }

    @Test
    void aRefusedTailFallsBackToPollingQueryRangeWithACursor() throws Exception {
        loki.refuseTails(404);
        FollowableSource source = source();
        follow(source.follow());
        Instant t1 = START.plusSeconds(1);
        loki.add(API, at(t1), "ERROR polled 1");
        loki.add(API, at(t1), "ERROR polled 2, same time");
        now = START.plusSeconds(2);
        assertTrue(wakes.tryAcquire(10, TimeUnit.SECONDS), "the refusal wakes the follower, which then polls");
        assertEquals(List.of(t1 + " {app=\"payment-api\", env=\"prod\"} ERROR polled 1",
                t1 + " {app=\"payment-api\", env=\"prod\"} ERROR polled 2, same time"), pollFor(2));
        FakeLoki.Received first = loki.received().get(0);
        assertEquals(Map.of("query", "{app=\"payment-api\"}", "start", Long.toString(at(START)),
                "end", Long.toString(at(START.plusSeconds(2))), "limit", "700", "direction", "forward"),
                first.params(), "query_range from where the follow started, in batches of max_entries_per_query");

        Instant t2 = START.plusSeconds(3);
        loki.add(API, at(t2), "ERROR polled 3");
        now = START.plusSeconds(4);
        assertEquals(List.of(t2 + " {app=\"payment-api\", env=\"prod\"} ERROR polled 3"), pollFor(1),
                "the lines at the cursor's time are not passed again");
        assertEquals(Long.toString(at(t1)), loki.received().get(1).params().get("start"),
                "the next poll starts at the newest time seen");
        FakeLoki.Received last = loki.received().get(loki.received().size() - 1);
        assertEquals(Long.toString(at(t2)), last.params().get("start"), "and moves on with it");
        assertEquals(1, loki.tails().size(), "a refused tail is not asked again");
    }

    @Test
    void aTailLokiClosesIsReopenedFromTheCursorWithoutRepeatingLines() throws Exception {
        LokiLogSource source = source();
        follow(source.follow(Duration.ZERO));
        await(() -> loki.openTails() == 1, "the tail is open");
        Instant t1 = START.plusSeconds(1);
        loki.add(API, at(t1), "one");
        loki.add(API, at(t1), "two, same time");
        assertEquals(2, pollFor(2).size());

        wakes.drainPermits();
        loki.closeTails();
        assertTrue(wakes.tryAcquire(10, TimeUnit.SECONDS), "the end of the tail wakes the follower");
        assertEquals(List.of(), pollFor(0), "the poll that reopens the tail passes nothing");
        await(() -> loki.tails().size() == 2 && loki.openTails() == 1, "the tail is reopened");
        assertEquals(Long.toString(at(t1)), loki.tails().get(1).params().get("start"), "reopened at the cursor");
        loki.add(API, at(t1.plusSeconds(1)), "three");
        assertEquals(List.of(t1.plusSeconds(1) + " {app=\"payment-api\", env=\"prod\"} three"), pollFor(1),
                "what the reopened tail sends again from the cursor is not passed twice");
        assertEquals(List.of(), loki.received(), "reopened, not polled");
    }
}
