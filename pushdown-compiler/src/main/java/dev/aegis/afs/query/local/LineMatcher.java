package dev.aegis.afs.query.local;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.RegexBudget;

/** Decides one {@link LineFilter} for a line, in linear time (RE2J), with a literal fast path. */
public final class LineMatcher {

    private final boolean exclude;
    private final String literal;
    private final Pattern pattern;

    private LineMatcher(boolean exclude, String literal, Pattern pattern) {
        this.exclude = exclude;
        this.literal = literal;
        this.pattern = pattern;
    }

    public static LineMatcher of(LineFilter filter) {
        if (filter.anyOf().size() == 1 && filter.isLiteral()) {
            return new LineMatcher(filter.exclude(), filter.anyOf().get(0).text(), null);
        }
        try {
            return new LineMatcher(filter.exclude(), null, RegexBudget.compile(filter.toRe2()));
        } catch (PatternSyntaxException e) {
            throw new QuerySyntaxException("invalid regular expression " + describe(filter) + ": "
                    + e.getDescription() + "; patterns use RE2 syntax (https://github.com/google/re2/wiki/Syntax)");
        }
    }

    private static String describe(LineFilter filter) {
        return filter.anyOf().stream().map(Match::text).map(t -> "'" + t + "'").toList().toString();
    }

    /** True when the line passes this filter (matches, or for an exclusion does not match). */
    public boolean keeps(CharSequence line) {
        boolean found = literal != null ? contains(line, literal) : pattern.matcher(ReadDeadline.guard(line)).find();
        return found != exclude;
    }

    private static boolean contains(CharSequence line, String needle) {
        return line instanceof String s ? s.contains(needle) : line.toString().contains(needle);
    }
}
