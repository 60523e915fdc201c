package dev.aegis.afs.query.insights;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.Match;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Translates one filter into an Insights condition, saying whether it is exact or a superset. */
final class InsightsFilters {

    /** A condition and whether it selects exactly the filter's lines (else a superset of them). */
    record Condition(String text, boolean exact) {
    }

    private static final String UNSAFE = "\"\\'`%*";

    private InsightsFilters() {
    }

    static Optional<Condition> translate(LineFilter filter) {
        List<String> parts = new ArrayList<>();
        boolean exact = true;
        for (Match match : filter.anyOf()) {
            Optional<String> one;
            if (match.literal() && !match.ignoreCase() && safe(match.text())) {
                one = Optional.of(like(match.text()));
            } else {
                one = filter.exclude() || match.ignoreCase() ? Optional.empty()
                        : required(match.literal() ? List.of(match.text()) : RequiredLiterals.of(match.text()));
                exact = false;
            }
            if (one.isEmpty()) {
                return Optional.empty(); // an OR is pushed whole or not at all
            }
            parts.add(one.get());
        }
        if (filter.exclude()) {
            return Optional.of(new Condition(String.join(" and ", parts.stream().map(p -> "not " + p).toList()), true));
        }
        return Optional.of(new Condition(parts.size() == 1 ? parts.get(0) : "(" + String.join(" or ", parts) + ")", exact));
    }

    static String like(String literal) {
        return "@message like \"" + literal + "\"";
    }

    /** True for non-empty printable ASCII without quote, backslash, backtick or wildcard characters. */
    static boolean safe(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e || UNSAFE.indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * A superset condition from strings every match contains: each is cut at the characters that
     * cannot be written exactly, and every non-blank piece must be present. Empty if none is left.
     */
    private static Optional<String> required(List<String> strings) {
        List<String> likes = new ArrayList<>();
        for (String s : strings) {
            StringBuilder piece = new StringBuilder();
            for (int i = 0; i <= s.length(); i++) {
                char c = i < s.length() ? s.charAt(i) : '\0';
                if (i < s.length() && safe(String.valueOf(c))) {
                    piece.append(c);
                } else {
                    if (!piece.toString().isBlank()) {
                        likes.add(like(piece.toString()));
                    }
                    piece.setLength(0);
                }
            }
        }
        if (likes.isEmpty()) {
            return Optional.empty();
        }
        List<String> distinct = likes.stream().distinct().toList();
        return Optional.of(distinct.size() == 1 ? distinct.get(0) : "(" + String.join(" and ", distinct) + ")");
    }
}
