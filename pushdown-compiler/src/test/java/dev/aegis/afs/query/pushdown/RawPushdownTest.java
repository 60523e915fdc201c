package dev.aegis.afs.query.pushdown;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Match;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RawPushdownTest {

    private static final RedactionMarkers PLAIN = new RedactionMarkers(
            List.of("REDACTED_EMAIL", "REDACTED_AWS_ACCESS_KEY", "REDACTED_IPV4"), 0);
    private static final RedactionMarkers BLINDED = new RedactionMarkers(List.of("EMAIL_", "AWS_ACCESS_KEY_", "IPV4_"), 8);

    /** F: a literal, R: an RE2 regex; -i; blinded markers; the pattern; whether it is a prefilter. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "F|n|n|OOMKilled|true",
        "F|n|n|ERROR|true",
        "F|n|n|db pool exhausted|true",
        "F|n|n|AKIAPROBE|true", // a probe is pushed: what it finds only raw is hidden by the counting
        "F|n|n|REDACTED|false",
        "F|n|n|ACCESS_K|false",
        "F|n|n|D_IPV4|false",
        "F|n|n|[EMAIL|false",
        "F|n|n|x]|false",
        "F|y|n|redacted_e|false",
        "F|y|n|mail|false",
        "F|y|n|\u212aEY|false", // the Kelvin sign folds to k
        "F|y|n|oomkilled|true",
        "F|n|y|3f9a|false",
        "F|n|y|IL_0c|false",
        "F|n|y|3f9a1c02d|true", // longer than a pseudonym
        "F|n|y|3F9A|true",
        "F|y|y|3F9A|false",
        "F|n|y|ERROR|true",
        "F|n|n|''|false",
        "R|n|n|OOMKilled|true",
        "R|n|n|pod\\-1|true",
        "R|n|n|OOM.*Killed|false",
        "R|n|n|(?i)oom|false",
    })
    void whichPatternsArePrefilters(String kind, String icase, String blinded, String text, boolean expected) {
        Match m = new Match(text, kind.equals("F"), icase.equals("y"));
        assertEquals(expected, RawPushdown.prefilter(LineFilter.keep(m), blinded.equals("y") ? BLINDED : PLAIN), text);
    }

    @Test
    void grepVNeverAndEveryPatternOfAnOrMustQualify() {
        assertEquals(false, RawPushdown.prefilter(LineFilter.drop(Match.literal("OOMKilled")), PLAIN));
        assertEquals(false, RawPushdown.prefilter(LineFilter.keep(Match.literal("OOMKilled"), Match.literal("REDACTED")), PLAIN));
        assertEquals(true, RawPushdown.prefilter(LineFilter.keep(Match.literal("OOMKilled"), Match.literal("panic")), PLAIN));
    }

    @Test
    void limitsBeforeEveryFilterArePushedLimitsAfterAPrefilterAreNot() {
        LineFilter oom = LineFilter.keep(Match.literal("OOMKilled"));
        LineFilter marker = LineFilter.keep(Match.literal("REDACTED"));
        LineFilter pod = LineFilter.keep(Match.literal("pod"));
        LogQuery query = LogQuery.of(LineLimit.newest(100), oom, LineLimit.newest(5), marker, pod);
        RawPushdown.RawPlan raw = RawPushdown.forRawBackend(query, PLAIN, f -> true);
        assertEquals(LogQuery.of(LineLimit.newest(100), oom, pod), raw.query());
        assertEquals(List.of(oom, pod), raw.prefilters());
        // a backend that cannot count on served text gets no prefilter
        assertEquals(LogQuery.of(LineLimit.newest(100)), RawPushdown.forRawBackend(query, null, f -> true).query());
        // nor one the stream's prefix rule refuses
        assertEquals(List.of(), RawPushdown.forRawBackend(query, PLAIN, f -> false).prefilters());
    }
}
