package dev.aegis.afs.query.grep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.grep.GrepOptions.Syntax;
import dev.aegis.afs.query.local.LineMatcher;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shape of what GrepPatterns hands to backends, and its refusals. */
class GrepPatternsTest {

    private static final GrepOptions FIXED = new GrepOptions(Syntax.FIXED, false, false, false, false);

    @Test
    void fixedStringsStayLiteralAndANewlineMakesTwoPatterns() {
        LineFilter filter = GrepPatterns.compile(List.of("a.b\nc*d"), FIXED);
        assertEquals(List.of(Match.literal("a.b"), Match.literal("c*d")), filter.anyOf());
        assertFalse(filter.exclude());
    }

    @Test
    void fixedStringsWithWordOrLineBecomeRegexes() {
        LineFilter word = GrepPatterns.compile(List.of("a.b"), new GrepOptions(Syntax.FIXED, false, false, true, false));
        assertFalse(word.isLiteral());
        LineMatcher matcher = LineMatcher.of(word);
        assertTrue(matcher.keeps("x a.b y"));
        assertFalse(matcher.keeps("xa.b"));
        assertFalse(matcher.keeps("a_b a.bc"));
    }

    @Test
    void invertAndIgnoreCaseAreCarried() {
        LineFilter filter = GrepPatterns.compile(List.of("Err"), new GrepOptions(Syntax.BASIC, true, true, false, false));
        assertTrue(filter.exclude());
        assertEquals(List.of(new Match("Err", true, true)), filter.anyOf());
        assertFalse(LineMatcher.of(filter).keeps("an ERROR here"));
    }

    @Test
    void lineOptionWinsOverWordAsInGrep() {
        LineMatcher matcher = LineMatcher.of(GrepPatterns.compile(List.of("a-"),
                new GrepOptions(Syntax.BASIC, false, false, true, true)));
        assertTrue(matcher.keeps("a-"));
        assertFalse(matcher.keeps("a- b"));
    }

    @Test
    void wordMatchingOfPatternsThatCanMatchEmptyIsRefusedOnlyWhenInexact() {
        GrepOptions word = new GrepOptions(Syntax.BASIC, false, false, true, false);
        GrepPatterns.compile(List.of("a*"), word); // can only start with a word character: exact
        QuerySyntaxException e = assertThrows(UnsupportedPatternException.class,
                () -> GrepPatterns.compile(List.of("-*"), word));
        assertTrue(e.getMessage().contains("'x+' instead of 'x*'"), e.getMessage());
    }

    @Test
    void noPatternIsAnError() {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> GrepPatterns.compile(List.of(), FIXED));
        assertTrue(e.getMessage().contains("-e PATTERN"), e.getMessage());
    }
}
