package dev.aegis.afs.query;

import com.google.re2j.Pattern;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What an RE2 pattern may cost, checked before RE2J compiles it. RE2J (unlike RE2, which caps
 * a program at 8 MiB) compiles whatever it is given: {@code ((a{1000}){1000}){1000}} has every
 * count legal on its own but expands to a billion instructions, which exhausts the heap and pins
 * a core for minutes before the first line is read. So every pattern (path form, shell form,
 * label matchers, redaction rules) goes through {@link #check} first:
 * <ul>
 *   <li>the <b>repetition product</b> of nested counted repetitions is at most
 *       {@value #MAX_REPETITION} (Go's regexp/syntax has the same rule), and</li>
 *   <li>the <b>program size</b>, estimated from the syntax the way RE2 expands it (a counted
 *       repetition copies its body), is at most {@value #MAX_PROGRAM} instructions, and</li>
 *   <li>under case folding, the <b>parse</b> itself is bounded: no character RE2J's case tables
 *       cannot fold (it would loop forever) and at most
 *       {@value CaseFoldCheck#MAX_FOLDED_CODE_POINTS} code points of folded ranges
 *       ({@link CaseFoldCheck}).</li>
 * </ul>
 * The estimate never throws on syntax it does not know; RE2J reports real syntax errors after.
 */
public final class RegexBudget {

    /** Largest product of nested {@code {m,n}} counts. */
    public static final long MAX_REPETITION = 1000;
    /** Largest estimated program, in instructions (a literal character or a class is one). */
    public static final long MAX_PROGRAM = 20_000;

    private RegexBudget() {
    }

    /** Checks {@code re2} against the limits, then compiles it. */
    public static Pattern compile(String re2) {
        check(re2);
        return Pattern.compile(re2);
    }

    /** Checks {@code re2} against the limits, then compiles it with RE2J's {@code flags}. */
    public static Pattern compile(String re2, int flags) {
        check(re2, (flags & Pattern.CASE_INSENSITIVE) != 0);
        return Pattern.compile(re2, flags);
    }

    /**
     * @throws QuerySyntaxException naming the pattern, the limit exceeded and the fix
     */
    public static void check(String re2) {
        check(re2, false);
    }

    private static void check(String re2, boolean ignoreCase) {
        Cost cost = estimate(re2);
        if (cost.repetition() > MAX_REPETITION) {
            throw new QuerySyntaxException("the pattern '" + shorten(re2) + "' nests counted repetitions to "
                    + cost.repetition() + " repeats (limit " + MAX_REPETITION + "); use smaller counts or '+'/'*'");
        }
        if (cost.program() > MAX_PROGRAM) {
            throw new QuerySyntaxException("the pattern '" + shorten(re2) + "' compiles to about " + cost.program()
                    + " instructions (limit " + MAX_PROGRAM + "); use smaller repeat counts or fewer alternatives");
        }
        if (ignoreCase || CaseFoldCheck.foldsCase(re2)) {
            CaseFoldCheck.check(re2, shorten(re2));
        }
    }

    /** Estimated program size and the largest nested repetition product. */
    public record Cost(long program, long repetition) {
    }

    private static final long CAP = Long.MAX_VALUE / 4;

    /** One open group: what it holds so far, and the last item (a quantifier applies to it). */
    private static final class Frame {
        long size;
        long rep = 1;
        long lastSize;
        long lastRep = 1;

        void item(long s, long r) {
            size = sat(size + s);
            rep = Math.max(rep, r);
            lastSize = s;
            lastRep = r;
        }

        void quantify(long count, boolean counted) {
            long s = sat(lastSize * Math.max(1, count) + 1);
            long r = counted ? sat(lastRep * Math.max(1, count)) : lastRep;
            size = sat(size - lastSize + s);
            rep = Math.max(rep, r);
            lastSize = s;
            lastRep = r;
        }
    }

    public static Cost estimate(String re) {
        Deque<Frame> stack = new ArrayDeque<>();
        Frame top = new Frame();
        int i = 0;
        int n = re.length();
        while (i < n) {
            char c = re.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (i + 1 < n && re.charAt(i + 1) == 'Q') { // \Q...\E: literal text
                        int end = re.indexOf("\\E", i + 2);
                        int stop = end < 0 ? n : end;
                        for (int k = i + 2; k < stop; k++) {
                            top.item(1, 1);
                        }
                        i = end < 0 ? n : end + 2;
                    } else {
                        i = skipEscape(re, i);
                        top.item(1, 1);
                    }
                }
                case '[' -> {
                    i = skipClass(re, i);
                    top.item(1, 1);
                }
                case '(' -> {
                    int close = flagsOnly(re, i);
                    if (close > 0) {
                        i = close + 1; // (?i) sets flags, opens no group
                    } else {
                        stack.push(top);
                        top = new Frame();
                        i++;
                    }
                }
                case ')' -> {
                    Frame inner = top;
                    top = stack.isEmpty() ? new Frame() : stack.pop();
                    top.item(sat(inner.size + 1), inner.rep);
                    i++;
                }
                case '|' -> {
                    top.size = sat(top.size + 1);
                    top.lastSize = 0;
                    top.lastRep = 1;
                    i++;
                }
                case '*', '+', '?' -> {
                    top.quantify(1, false);
                    i++;
                    if (i < n && re.charAt(i) == '?') {
                        i++; // non-greedy
                    }
                }
                case '{' -> {
                    int[] counts = new int[2];
                    int end = repeat(re, i, counts);
                    if (end < 0) {
                        top.item(1, 1); // not a repetition: a literal '{'
                        i++;
                    } else {
                        long count = counts[1] >= 0 ? counts[1] : (long) counts[0] + 1;
                        top.quantify(count, true);
                        i = end;
                        if (i < n && re.charAt(i) == '?') {
                            i++;
                        }
                    }
                }
                default -> {
                    top.item(1, 1);
                    i++;
                }
            }
        }
        while (!stack.isEmpty()) {
            Frame inner = top;
            top = stack.pop();
            top.item(sat(inner.size + 1), inner.rep);
        }
        return new Cost(top.size, top.rep);
    }

    private static long sat(long v) {
        return v < 0 || v > CAP ? CAP : v;
    }

    private static int skipEscape(String re, int i) {
        int n = re.length();
        if (i + 1 >= n) {
            return n;
        }
        char e = re.charAt(i + 1);
        if ((e == 'x' || e == 'p' || e == 'P') && i + 2 < n && re.charAt(i + 2) == '{') {
            int close = re.indexOf('}', i + 3);
            return close < 0 ? n : close + 1;
        }
        if (e == 'x') {
            return Math.min(n, i + 4);
        }
        if (e == 'p' || e == 'P') {
            return Math.min(n, i + 3);
        }
        return i + 2;
    }

    private static int skipClass(String re, int i) {
        int n = re.length();
        int k = i + 1;
        if (k < n && re.charAt(k) == '^') {
            k++;
        }
        if (k < n && re.charAt(k) == ']') {
            k++; // a ']' first is literal
        }
        while (k < n) {
            char c = re.charAt(k);
            if (c == '\\') {
                k = skipEscape(re, k);
            } else if (c == '[' && k + 1 < n && re.charAt(k + 1) == ':') {
                int close = re.indexOf(":]", k + 2);
                k = close < 0 ? k + 1 : close + 2;
            } else if (c == ']') {
                return k + 1;
            } else {
                k++;
            }
        }
        return n;
    }

    /** For {@code (?flags)}, the index of its ')'; otherwise -1. */
    private static int flagsOnly(String re, int i) {
        if (i + 1 >= re.length() || re.charAt(i + 1) != '?') {
            return -1;
        }
        for (int k = i + 2; k < re.length(); k++) {
            char c = re.charAt(k);
            if (c == ')') {
                return k;
            }
            if (!Character.isLetter(c) && c != '-') {
                return -1; // (?: (?P<name> (?i:
            }
        }
        return -1;
    }

    /** Parses {@code {n}}, {@code {n,}} or {@code {n,m}} at i into counts (max -1 = open); the index after, or -1. */
    private static int repeat(String re, int i, int[] counts) {
        int n = re.length();
        int k = i + 1;
        int start = k;
        while (k < n && Character.isDigit(re.charAt(k))) {
            k++;
        }
        if (k == start || k - start > 9) {
            return -1;
        }
        counts[0] = Integer.parseInt(re.substring(start, k));
        counts[1] = counts[0];
        if (k < n && re.charAt(k) == ',') {
            k++;
            int maxStart = k;
            while (k < n && Character.isDigit(re.charAt(k))) {
                k++;
            }
            if (k - maxStart > 9) {
                return -1;
            }
            counts[1] = k == maxStart ? -1 : Integer.parseInt(re.substring(maxStart, k));
        }
        return k < n && re.charAt(k) == '}' ? k + 1 : -1;
    }

    private static String shorten(String re) {
        return re.length() <= 60 ? re : re.substring(0, 57) + "...";
    }
}
