package dev.aegis.afs.query.insights;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds literal runs that every match of an RE2 pattern must contain. Conservative: it reads
 * only the top level of the pattern, treats every group, class, escape class, anchor, {@code .}
 * and flag as a break, drops a character made optional by {@code ?}, {@code *} or {@code {},
 * and gives up (no runs) on a top-level {@code |}. Whatever it returns is a true requirement.
 */
final class RequiredLiterals {

    private static final String ESCAPABLE = "\\.+*?()|[]{}^$/-#&~ \"'!%,:;<=>@_`";

    private RequiredLiterals() {
    }

    static List<String> of(String pattern) {
        List<String> runs = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == '|') {
                return List.of(); // an alternative may avoid every run
            }
            if (c == '(') {
                if (pattern.startsWith("(?", i) && !pattern.startsWith("(?:", i) && !pattern.startsWith("(?P<", i)) {
                    return List.of(); // flags such as (?i) change what the runs mean
                }
                int close = skipGroup(pattern, i);
                if (close < 0) {
                    return List.of();
                }
                flush(runs, run);
                i = close + 1;
                i = skipQuantifier(pattern, i);
                continue;
            }
            if (c == '[') {
                int close = skipClass(pattern, i);
                if (close < 0) {
                    return List.of();
                }
                flush(runs, run);
                i = skipQuantifier(pattern, close + 1);
                continue;
            }
            char literal;
            int next;
            if (c == '\\') {
                if (i + 1 >= pattern.length()) {
                    return List.of();
                }
                char e = pattern.charAt(i + 1);
                if (ESCAPABLE.indexOf(e) < 0) {
                    flush(runs, run); // \d, \w, \b, \Q, \x..., \p{...}: not a plain character
                    i = skipQuantifier(pattern, i + 2 + (e == 'p' || e == 'P' || e == 'x' ? escapeTail(pattern, i + 2) : 0));
                    continue;
                }
                literal = e;
                next = i + 2;
            } else if (".^$".indexOf(c) >= 0) {
                flush(runs, run);
                i = skipQuantifier(pattern, i + 1);
                continue;
            } else if ("*+?{".indexOf(c) >= 0) {
                return List.of(); // a quantifier with nothing before it: not something we read
            } else {
                literal = c;
                next = i + 1;
            }
            char q = next < pattern.length() ? pattern.charAt(next) : 0;
            if (q == '?' || q == '*' || q == '{') {
                flush(runs, run); // the character may be absent (or {n,m} may repeat it oddly)
                i = skipQuantifier(pattern, next);
                continue;
            }
            run.append(literal);
            if (q == '+') {
                flush(runs, run); // at least once: the run ends with one copy
                i = skipQuantifier(pattern, next);
                continue;
            }
            i = next;
        }
        flush(runs, run);
        return runs;
    }

    private static void flush(List<String> runs, StringBuilder run) {
        if (run.length() > 0) {
            runs.add(run.toString());
            run.setLength(0);
        }
    }

    private static int skipQuantifier(String p, int i) {
        if (i < p.length() && "*+?".indexOf(p.charAt(i)) >= 0) {
            i++;
        } else if (i < p.length() && p.charAt(i) == '{') {
            int close = p.indexOf('}', i);
            i = close < 0 ? p.length() : close + 1;
        }
        if (i < p.length() && p.charAt(i) == '?') {
            i++; // lazy
        }
        return i;
    }

    private static int escapeTail(String p, int i) {
        if (i < p.length() && p.charAt(i) == '{') {
            int close = p.indexOf('}', i);
            return close < 0 ? p.length() - i : close + 1 - i;
        }
        return Math.min(p.charAt(i - 1) == 'x' ? 2 : 1, p.length() - i);
    }

    private static int skipGroup(String p, int open) {
        int depth = 0;
        for (int i = open; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                i = skipClass(p, i);
                if (i < 0) {
                    return -1;
                }
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static int skipClass(String p, int open) {
        int i = open + 1;
        if (i < p.length() && p.charAt(i) == '^') {
            i++;
        }
        if (i < p.length() && p.charAt(i) == ']') {
            i++;
        }
        for (; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[' && p.startsWith("[:", i)) {
                int close = p.indexOf(":]", i);
                if (close < 0) {
                    return -1;
                }
                i = close + 1;
            } else if (c == ']') {
                return i;
            }
        }
        return -1;
    }
}
