package dev.aegis.afs.query;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Keeps the lines that match any of {@code anyOf} (as {@code grep -e A -e B} does), or with
 * {@code exclude} drops them (as {@code grep -v}). Several filters in a row are ANDed.
 */
public record LineFilter(boolean exclude, List<Match> anyOf) implements Stage {

    public LineFilter {
        anyOf = List.copyOf(Objects.requireNonNull(anyOf, "anyOf is null"));
        if (anyOf.isEmpty()) {
            throw new IllegalArgumentException("a filter needs at least one pattern");
        }
    }

    public static LineFilter keep(Match... anyOf) {
        return new LineFilter(false, List.of(anyOf));
    }

    public static LineFilter drop(Match... anyOf) {
        return new LineFilter(true, List.of(anyOf));
    }

    /** True when every pattern is a case-sensitive literal. */
    public boolean isLiteral() {
        return anyOf.stream().allMatch(m -> m.literal() && !m.ignoreCase());
    }

    /** All patterns as one RE2 alternation. */
    public String toRe2() {
        if (anyOf.size() == 1) {
            return anyOf.get(0).toRe2();
        }
        return anyOf.stream().map(m -> "(?:" + m.toRe2() + ")").collect(Collectors.joining("|"));
    }

    @Override
    public String toString() {
        String patterns = anyOf.stream()
                .map(m -> (m.literal() ? "-F " : "") + (m.ignoreCase() ? "-i " : "") + "-e '" + m.text() + "'")
                .collect(Collectors.joining(" "));
        return "grep " + (exclude ? "-v " : "") + patterns;
    }
}
