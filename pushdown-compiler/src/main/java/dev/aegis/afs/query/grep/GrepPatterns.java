package dev.aegis.afs.query.grep;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.QuerySyntaxException;
import java.util.List;

/**
 * Turns grep's patterns and options into one {@link LineFilter} whose RE2 semantics select
 * exactly the lines GNU grep selects. Patterns that cannot be translated faithfully
 * (back-references, ...) are refused with a {@link QuerySyntaxException}, never approximated.
 */
public final class GrepPatterns {

    private GrepPatterns() {
    }

    /**
     * @param patterns the -e patterns (or the single positional one), in order; a pattern
     *                 containing newlines counts as several, as in grep
     */
    public static LineFilter compile(List<String> patterns, GrepOptions options) {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
