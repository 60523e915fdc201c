package dev.aegis.afs.core.file;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.local.LineMatcher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The pushed-down filters, compiled once per fetch. Case-sensitive literal filters
 * ({@code grep -F}) search the raw UTF-8 bytes, so a line that does not match never becomes a
 * String; every other filter decodes the line once and uses the reference {@link LineMatcher}
 * (RE2J), so the scanner selects exactly the lines the local evaluator would.
 *
 * <p>With a {@code served} transform (redaction), every filter decides on the served text. A
 * literal byte search then only skips lines early where that is sound: for a literal that
 * cannot overlap a redaction marker (see {@link #markerSafe}), a served line holding it means the
 * raw line holds it too, so a raw line without it can be skipped; every kept line is decided on
 * its served text.
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
    private final UnaryOperator<String> served;

    LineFilters(List<LineFilter> filters) {
        this(filters, Optional.empty());
    }

    LineFilters(List<LineFilter> filters, Optional<UnaryOperator<String>> served) {
        this.served = served.orElse(null);
        for (LineFilter filter : filters) {
            if (this.served != null) {
                matchers.add(LineMatcher.of(filter));
                if (isByteSearchable(filter) && !filter.exclude() && filter.anyOf().size() == 1
                        && markerSafe(filter.anyOf().get(0).text())) {
                    // a raw pre-check that only ever skips lines the served filter would drop too
                    literals.add(new Literal(false, new byte[][] {filter.anyOf().get(0).text().getBytes(StandardCharsets.UTF_8)}));
                }
            } else if (isByteSearchable(filter)) {
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
        if (matchers.isEmpty()) {
            return true;
        }
        String text = served == null ? line.text() : served.apply(line.text());
        for (LineMatcher matcher : matchers) {
            if (!matcher.keeps(text)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A literal found in a served line lies wholly outside every redaction marker (so the raw
     * line holds it too) when it has no '[' or ']' and some character no marker holds: markers
     * are {@code [REDACTED_KIND]} or {@code [KIND_0123abcd]}, upper-case letters, digits, '_' and
     * lower-case hex digits. E.g. {@code OutOfMemoryError} ('u', 't') is safe; {@code AKIA} is not.
     */
    static boolean markerSafe(String literal) {
        if (literal.indexOf('[') >= 0 || literal.indexOf(']') >= 0) {
            return false;
        }
        for (int i = 0; i < literal.length(); i++) {
            char c = literal.charAt(i);
            boolean markerChar = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || (c >= 'a' && c <= 'f');
            if (!markerChar) {
                return true;
            }
        }
        return false;
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
