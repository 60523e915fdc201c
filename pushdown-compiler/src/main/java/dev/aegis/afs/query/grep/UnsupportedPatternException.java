package dev.aegis.afs.query.grep;

import dev.aegis.afs.query.QuerySyntaxException;

/**
 * A pattern GNU grep accepts but that has no exact RE2 translation (a back-reference, {@code \<},
 * an interval over RE2's limit, ...). Refused rather than approximated; the message names the
 * construct and a rewrite.
 */
public final class UnsupportedPatternException extends QuerySyntaxException {

    public UnsupportedPatternException(String message) {
        super(message);
    }
}
