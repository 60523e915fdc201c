package dev.aegis.afs.core.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NssNameServiceTest {

    @Test
    void answersLikeGetentAndIdOnThisMachine() {
        NssNameService nss = new NssNameService();
        assertEquals(Optional.of(0), nss.uid("root"));
        assertEquals(Optional.of("root"), nss.user(0));
        assertEquals(Optional.of(0), nss.gid("root"));
        assertTrue(nss.groupIds("root").contains(0), nss.groupIds("root").toString());
        assertTrue(nss.groupNames("root").contains("root"), nss.groupNames("root").toString());
        assertEquals(Optional.empty(), nss.uid("no-such-user-afs-test"));
        assertEquals(Optional.empty(), nss.uid("-x")); // an option-looking name is a name, not an option
    }

    @Test
    void answersAreCachedBrieflyAndFailuresAreNot() {
        List<List<String>> asked = new ArrayList<>();
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T00:00:00Z"));
        Clock clock = new Clock() {
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
        boolean[] down = {false};
        NssNameService nss = new NssNameService(command -> {
            asked.add(command);
            return down[0] ? null : Optional.of("alice:x:1001:1001::/home/alice:/bin/sh");
        }, clock, Duration.ofSeconds(30));
        assertEquals(Optional.of(1001), nss.uid("alice"));
        assertEquals(Optional.of(1001), nss.uid("alice"));
        assertEquals(1, asked.size());
        now.set(now.get().plusSeconds(31));
        down[0] = true;
        assertEquals(Optional.empty(), nss.uid("alice")); // the directory is down: unknown, denied
        down[0] = false;
        assertEquals(Optional.of(1001), nss.uid("alice")); // and asked again, not cached as "none"
        assertEquals(3, asked.size());
    }
}
