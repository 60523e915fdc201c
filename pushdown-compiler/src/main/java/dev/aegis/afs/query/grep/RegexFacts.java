package dev.aegis.afs.query.grep;

import dev.aegis.afs.query.grep.RegexNode.Alternation;
import dev.aegis.afs.query.grep.RegexNode.Anchor;
import dev.aegis.afs.query.grep.RegexNode.AnyChar;
import dev.aegis.afs.query.grep.RegexNode.CharSet;
import dev.aegis.afs.query.grep.RegexNode.Concat;
import dev.aegis.afs.query.grep.RegexNode.Empty;
import dev.aegis.afs.query.grep.RegexNode.Literal;
import dev.aegis.afs.query.grep.RegexNode.Repeat;
import java.util.Optional;

/** Conservative facts about a {@link RegexNode} that decide how grep options translate. */
final class RegexFacts {

    private RegexFacts() {
    }

    /** True when the expression may match the empty string (anchors count as empty). */
    static boolean nullable(RegexNode node) {
        if (node instanceof Empty || node instanceof Anchor) {
            return true;
        }
        if (node instanceof Concat c) {
            return c.items().stream().allMatch(RegexFacts::nullable);
        }
        if (node instanceof Alternation a) {
            return a.branches().stream().anyMatch(RegexFacts::nullable);
        }
        if (node instanceof Repeat r) {
            return r.min() == 0 || nullable(r.body());
        }
        return false; // Literal, AnyChar, CharSet consume one character
    }

    /** True when some non-empty match may begin with a character that is not a word character. */
    static boolean mayStartWithNonWord(RegexNode node) {
        if (node instanceof Literal l) {
            return !PosixClass.isWordChar(l.codePoint());
        }
        if (node instanceof AnyChar) {
            return true;
        }
        if (node instanceof CharSet s) {
            return s.negated() || !s.classes().stream().allMatch(PosixClass::onlyWordChars)
                    || !s.chars().allMatch(PosixClass::isWordChar);
        }
        if (node instanceof Concat c) {
            for (RegexNode item : c.items()) {
                if (mayStartWithNonWord(item)) {
                    return true;
                }
                if (!nullable(item)) {
                    return false;
                }
            }
            return false;
        }
        if (node instanceof Alternation a) {
            return a.branches().stream().anyMatch(RegexFacts::mayStartWithNonWord);
        }
        if (node instanceof Repeat r) {
            return r.max() != 0 && mayStartWithNonWord(r.body());
        }
        return false; // Empty, Anchor
    }

    /**
     * The largest product of explicit repeat counts along any nesting path ({@code (a{10}){20}} is
     * 200): RE2 expands counted repeats, so the product bounds the compiled program's growth.
     */
    static long repeatProduct(RegexNode node) {
        if (node instanceof Concat c) {
            return c.items().stream().mapToLong(RegexFacts::repeatProduct).max().orElse(1);
        }
        if (node instanceof Alternation a) {
            return a.branches().stream().mapToLong(RegexFacts::repeatProduct).max().orElse(1);
        }
        if (node instanceof Repeat r) {
            long count = Math.max(1, Math.max(r.min(), r.max()));
            return Math.min(Long.MAX_VALUE / 2000, count * repeatProduct(r.body()));
        }
        return 1;
    }

    /** The text when the expression is a plain string (no anchors, classes or operators). */
    static Optional<String> literalText(RegexNode node) {
        if (node instanceof Empty) {
            return Optional.of("");
        }
        if (node instanceof Literal l) {
            return Optional.of(new String(Character.toChars(l.codePoint())));
        }
        if (node instanceof Concat c && c.items().stream().allMatch(Literal.class::isInstance)) {
            StringBuilder text = new StringBuilder();
            c.items().forEach(item -> text.appendCodePoint(((Literal) item).codePoint()));
            return Optional.of(text.toString());
        }
        return Optional.empty();
    }
}
