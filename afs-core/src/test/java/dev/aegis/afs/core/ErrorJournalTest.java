package dev.aegis.afs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One entry per failed operation, newest last, each on its own line. */
class ErrorJournalTest {

    private Instant now = Instant.parse("2026-11-21T12:00:00Z");
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

    @Test
    void theKernelAskingTwiceForOneFailureGivesOneEntry() {
        ErrorJournal journal = new ErrorJournal(clock);
        Caller cat = new Caller(1000, 1000, 4242);
        AfsException eio = new AfsException(AfsError.BACKEND_FAILURE, "loki prod: HTTP 500; retry later");
        journal.record(cat, "getattr", "/teams/p/prod/logs/api.log", eio);
        journal.record(cat, "open", "/teams/p/prod/logs/api.log", eio);
        assertEquals(1, journal.recent(cat).size());

        // another process, or the same one a while later, is another failure
        journal.record(new Caller(1000, 1000, 4243), "open", "/teams/p/prod/logs/api.log", eio);
        now = now.plus(Duration.ofSeconds(5));
        journal.record(cat, "open", "/teams/p/prod/logs/api.log", eio);
        AfsException missing = new AfsException(AfsError.NOT_FOUND, "no such stream");
        journal.record(cat, "open", "/teams/p/prod/logs/x.log", missing);
        List<ErrorJournal.Entry> entries = journal.recent(cat);
        assertEquals(4, entries.size());
        assertEquals("/teams/p/prod/logs/x.log", entries.get(3).path()); // newest last
    }
}
