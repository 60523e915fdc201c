package dev.aegis.afs.core.k8s;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathQueryParser;

/** A looked-up name split at its first {@code ?}: {@code pods?label=app=x} is {@code pods} and its terms. */
record NameWithQuery(String base, PathQuery query) {

    static NameWithQuery parse(String name) throws AfsException {
        int q = name.indexOf('?');
        if (q < 0) {
            return new NameWithQuery(name, PathQuery.EMPTY);
        }
        String text = name.substring(q + 1);
        try {
            return new NameWithQuery(name.substring(0, q), PathQueryParser.parse(text));
        } catch (QuerySyntaxException e) {
            throw invalid(name, e);
        }
    }

    static AfsException invalid(String name, QuerySyntaxException e) {
        return new AfsException(AfsError.INVALID_QUERY, name + ": " + e.getMessage(), e);
    }

    /** Refuses terms on a file that takes none. */
    void requireNoTerms(String what) throws AfsException {
        if (!query.isEmpty()) {
            throw new AfsException(AfsError.INVALID_QUERY, base + "?" + query.text() + ": " + what
                    + " takes no query terms; read " + base + " and filter with grep, or query a log file");
        }
    }
}
