package dev.aegis.afs.query;

/**
 * A query that cannot be compiled. The message names what is wrong, where (1-based column in
 * the query text, 0 when not tied to a position) and how to fix it. Maps to EINVAL on the mount
 * and to exit code 2 in the CLI.
 */
public class QuerySyntaxException extends IllegalArgumentException {

    private final int column;

    public QuerySyntaxException(String message) {
        this(message, 0);
    }

    public QuerySyntaxException(String message, int column) {
        super(column > 0 ? "column " + column + ": " + message : message);
        this.column = column;
    }

    public int column() {
        return column;
    }
}
