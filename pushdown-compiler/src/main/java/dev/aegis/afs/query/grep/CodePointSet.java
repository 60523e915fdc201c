package dev.aegis.afs.query.grep;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/** An immutable set of Unicode code points as sorted, disjoint, non-adjacent ranges. */
record CodePointSet(int[] ranges) {

    static final int MAX = Character.MAX_CODE_POINT;
    static final CodePointSet EMPTY = new CodePointSet(new int[0]);

    static CodePointSet of(int lo, int hi) {
        return new CodePointSet(new int[] {lo, hi});
    }

    static CodePointSet single(int cp) {
        return of(cp, cp);
    }

    /** Every code point for which {@code member} holds, scanned once (callers cache the result). */
    static CodePointSet matching(IntPredicate member) {
        List<int[]> out = new ArrayList<>();
        int start = -1;
        for (int cp = 0; cp <= MAX + 1; cp++) {
            boolean in = cp <= MAX && member.test(cp);
            if (in && start < 0) {
                start = cp;
            } else if (!in && start >= 0) {
                out.add(new int[] {start, cp - 1});
                start = -1;
            }
        }
        return fromPairs(out);
    }

    CodePointSet union(CodePointSet other) {
        List<int[]> all = new ArrayList<>();
        for (int i = 0; i < ranges.length; i += 2) {
            all.add(new int[] {ranges[i], ranges[i + 1]});
        }
        for (int i = 0; i < other.ranges.length; i += 2) {
            all.add(new int[] {other.ranges[i], other.ranges[i + 1]});
        }
        all.sort((a, b) -> Integer.compare(a[0], b[0]));
        List<int[]> merged = new ArrayList<>();
        for (int[] r : all) {
            int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && r[0] <= last[1] + 1) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                merged.add(new int[] {r[0], r[1]});
            }
        }
        return fromPairs(merged);
    }

    /** True when every member satisfies {@code test} (meant for small, user-written sets). */
    boolean allMatch(IntPredicate test) {
        for (int i = 0; i < ranges.length; i += 2) {
            for (int cp = ranges[i]; cp <= ranges[i + 1]; cp++) {
                if (!test.test(cp)) {
                    return false;
                }
            }
        }
        return true;
    }

    boolean contains(int cp) {
        for (int i = 0; i < ranges.length; i += 2) {
            if (cp >= ranges[i] && cp <= ranges[i + 1]) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return ranges.length == 0;
    }

    /** The members as the inside of an RE2 character class, every code point quoted. */
    String toRe2ClassBody() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < ranges.length; i += 2) {
            appendQuoted(out, ranges[i]);
            if (ranges[i + 1] != ranges[i]) {
                out.append('-');
                appendQuoted(out, ranges[i + 1]);
            }
        }
        return out.toString();
    }

    /** One code point in RE2 syntax that is literal anywhere (inside or outside a class). */
    static void appendQuoted(StringBuilder out, int cp) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
            out.append((char) cp);
        } else if (cp > 0x20 && cp < 0x7f) {
            out.append('\\').append((char) cp); // RE2 allows a backslash before any ASCII punctuation
        } else {
            out.append("\\x{").append(Integer.toHexString(cp)).append('}');
        }
    }

    private static CodePointSet fromPairs(List<int[]> pairs) {
        int[] flat = new int[pairs.size() * 2];
        for (int i = 0; i < pairs.size(); i++) {
            flat[2 * i] = pairs.get(i)[0];
            flat[2 * i + 1] = pairs.get(i)[1];
        }
        return new CodePointSet(flat);
    }
}
