package dev.aegis.afs.query;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.query.path.PathQueryParser;
import dev.aegis.afs.query.shell.ShellQueryParser;
import java.time.Clock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RegexBudgetTest {

    @ParameterizedTest
    @ValueSource(strings = {"((a{1000}){1000}){1000}", "(x{999}){999}", "(?:(?:ab){40}){40}", "[a-z]{1000}[0-9]{1000}(?:q{100}){100}"})
    void nestedOrHugeRepetitionIsRefusedBeforeCompiling(String re) {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> RegexBudget.compile(re));
        assertTrue(e.getMessage().contains("limit " + RegexBudget.MAX_REPETITION)
                || e.getMessage().contains("limit " + RegexBudget.MAX_PROGRAM), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"OutOfMemoryError", "(?i)db pool", "x{1000}", "[0-9a-f]{64}", "(?:a{2}){3}b", "\\{1000}",
            "(?:GET|POST) /v1/[a-z]+ (5..)", "\\Qa{99999}\\E", "[{]1000000}", "\\x{41}{3}", "\\pL+"})
    void ordinaryPatternsPass(String re) {
        assertDoesNotThrow(() -> RegexBudget.compile(re));
    }

    @Test
    void estimateFollowsHowRe2Expands() {
        assertEquals(1_000_000L, RegexBudget.estimate("(a{1000}){1000}").repetition());
        assertTrue(RegexBudget.estimate("(a{1000}){1000}").program() >= 1_000_000L);
        assertEquals(1L, RegexBudget.estimate("a*b+c?").repetition());
    }

    @Test
    void everyQueryFormRefusesIt() {
        String nested = "((a{1000}){1000}){1000}";
        QuerySyntaxException path = assertThrows(QuerySyntaxException.class, () -> LogQueryCompiler.compile(
                PathQueryParser.parse("grep=" + nested.replace("{", "%7B").replace("}", "%7D")), Clock.systemUTC()));
        assertTrue(path.getMessage().contains("limit"), path.getMessage());
        QuerySyntaxException shell = assertThrows(QuerySyntaxException.class,
                () -> ShellQueryParser.parse("grep -E 'x{1000}y{1000}z{1000}w{1000}v{1000}u{1000}t{1000}s{1000}r{1000}q{1000}p{1000}o{1000}n{1000}m{1000}l{1000}k{1000}j{1000}i{1000}h{1000}g{1000}f{1000}' /teams/a/b/logs/c.log"));
        assertTrue(shell.getMessage().contains("instructions"), shell.getMessage());
    }
}
