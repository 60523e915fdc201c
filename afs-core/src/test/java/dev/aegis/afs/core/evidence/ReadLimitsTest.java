package dev.aegis.afs.core.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.redact.RedactionPolicy;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-read time budget and the evidence quotas, at the one place every capture passes. */
class ReadLimitsTest {

    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    private EvidenceCaptures captures(EvidenceQuotas quotas, Duration budget) {
        return new EvidenceCaptures(new EvidenceStore(dir, Duration.ofHours(72), 1 << 20, clock), clock,
                RedactionPolicy.builtins(), new dev.aegis.afs.core.metrics.MountMetrics(), path -> "test", quotas, budget);
    }

    private static SnapshotProducer lines(int n) {
        return out -> {
            for (int i = 0; i < n; i++) {
                out.line("line " + i);
            }
            return new CaptureInfo("file:t", "scan", Optional.empty(), ReadStats.complete(0, n, Duration.ZERO));
        };
    }

    @Test
    void aReadOverItsBudgetStopsInsideTheMatchLoopAndStoresNothing() throws Exception {
        EvidenceCaptures captures = captures(EvidenceQuotas.UNLIMITED, Duration.ofMillis(50));
        // an endless stream through the local evaluator's filter: only the deadline ends it
        SnapshotProducer endless = out -> {
            LineSink sink = LocalEvaluator.pipeline(new LogQuery(dev.aegis.afs.query.TimeRange.ALL,
                    List.of(LineFilter.keep(Match.regex("x+y")))), new LineSink() {
                        @Override
                        public boolean accept(LogLine line) {
                            return true;
                        }

                        @Override
                        public void end() {
                        }
                    });
            String line = "x".repeat(10_000);
            while (sink.accept(new LogLine(null, line))) {
                Thread.onSpinWait();
            }
            throw new AssertionError("unreachable");
        };
        AfsException e = assertThrows(AfsException.class,
                () -> captures.capture(Caller.self(), "/teams/a/b/logs/x.log?grep=x%2By", 0, endless));
        assertEquals(AfsError.READ_BUDGET_EXCEEDED, e.error());
        assertTrue(e.getMessage().contains("budget of 50 ms"), e.getMessage());
        try (Stream<Path> files = Files.walk(dir)) {
            assertEquals(List.of(), files.filter(Files::isRegularFile).toList());
        }
        // the thread is free for the next read, which has its own budget
        assertEquals(3, captures.capture(Caller.self(), "/teams/a/b/logs/x.log", 0, lines(3)).lines());
    }

    @Test
    void aCallerOverItsQuotaGetsEdquotAndOthersStillRead() throws Exception {
        EvidenceQuotas quotas = new EvidenceQuotas(new EvidenceQuotas.Limits(2, 0), new EvidenceQuotas.Limits(0, 0), clock);
        EvidenceCaptures captures = captures(quotas, Duration.ofSeconds(30));
        Caller hog = new Caller(1203, 1203, 1);
        Caller other = new Caller(1202, 1202, 2);
        captures.capture(hog, "/teams/a/b/logs/x.log?tail=1", 0, lines(1));
        captures.capture(hog, "/teams/a/b/logs/x.log?tail=2", 0, lines(2));
        AfsException e = assertThrows(AfsException.class,
                () -> captures.capture(hog, "/teams/a/b/logs/x.log?tail=3", 0, lines(3)));
        assertEquals(AfsError.QUOTA_EXCEEDED, e.error());
        assertEquals("EDQUOT", e.error().errno());
        assertTrue(e.getMessage().startsWith("uid 1203 is over its evidence quota: 2 snapshots"), e.getMessage());
        assertEquals(4, captures.capture(other, "/teams/a/b/logs/x.log?tail=4", 0, lines(4)).lines());
        now.set(now.get().plus(Duration.ofMinutes(61)));
        assertEquals(3, captures.capture(hog, "/teams/a/b/logs/x.log?tail=3", 0, lines(3)).lines());
    }

    @Test
    void anEnvOverItsByteQuotaIsRefusedForEveryCallerAndOtherEnvsStayReadable() throws Exception {
        EvidenceQuotas quotas = new EvidenceQuotas(new EvidenceQuotas.Limits(0, 0), new EvidenceQuotas.Limits(0, 10), clock);
        EvidenceCaptures captures = captures(quotas, Duration.ofSeconds(30));
        captures.capture(new Caller(1, 1, 1), "/teams/a/b/logs/x.log", 0, lines(5));
        AfsException e = assertThrows(AfsException.class,
                () -> captures.capture(new Caller(2, 2, 2), "/teams/a/b/logs/x.log?tail=1", 0, lines(1)));
        assertTrue(e.getMessage().startsWith("env a/b is over its evidence quota"), e.getMessage());
        assertEquals(1, captures.capture(new Caller(2, 2, 2), "/teams/a/c/logs/x.log", 0, lines(1)).lines());
        assertTrue(quotas.usage(new Caller(1, 1, 1), List.of("a/b")).get("env a/b").startsWith("1 snapshots, 35 bytes"));
    }

    @Test
    void aFollowCountsAsOneSnapshotAndItsSegmentsChargeBytesOnly() throws Exception {
        EvidenceQuotas quotas = new EvidenceQuotas(new EvidenceQuotas.Limits(2, 1_000), new EvidenceQuotas.Limits(0, 0), clock);
        EvidenceCaptures captures = captures(quotas, Duration.ofSeconds(30));
        Caller follower = new Caller(1204, 1204, 1);
        String follow = "/teams/a/b/logs/x.log?follow=1";
        for (int segment = 1; segment <= 20; segment++) { // a busy stream, flushed 20 times
            captures.captureSegment(follower, follow, segment, lines(1));
        }
        assertTrue(quotas.usage(follower, List.of()).get("uid 1204").startsWith("1 snapshots, 140 bytes"),
                quotas.usage(follower, List.of()).toString());
        // one more ordinary read fits under the limit of 2 snapshots; the next does not
        captures.capture(follower, "/teams/a/b/logs/x.log?tail=1", 0, lines(1));
        assertThrows(AfsException.class, () -> captures.capture(follower, "/teams/a/b/logs/x.log?tail=2", 0, lines(1)));
        // the follow goes on, bounded by bytes: 1,000 bytes an hour end it with EDQUOT
        AfsException e = assertThrows(AfsException.class, () -> {
            for (int segment = 21; segment <= 200; segment++) {
                captures.captureSegment(follower, follow, segment, lines(1));
            }
        });
        assertEquals(AfsError.QUOTA_EXCEEDED, e.error());
        assertTrue(e.getMessage().contains("bytes in the last hour"), e.getMessage());
    }
}
