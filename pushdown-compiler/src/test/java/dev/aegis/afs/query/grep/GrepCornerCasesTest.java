package dev.aegis.afs.query.grep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.aegis.afs.query.QuerySyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A table of BRE/ERE/-F corner cases, each compared line for line with GNU grep on the same input. */
class GrepCornerCasesTest {

    static final List<String> INPUT = List.of(
            "", "a", "ab", "abc", "aaa", "aaaa", "b", "*a", "a*", "^a", "a^b", "^^a", "a$b", "$", "a$", "$$",
            "{1}a", "a{", "a{1", "a{,3}", "a{1,2", "]a", "a]", "a-", "-", "123", "x12y", "7",
            "foo_bar foo-bar", "foo", "FOO", "Foo bar", "foo-bar", "foo_bar", "xfoo", "foox", "(foo)",
            "éÉ", "é", "É", "日本語", "naïve café", "a.b", "axb", "a|b", "()", "\\", "tab\there", " lead", "trail ",
            "x", "xx", "a b c", "k", "K", "+a", "?a", "a+", "a?", "[:alpha:]", "_", "__", "-x-", "x-", "ÀB");

    /** flags | patterns separated by " ;; " (so a pattern may hold spaces). */
    static final List<String> CASES = List.of(
            "-G | ^a", "-G | a^b", "-G | ^^a", "-G | a$", "-G | a$b", "-G | $$", "-G | ^$", "-G | $", "-G | ^",
            "-G | *a", "-G | ^*a", "-G | \\(*a\\)", "-G | a\\|*b", "-G | \\(^a\\)", "-G | \\(a$\\)",
            "-G | a\\{2\\}", "-G | a\\{,3\\}", "-G | a\\{1,\\}", "-G | \\{1\\}a", "-G | a{", "-G | a{1", "-G | a\\{1",
            "-G | []a]", "-G | [^]a]", "-G | [a-]", "-G | [-a]", "-G | []-a]", "-G | [[:digit:]]\\+", "-G | [[:digit:]]+",
            "-G | [[:alpha:]]", "-G | [[:upper:]]", "-G | [[:lower:]]", "-G | [[:punct:]]", "-G | [[:space:]]",
            "-G | [[:alnum:]_]*", "-G | [^[:alnum:]]", "-G | [[=a=]]", "-G | [[.-.]]", "-G | [:alpha:]", "-G | [[:alpha:]",
            "-G | a\\|", "-G | \\|a", "-G | a\\|\\|b", "-G | a**", "-G | \\(\\)", "-G | x\\{0\\}", "-G | a\\{0\\}b",
            "-G | .", "-G | ^.$", "-G | ^..$", "-G | ^...$", "-G | a\\+", "-G | a\\?b", "-G | a+", "-G | a?",
            "-G | \\w\\+", "-G | \\W", "-G | \\s", "-G | \\S\\S", "-G | \\`a", "-G | a\\'", "-G | \\.", "-G | \\*",
            "-G | a.b", "-G | (foo)", "-G | \\(foo\\)", "-G | \\(", "-G | \\)", "-G | a\\", "-G | [b-a]", "-G | \\a",
            "-E | ^a", "-E | a^b", "-E | a$b", "-E | *a", "-E | +a", "-E | a|*b", "-E | a{", "-E | a{1", "-E | a{,3}",
            "-E | a{1,2", "-E | a{x}", "-E | a{2}", "-E | a{1}{2}", "-E | a{}", "-E | a{1,0}", "-E | )", "-E | a)",
            "-E | ()", "-E | (a|)", "-E | (|a)b", "-E | (+)", "-E | (*)a)", "-E | *)", "-E | \\{x", "-E | a**", "-E | a+*", "-E | a|", "-E | |", "-E | (", "-E | \\{",
            "-E | [[:digit:]]+", "-E | (a|b)+c", "-E | ^(a|b)*$", "-E | a?b?c?$", "-E | (^)*a", "-E | x*", "-E | \\(foo\\)",
            "-E | [^a-z]", "-E | [.]", "-E | a.c", "-E | é|É", "-E | ^.{2}$", "-E | ^.{3}$",
            "-F | a.b", "-F | *a", "-F | \\", "-F | [:alpha:]", "-F | ", "-F | a ;; b", "-F -x | a ;; ab", "-F -w | foo",
            "-F -w | foo ;; x", "-F -i | é", "-F -i | foo", "-F -w | ", "-F -w | a- ;; -x-",
            "-i | foo", "-i | é", "-i | É", "-i | k", "-i | [[:upper:]]", "-i | [[:lower:]]", "-i -E | ^(a|b)$", "-i | ab*c",
            "-w | foo", "-w | foo_bar", "-w | foo-bar", "-w | bar", "-w | ", "-w | a*", "-w | x*", "-w | b\\|foo",
            "-w | [[:alpha:]]*", "-w | foo ;; bar", "-w -i | FOO", "-w -E | (foo|bar)", "-w | \\(\\)", "-w | é", "-w | ^",
            "-x | a", "-x | ", "-x | a*", "-x -E | a|ab", "-x | foo ;; bar", "-x -i | FOO", "-x -w | foo",
            "-G | a ;; b", "-G | a ;; ", "-v | a", "-v | a ;; b", "-v | ", "-v -x | ", "-v -w | foo", "-E | a\nb");

    @Test
    void everyCornerCaseSelectsGrepsLines(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(GnuGrep.available(), "GNU grep is not installed at /usr/bin/grep");
        List<GnuGrep.Case> cases = new ArrayList<>();
        for (String row : CASES) {
            int bar = row.indexOf(" | ");
            List<String> flags = Differential.flags(row.substring(0, bar));
            String rest = row.substring(bar + 3);
            cases.add(new GnuGrep.Case(flags, List.of(rest.split(" ;; ", -1))));
        }
        List<GnuGrep.Outcome> outcomes = GnuGrep.run(dir, INPUT, cases);
        List<String> failures = new ArrayList<>();
        int compared = 0;
        for (int i = 0; i < cases.size(); i++) {
            GnuGrep.Case c = cases.get(i);
            GnuGrep.Outcome gnu = outcomes.get(i);
            String label = c.flags() + " " + c.patterns();
            try {
                Set<Integer> ours = Differential.selected(
                        GrepPatterns.compile(c.patterns(), Differential.options(c.flags())), INPUT);
                if (gnu.rejected()) {
                    failures.add(label + ": grep rejects it (" + gnu.diagnostics().trim() + ") but we accept it");
                } else if (!ours.equals(gnu.lines())) {
                    failures.add(label + ": grep selects lines " + gnu.lines() + ", we select " + ours);
                } else {
                    compared++;
                }
            } catch (UnsupportedPatternException e) {
                // a documented refusal: fine whether or not grep accepts it
            } catch (QuerySyntaxException e) {
                if (!gnu.rejected()) {
                    failures.add(label + ": we reject it (" + e.getMessage() + ") but grep accepts it");
                }
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + cases.size() + " cases differ from GNU grep:\n" + String.join("\n", failures));
        }
        assertTrue(compared > CASES.size() * 3 / 4, "too few cases were compared: " + compared);
    }

    @Test
    void grepsErrorMessagesAreKept() {
        assertRejects("a\\{1", "Unmatched \\{");
        assertRejects("[a", "Unmatched [, [^, [:, [., or [=");
        assertRejects("\\(a", "Unmatched ( or \\(");
        assertRejects("a\\)", "Unmatched ) or \\)");
        assertRejects("[b-a]", "Invalid range end");
        assertRejects("[[:foo:]]", "Invalid character class name");
        assertRejects("[:space:]", "character class syntax is [[:space:]], not [:space:]");
        assertRejects("a\\", "Trailing backslash");
    }

    @Test
    void untranslatableConstructsAreRefusedWithAFix() {
        assertRefuses("\\(a\\)\\1", "back-references are not supported (RE2 has none)");
        assertRefuses("\\<foo", "\\< in '\\<foo' is not supported");
        assertRefuses("a\\{1001\\}", "more than 1000 times, RE2's limit");
        assertRefuses("[a-é]", "non-ASCII end");
        assertRefuses("\\(a\\{100\\}\\)\\{100\\}", "repeat more than 1000 times in total");
        assertRefuses("\\bfoo", "\\b in");
    }

    private static void assertRejects(String pattern, String grepMessage) {
        try {
            GrepPatterns.compile(List.of(pattern), GrepOptions.DEFAULT);
            fail("accepted " + pattern);
        } catch (UnsupportedPatternException e) {
            fail("refused as unsupported, but grep calls it a syntax error: " + e.getMessage());
        } catch (QuerySyntaxException e) {
            assertTrue(e.getMessage().contains(grepMessage), e.getMessage());
        }
    }

    private static void assertRefuses(String pattern, String reason) {
        try {
            GrepPatterns.compile(List.of(pattern), GrepOptions.DEFAULT);
            fail("accepted " + pattern);
        } catch (UnsupportedPatternException e) {
            assertTrue(e.getMessage().contains(reason), e.getMessage());
        }
    }

    @Test
    void plainStringsStayLiteralForPushdown() {
        assertEquals(List.of(dev.aegis.afs.query.Match.literal("a.b")),
                GrepPatterns.compile(List.of("a.b"), new GrepOptions(GrepOptions.Syntax.FIXED, false, false, false, false)).anyOf());
        assertTrue(GrepPatterns.compile(List.of("connection refused"), GrepOptions.DEFAULT).isLiteral());
        assertTrue(!GrepPatterns.compile(List.of("a.b"), GrepOptions.DEFAULT).isLiteral());
    }
}
