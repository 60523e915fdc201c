package dev.aegis.afs.query.k8s;

import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathTerm;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A path query split by key, order kept: e.g. {@code events.log?type=Warning&since=1h} into the
 * selector terms and the log terms, each then compiled by its own compiler.
 */
public record TermSplit(PathQuery selected, PathQuery rest) {

    public TermSplit {
        Objects.requireNonNull(selected, "selected is null");
        Objects.requireNonNull(rest, "rest is null");
    }

    public static TermSplit of(PathQuery query, Set<String> keys) {
        List<PathTerm> selected = new ArrayList<>();
        List<PathTerm> rest = new ArrayList<>();
        for (PathTerm term : query.terms()) {
            (keys.contains(term.key()) ? selected : rest).add(term);
        }
        return new TermSplit(new PathQuery(query.text(), selected), new PathQuery(query.text(), rest));
    }
}
