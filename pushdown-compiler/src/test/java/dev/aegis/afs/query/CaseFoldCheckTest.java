package dev.aegis.afs.query;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.re2j.Pattern;
import dev.aegis.afs.query.path.PathQueryParser;
import dev.aegis.afs.query.shell.ShellQueryParser;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The input the seeded grepArgv fuzzer reached: {@code grep -i} with U+1C80 (CYRILLIC SMALL
 * LETTER ROUNDED VE). RE2J's parser walks its case orbit through Java's newer case mapping
 * (U+1C80 -> U+0412 -> U+0432 -> U+0412 ...) and never comes back, so {@code Pattern.compile}
 * never returned. The timeouts only keep a regression from hanging the build.
 */
class CaseFoldCheckTest {

    private static final Duration HANG_GUARD = Duration.ofSeconds(20);

    @Test
    void re2jCaseOrbitsAreInspectedNotGuessed() {
        CaseFoldCheck.Orbits orbits = CaseFoldCheck.Orbits.INSTANCE;
        assertTrue(orbits.inspected(), "RE2J's simpleFold could not be read; every non-ASCII -i pattern would be refused");
        assertTrue(orbits.firstUnfoldable(0x1C80, 0x1C80) == 0x1C80, "U+1C80 loops in RE2J 1.8 on JDK 17+");
        assertTrue(orbits.firstUnfoldable('A', 0x1C7F) < 0, "Latin, Greek, Cyrillic proper fold fine");
    }

    @ParameterizedTest
    @ValueSource(strings = {"(?i)\u1c80", "(?i)x\u1c88y", "(?i)\\x{1c84}", "(?i)[\u0400-\u1cff]", "(?si:a[\\x{1c00}-\\x{1c8f}])",
            "(?i)\\Q\u1c81\\E"})
    void characterRe2jCannotFoldIsRefusedInsteadOfLoopingForever(String re) {
        QuerySyntaxException e = assertTimeoutPreemptively(HANG_GUARD,
                () -> assertThrows(QuerySyntaxException.class, () -> RegexBudget.compile(re)));
        assertTrue(e.getMessage().contains("cannot case-fold") && e.getMessage().contains("U+1C8"), e.getMessage());
    }

    @Test
    void caseInsensitiveFlagIsCheckedToo() {
        assertTimeoutPreemptively(HANG_GUARD,
                () -> assertThrows(QuerySyntaxException.class, () -> RegexBudget.compile("\u1c80", Pattern.CASE_INSENSITIVE)));
    }

    @Test
    void theFuzzerInputGrepDashIIsRefusedInEveryForm() {
        String file = "/teams/payments/prod/logs/api.log";
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            QuerySyntaxException argv = assertThrows(QuerySyntaxException.class,
                    () -> ShellQueryParser.parseArgv(List.of("grep", "-i", "\u1c80", file)));
            assertTrue(argv.getMessage().contains("U+1C80"), argv.getMessage());
            assertThrows(QuerySyntaxException.class, () -> ShellQueryParser.parse("grep -i -E '[\u0430-\u1c88]+' " + file));
            assertThrows(QuerySyntaxException.class, () -> ShellQueryParser.parseArgv(List.of("grep", "-iF", "a\u1c82", file)));
            QuerySyntaxException path = assertThrows(QuerySyntaxException.class,
                    () -> LogQueryCompiler.compile(PathQueryParser.parse("grep-i=%E1%B2%80"), Clock.systemUTC()));
            assertTrue(path.getMessage().contains("U+1C80"), path.getMessage());
        });
    }

    @Test
    void foldedRangesAreBoundedByTheirSize() {
        String wide = "(?i)" + "[\\x{1c89}-\\x{1044f}]".repeat(18); // 18 x 59,000 code points folded one by one
        QuerySyntaxException e = assertTimeoutPreemptively(HANG_GUARD,
                () -> assertThrows(QuerySyntaxException.class, () -> RegexBudget.compile(wide)));
        assertTrue(e.getMessage().contains("limit " + CaseFoldCheck.MAX_FOLDED_CODE_POINTS), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u1c80", "[\u1c80-\u1c88]", "(?i)stra\u00dfe", "(?i)[\u0430-\u044f]+", "(?i)[\\x{0}-\\x{10ffff}]",
            "(?i)[[:alpha:]\\pL\\d]", "(?i)\u0412", "(?-i)\u1c80", "(?s)\u1c80", "(?i)k\u212a", "(?i)[^\u0430]"})
    void ordinaryAndUnfoldedPatternsPass(String re) {
        assertDoesNotThrow(() -> RegexBudget.compile(re));
    }
}
