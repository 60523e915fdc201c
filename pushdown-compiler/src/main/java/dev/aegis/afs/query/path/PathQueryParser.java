package dev.aegis.afs.query.path;

import dev.aegis.afs.query.QuerySyntaxException;
import java.util.Objects;

/**
 * Parses the text after {@code ?} in a file name into {@code key=value} terms, e.g.
 * {@code since=1h&grep-i=oom&tail=50} (grammar {@code PathQueryGrammar.g4}).
 *
 * <p>Terms are joined by {@code &}. A key is a lowercase letter followed by letters, digits and
 * {@code -} ({@code grep-F} has a capital). A value runs to the next {@code &}, so it may contain
 * {@code =}, {@code ?} and {@code /}; it is percent-decoded as UTF-8 ({@code %26} for {@code &},
 * {@code %25} for {@code %}). Unlike HTML forms, {@code +} is a literal plus, not a space: write a
 * space as {@code %20}. An empty value ({@code grep=}) is allowed. Refused, with the column and
 * the fix: invalid percent escapes, control characters other than tab in a value (raw or
 * decoded, so {@code %00} is refused), empty keys and terms, a query over
 * {@value #MAX_QUERY_LENGTH} characters and a value over {@value #MAX_VALUE_LENGTH}.
 * Columns are 1-based, counted in characters of the text after {@code ?}.
 */
public final class PathQueryParser {

    /** The longest query text accepted, in characters. */
    public static final int MAX_QUERY_LENGTH = 4096;

    /** The longest value accepted after decoding, in characters. */
    public static final int MAX_VALUE_LENGTH = 2048;

    private PathQueryParser() {
    }

    /** @throws QuerySyntaxException naming the column and the fix */
    public static PathQuery parse(String text) {
        Objects.requireNonNull(text, "text is null");
        int length = text.codePointCount(0, text.length());
        if (length > MAX_QUERY_LENGTH) {
            throw new QuerySyntaxException("the query is " + length + " characters; the limit is "
                    + MAX_QUERY_LENGTH + ": use fewer or shorter terms");
        }
        if (text.isEmpty()) {
            return PathQuery.EMPTY;
        }
        return new PathQuery(text, PathTermBuilder.terms(text));
    }
}
