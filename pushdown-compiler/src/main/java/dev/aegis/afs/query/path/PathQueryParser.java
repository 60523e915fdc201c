package dev.aegis.afs.query.path;

import dev.aegis.afs.query.QuerySyntaxException;

/** Parses the text after {@code ?} (ANTLR grammar PathQuery.g4). */
public final class PathQueryParser {

    private PathQueryParser() {
    }

    /** @throws QuerySyntaxException naming the column and the fix */
    public static PathQuery parse(String text) {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
