package dev.aegis.afs.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.re2j.Pattern;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Which filters may still be pushed to a backend that sees the bare message when the reader
 * sees {@code <time> <message>}: exactly those that select the same lines either way.
 */
class TimePrefixTest {

    private static final List<String> MESSAGES = List.of("ERROR oom killed", "INFO ok 200", "2026 is here",
            "Timeout: 12", "z-index", " leading space", "", "error 2026-11-21T10:00", "T-1 ZULU", "[warn] x");
    private static final Instant TIME = Instant.parse("2026-11-21T10:00:00.123Z");

    @Test
    void formatsMillisecondsOrFiner() {
        assertEquals("2026-11-21T10:00:00.000Z", TimePrefix.format(Instant.parse("2026-11-21T10:00:00Z")));
        assertEquals("2026-11-21T10:00:00.123Z", TimePrefix.format(TIME));
        assertEquals("2026-11-21T10:00:00.123456789Z", TimePrefix.format(Instant.parse("2026-11-21T10:00:00.123456789Z")));
        assertEquals("2026-11-21T10:00:00.000001000Z", TimePrefix.format(Instant.parse("2026-11-21T10:00:00.000001Z")));
        assertEquals("2026-11-21T10:00:00.123Z x", TimePrefix.served(TIME, "x"));
    }

    @ParameterizedTest(name = "{0} literal={1} i={2}: pushable={3}")
    @CsvSource(delimiter = ';', value = {
            "ERROR;false;false;true",
            "ERROR;true;false;true",
            "^ERROR;false;false;false",
            "\\AERROR;false;false;false",
            "oom;false;true;true",
            "timeout;false;true;false",   // -i folds t onto the prefix's T
            "Timeout;false;false;false",  // T and Z occur in the prefix
            "\\d+;false;false;false",
            "2026;true;false;false",
            "ERROR|oom;false;false;false",
            "' oom';true;false;false",
            ".*oom;false;false;false",
            "E?RROR;false;false;false",
            "(ERROR);false;false;false",
            "\\[warn\\];false;false;true",
            "[Ee]rror;false;false;false",
            "ERROR$;false;false;true",
            "e.*^x;false;false;false",
            "z-index;true;false;false",
            ";true;false;false",
    })
    void pushableExactlyWhenTheSameLinesMatch(String text, boolean literal, boolean ignoreCase, boolean pushable) {
        Match match = new Match(text == null ? "" : text, literal, ignoreCase);
        LineFilter filter = LineFilter.keep(match);
        assertEquals(pushable, TimePrefix.sameOnBareLine(filter));
        if (pushable) {
            Pattern p = Pattern.compile(match.toRe2());
            for (String message : MESSAGES) {
                assertEquals(p.matcher(message).find(), p.matcher(TimePrefix.served(TIME, message)).find(),
                        () -> "pushed " + text + " differs on '" + message + "'");
            }
        }
    }

    @Test
    void pushableFiltersGoFirstAndALimitStaysBehindALocalFilter() {
        LineFilter local = LineFilter.keep(Match.regex("^2026-11-21T10"));
        LineFilter pushed = LineFilter.keep(Match.literal("ERROR"));
        LogQuery query = new LogQuery(TimeRange.ALL, List.of(local, pushed, LineLimit.newest(5)));
        TimePrefix.Split split = TimePrefix.split(query);
        assertEquals(List.of(pushed), split.backend().stages());
        assertEquals(List.of(local, LineLimit.newest(5)), split.local());

        LogQuery allPushable = new LogQuery(TimeRange.ALL, List.of(pushed, LineLimit.newest(5)));
        assertEquals(allPushable, TimePrefix.split(allPushable).backend());
        assertEquals(List.of(), TimePrefix.split(allPushable).local());
    }
}
