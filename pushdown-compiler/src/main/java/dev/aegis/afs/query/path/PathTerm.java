package dev.aegis.afs.query.path;

import java.util.Objects;

/** One {@code key=value} term of a path query, percent-decoded, with its 1-based column. */
public record PathTerm(String key, String value, int column) {

    public PathTerm {
        Objects.requireNonNull(key, "key is null");
        Objects.requireNonNull(value, "value is null");
    }
}
