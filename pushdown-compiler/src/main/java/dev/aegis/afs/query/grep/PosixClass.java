package dev.aegis.afs.query.grep;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * The POSIX character classes of glibc's C.UTF-8 locale (the locale we target), each with its
 * RE2 spelling and a Java predicate of the same intent (used only to reason about patterns).
 *
 * <p>ASCII is exact, and so are space, blank and cntrl everywhere. Beyond ASCII, glibc derives
 * its classes from Unicode 14; we spell them with Unicode general categories, which RE2 knows and
 * compiles fast: alpha is {@code \p{L}\p{Nl}} plus the non-ASCII decimal digits (glibc counts
 * those as alpha), alnum is {@code \p{L}\p{Nl}\p{Nd}}, upper {@code \p{Lu}\p{Lt}}, lower
 * {@code \p{Ll}}, punct {@code \p{P}\p{S}\p{M}\p{No}}. Known differences, measured against
 * grep 3.8 over every assigned code point below U+30000: RE2J's category tables predate Unicode 7,
 * so about 27,000 newer letters are not alpha/alnum/word characters for us; glibc counts
 * Other_Alphabetic marks (e.g. U+0345, Indic vowel signs) as alpha where we say punct; glibc's
 * punct/graph/print also include no-break spaces, format characters and newer symbols. RE2's own
 * {@code [[:alpha:]]} and {@code \w} are ASCII-only, so they are never emitted.
 */
enum PosixClass {
    ALNUM("\\p{L}\\p{Nl}\\p{Nd}", cp -> isType(cp, Character.DECIMAL_DIGIT_NUMBER) || letterLike(cp)),
    ALPHA("A-Za-z\\p{L}\\p{Nl}" + NonAsciiDigits.SPELLING,
            cp -> letterLike(cp) || (cp > 0x7f && isType(cp, Character.DECIMAL_DIGIT_NUMBER))),
    BLANK("\\t \\x{1680}\\x{2000}-\\x{2006}\\x{2008}-\\x{200a}\\x{205f}\\x{3000}",
            cp -> cp == '\t' || cp == ' ' || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a && cp != 0x2007)
                    || cp == 0x205f || cp == 0x3000),
    CNTRL("\\x{0}-\\x{1f}\\x{7f}-\\x{9f}\\x{2028}\\x{2029}",
            cp -> cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029),
    DIGIT("0-9", cp -> cp >= '0' && cp <= '9'),
    GRAPH("\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}", PosixClass::graph),
    LOWER("\\p{Ll}", cp -> isType(cp, Character.LOWERCASE_LETTER)),
    PRINT("\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}\\p{Zs}", cp -> graph(cp) || isType(cp, Character.SPACE_SEPARATOR)),
    PUNCT("\\p{P}\\p{S}\\p{M}\\p{No}", cp -> graph(cp) && !letterLike(cp)
            && !isType(cp, Character.DECIMAL_DIGIT_NUMBER)),
    SPACE("\\t-\\r \\x{1680}\\x{2000}-\\x{2006}\\x{2008}-\\x{200a}\\x{2028}\\x{2029}\\x{205f}\\x{3000}",
            cp -> (cp >= '\t' && cp <= '\r') || BLANK.contains(cp) || cp == 0x2028 || cp == 0x2029),
    UPPER("\\p{Lu}\\p{Lt}", cp -> isType(cp, Character.UPPERCASE_LETTER) || isType(cp, Character.TITLECASE_LETTER)),
    XDIGIT("0-9A-Fa-f", cp -> (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'f') || (cp >= 'A' && cp <= 'F'));

    private final String spelling;
    private final IntPredicate member;

    PosixClass(String spelling, IntPredicate member) {
        this.spelling = spelling;
        this.member = member;
    }

    static Optional<PosixClass> named(String name) {
        return Arrays.stream(values()).filter(c -> c.name().toLowerCase().equals(name)).findFirst();
    }

    /** The members as items inside an RE2 bracket (no brackets). */
    String re2Spelling() {
        return spelling;
    }

    boolean contains(int cp) {
        return member.test(cp);
    }

    /** True when every member is a word character. */
    boolean onlyWordChars() {
        return this == ALNUM || this == ALPHA || this == DIGIT || this == UPPER || this == LOWER || this == XDIGIT;
    }

    /** A word character for -w, \w and \W: alnum or the underscore. */
    static boolean isWordChar(int cp) {
        return cp == '_' || ALNUM.contains(cp);
    }

    private static boolean letterLike(int cp) {
        int type = Character.getType(cp);
        return type == Character.UPPERCASE_LETTER || type == Character.LOWERCASE_LETTER
                || type == Character.TITLECASE_LETTER || type == Character.MODIFIER_LETTER
                || type == Character.OTHER_LETTER || type == Character.LETTER_NUMBER;
    }

    private static boolean isType(int cp, int type) {
        return Character.getType(cp) == type;
    }

    private static boolean graph(int cp) {
        return switch (Character.getType(cp)) {
            case Character.UNASSIGNED, Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE,
                    Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    /** The non-ASCII decimal digits, which glibc counts as alpha, spelled as explicit ranges. */
    private static final class NonAsciiDigits {
        static final String SPELLING = CodePointSet
                .matching(cp -> cp > 0x7f && Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER)
                .toRe2ClassBody();
    }
}
