package dev.aegis.afs.query;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.util.BitSet;

/**
 * What case folding ({@code (?i)}, grep {@code -i}) costs RE2J's parser, checked before it runs.
 *
 * <p>Two costs, both paid inside {@code Pattern.compile} where no read deadline can reach:
 * <ul>
 *   <li><b>Characters RE2J cannot fold.</b> RE2J walks a character's case orbit
 *       ({@code Unicode.simpleFold}) until it comes back to the start. Its orbit table is older
 *       than the JDK's case mappings, which it falls back to: for U+1C80..U+1C88 (Cyrillic letters
 *       added in Unicode 9) Java maps to a letter whose orbit never returns, so the parser loops
 *       forever ({@code Parser.literal -> minFoldRune}, or {@code CharClass.appendFoldedRange} for
 *       a bracket range). The set depends on the JDK, so it is computed at start by walking every
 *       orbit with a bound; a case-insensitive pattern naming such a character, alone or inside a
 *       range, is refused.</li>
 *   <li><b>Folded ranges.</b> A bracket range under {@code (?i)} is folded one code point at a time
 *       ({@code [B-\x{1e942}]} is 125,000 steps); {@value #MAX_FOLDED_CODE_POINTS} in total, across
 *       the pattern, bound the parse to tens of milliseconds.</li>
 * </ul>
 * The scan is conservative: any {@code (?flags)} group that turns on {@code i} counts as folding
 * the whole pattern.
 */
final class CaseFoldCheck {

    /** Most code points a pattern may ask RE2J to case-fold one by one. */
    static final long MAX_FOLDED_CODE_POINTS = 1_000_000;

    /** True when {@code re} turns case folding on somewhere ({@code (?i)}, {@code (?si:}, ...). */
    static boolean foldsCase(String re) {
        for (int at = re.indexOf("(?"); at >= 0; at = re.indexOf("(?", at + 2)) {
            for (int k = at + 2; k < re.length(); k++) {
                char c = re.charAt(k);
                if (c == 'i') {
                    return true;
                }
                if (c == '-' || c == ')' || c == ':' || !Character.isLetter(c)) {
                    break; // after '-' flags are turned off
                }
            }
        }
        return false;
    }

    /**
     * @param shown the pattern as the error message quotes it
     * @throws QuerySyntaxException naming the character or the limit, and the fix
     */
    static void check(String re, String shown) {
        new CaseFoldCheck(re, shown).scan();
    }

    private final String re;
    private final String shown;
    /** Code points RE2J will fold one by one, so far. */
    private long folded;

    private CaseFoldCheck(String re, String shown) {
        this.re = re;
        this.shown = shown;
    }

    private void scan() {
        int i = 0;
        int n = re.length();
        while (i < n) {
            int c = re.codePointAt(i);
            if (c == '\\' && i + 1 < n && re.charAt(i + 1) == 'Q') {
                int end = re.indexOf("\\E", i + 2);
                int stop = end < 0 ? n : end;
                re.substring(i + 2, stop).codePoints().forEach(cp -> requireFoldable(cp, cp));
                i = end < 0 ? n : end + 2;
            } else if (c == '[') {
                i = scanClass(i);
            } else {
                int[] rune = new int[1];
                i = rune(re, i, rune);
                requireFoldable(rune[0], rune[0]);
            }
            if (folded > MAX_FOLDED_CODE_POINTS) {
                throw new QuerySyntaxException("the pattern '" + shown + "' ignores case over ranges of " + folded
                        + " characters (limit " + MAX_FOLDED_CODE_POINTS + "), each folded one by one; use smaller "
                        + "ranges, or a class such as \\pL or [[:alpha:]]");
            }
        }
    }

    /** Scans a bracket expression at {@code open}; returns the index after it. */
    private int scanClass(int open) {
        int n = re.length();
        int k = open + 1;
        if (k < n && re.charAt(k) == '^') {
            k++;
        }
        boolean first = true;
        while (k < n && (re.charAt(k) != ']' || first)) {
            first = false;
            if (re.startsWith("[:", k)) {
                int close = re.indexOf(":]", k + 2);
                if (close > 0) {
                    k = close + 2; // an ASCII class: folded from a table
                    continue;
                }
            }
            if (re.charAt(k) == '\\' && k + 1 < n && "pPdDwWsS".indexOf(re.charAt(k + 1)) >= 0) {
                k = skipNamedClass(re, k); // Unicode and Perl classes: folded from tables
                continue;
            }
            int[] lo = new int[1];
            k = rune(re, k, lo);
            int hi = lo[0];
            if (k + 1 < n && re.charAt(k) == '-' && re.charAt(k + 1) != ']') {
                int[] end = new int[1];
                k = rune(re, k + 1, end);
                hi = end[0];
            }
            folded += requireFoldable(lo[0], hi);
        }
        return Math.min(n, k + 1);
    }

    /**
     * Refuses a range holding a character RE2J cannot fold; returns how many code points RE2J
     * folds one by one for it (none for a range covering every foldable character).
     */
    private long requireFoldable(int lo, int hi) {
        if (hi < lo) {
            return 0; // RE2J reports the bad range itself
        }
        Orbits orbits = Orbits.INSTANCE;
        if (lo <= orbits.minFold && hi >= orbits.maxFold) {
            return 0; // RE2J appends such a range whole
        }
        int from = Math.max(lo, orbits.minFold);
        int to = Math.min(hi, orbits.maxFold);
        if (from > to) {
            return 0;
        }
        int bad = orbits.firstUnfoldable(from, to);
        if (bad >= 0) {
            throw new QuerySyntaxException("the pattern '" + shown + "' ignores case for " + String.format("U+%04X", bad)
                    + ", which the regex engine (RE2J) cannot case-fold: its Unicode tables are older than Java's; "
                    + "match without -i / (?i), spelling the case variants out (e.g. [" + new String(Character.toChars(bad))
                    + "\u0412\u0432])");
        }
        return to - from + 1L;
    }

    /** Reads one rune (a character or an escape) at {@code i} into {@code out}; returns the index after it. */
    private static int rune(String re, int i, int[] out) {
        int n = re.length();
        int c = re.codePointAt(i);
        if (c != '\\' || i + 1 >= n) {
            out[0] = c;
            return i + Character.charCount(c);
        }
        char e = re.charAt(i + 1);
        if (e == 'x') {
            if (i + 2 < n && re.charAt(i + 2) == '{') {
                int close = re.indexOf('}', i + 3);
                out[0] = close < 0 ? -1 : hex(re.substring(i + 3, close));
                return close < 0 ? n : close + 1;
            }
            int end = Math.min(n, i + 4);
            out[0] = hex(re.substring(i + 2, end));
            return end;
        }
        if (e >= '0' && e <= '7') {
            int end = i + 1;
            while (end < n && end < i + 4 && re.charAt(end) >= '0' && re.charAt(end) <= '7') {
                end++;
            }
            out[0] = Integer.parseInt(re.substring(i + 1, end), 8);
            return end;
        }
        int cp = re.codePointAt(i + 1);
        out[0] = Character.isLetterOrDigit(cp) ? -1 : cp; // \n, \d, \b ...: ASCII or a class, never a folded rune
        return i + 1 + Character.charCount(cp);
    }

    private static int skipNamedClass(String re, int k) {
        int n = re.length();
        if (k + 2 < n && re.charAt(k + 2) == '{') {
            int close = re.indexOf('}', k + 3);
            return close < 0 ? n : close + 1;
        }
        char e = re.charAt(k + 1);
        return Math.min(n, k + ((e == 'p' || e == 'P') ? 3 : 2));
    }

    private static int hex(String digits) {
        if (digits.isEmpty() || digits.length() > 8) {
            return -1;
        }
        try {
            return Integer.parseInt(digits, 16);
        } catch (NumberFormatException e) {
            return -1; // RE2J reports the bad escape itself
        }
    }

    /** The case orbits of the RE2J on the class path, walked once. */
    static final class Orbits {
        static final Orbits INSTANCE = new Orbits();
        /** Longest orbit in Unicode is 4 (k, K, Kelvin sign); far more means it never closes. */
        private static final int MAX_ORBIT = 64;

        final int minFold;
        final int maxFold;
        /** Characters whose orbit never returns; null when RE2J's fold could not be inspected. */
        private final BitSet unfoldable;

        private Orbits() {
            int min = 'A';
            int max = Character.MAX_CODE_POINT;
            BitSet bad = null;
            try {
                Class<?> unicode = Class.forName("com.google.re2j.Unicode");
                min = constant(unicode, "MIN_FOLD");
                max = constant(unicode, "MAX_FOLD");
                var lookup = MethodHandles.privateLookupIn(unicode, MethodHandles.lookup());
                MethodHandle fold = lookup.findStatic(unicode, "simpleFold", MethodType.methodType(int.class, int.class));
                bad = new BitSet();
                for (int r = min; r <= max; r++) {
                    int f = (int) fold.invokeExact(r);
                    int steps = 0;
                    while (f != r && steps++ < MAX_ORBIT) {
                        f = (int) fold.invokeExact(f);
                    }
                    if (f != r) {
                        bad.set(r);
                    }
                }
            } catch (Throwable e) {
                bad = null; // an RE2J without these internals: refuse every non-ASCII folded character
            }
            minFold = min;
            maxFold = max;
            unfoldable = bad;
        }

        private static int constant(Class<?> owner, String name) throws ReflectiveOperationException {
            Field field = owner.getDeclaredField(name);
            field.setAccessible(true);
            return field.getInt(null);
        }

        /** The first character in [from, to] RE2J cannot fold, or -1. */
        int firstUnfoldable(int from, int to) {
            if (unfoldable == null) {
                return to > 0x7f ? Math.max(from, 0x80) : -1;
            }
            int bad = unfoldable.nextSetBit(from);
            return bad >= 0 && bad <= to ? bad : -1;
        }

        /** True when the orbits were walked (not the fallback). */
        boolean inspected() {
            return unfoldable != null;
        }
    }
}
