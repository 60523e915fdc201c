package dev.aegis.afs.query.path;

import java.util.List;
import java.util.Objects;

/**
 * The terms after {@code ?} in a file name, in the order written, e.g.
 * {@code since=1h&grep-i=oom&tail=50}. Which keys are valid depends on the file: log files
 * compile with the log query compiler, metrics files with the metric one.
 */
public record PathQuery(String text, List<PathTerm> terms) {

    public static final PathQuery EMPTY = new PathQuery("", List.of());

    public PathQuery {
        Objects.requireNonNull(text, "text is null");
        terms = List.copyOf(Objects.requireNonNull(terms, "terms is null"));
    }

    public boolean isEmpty() {
        return terms.isEmpty();
    }
}
