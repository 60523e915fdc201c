package dev.aegis.afs.core.file;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.local.LineMatcher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The pushed-down filters, compiled once per fetch. Case-sensitive literal filters
 * ({@code grep -F}) search the raw UTF-8 bytes, so a line that does not match never becomes a
 * String; every other filter decodes the line once and uses the reference {@link LineMatcher}
 * (RE2J), so the scanner selects exactly the lines the local evaluator would.
 */
final class LineFilters {

    private record Literal(boolean exclude, byte[][] needles) {
        boolean keeps(byte[] b, int s, int e) {
            boolean found = false;
            for (byte[] needle : needles) {
                if (contains(b, s, e, needle)) {
                    found = true;
                    break;
                }
            }
            return found != exclude;
        }
    }

    private final List<Literal> literals = new ArrayList<>();
    private final List<LineMatcher> matchers = new ArrayList<>();

    LineFilters(List<LineFilter> filters) {
        for (LineFilter filter : filters) {
            if (isByteSearchable(filter)) {
                byte[][] needles = filter.anyOf().stream()
                        .map(m -> m.text().getBytes(StandardCharsets.UTF_8))
                        .toArray(byte[][]::new);
                literals.add(new Literal(filter.exclude(), needles));
            } else {
                matchers.add(LineMatcher.of(filter));
            }
        }
    }

    /**
     * A literal can be searched as bytes unless it contains U+FFFD, which decoding produces for
     * malformed input that the bytes themselves do not contain.
     */
    private static boolean isByteSearchable(LineFilter filter) {
        return filter.isLiteral() && filter.anyOf().stream().map(Match::text).noneMatch(t -> t.indexOf('\uFFFD') >= 0);
    }

    boolean isEmpty() {
        return literals.isEmpty() && matchers.isEmpty();
    }

    /** True when the served text {@code b[s..e)} passes every filter; decodes it via {@code line} if needed. */
    boolean keeps(byte[] b, int s, int e, LineScanner line) {
        for (Literal literal : literals) {
            if (!literal.keeps(b, s, e)) {
                return false;
            }
        }
        for (LineMatcher matcher : matchers) {
            if (!matcher.keeps(line.text())) {
                return false;
            }
        }
        return true;
    }

    static boolean contains(byte[] b, int s, int e, byte[] needle) {
        return needle.length == 0 || ByteSearch.indexOf(b, s, e, needle) >= 0;
    }

    /**
     * A needle every kept line must contain, so lines without it can be skipped unread: the
     * first filter's when it keeps a single literal with no newline; else null.
     */
    byte[] requiredNeedle() {
        if (literals.isEmpty()) {
            return null;
        }
        Literal first = literals.get(0);
        if (first.exclude() || first.needles().length != 1 || first.needles()[0].length == 0) {
            return null;
        }
        byte[] needle = first.needles()[0];
        for (byte c : needle) {
            if (c == '\n') {
                return null;
            }
        }
        return needle;
    }
}
