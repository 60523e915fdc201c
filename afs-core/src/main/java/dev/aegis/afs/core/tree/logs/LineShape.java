package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.query.LogQueryCompiler;
import dev.aegis.afs.query.k8s.TermSplit;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathTerm;
import java.util.Set;

/**
 * How a read wants its lines shown, from the path terms {@code raw=1} (the bare message, no
 * time in front) and {@code labels=1} (the stream's labels after the time, as logcli's
 * {@code --include-label}). Neither changes what is read, only the served line, which is also
 * what every filter of the read sees.
 */
record LineShape(boolean raw, boolean labels) {

    static final LineShape DEFAULT = new LineShape(false, false);
    static final Set<String> KEYS = Set.of("raw", "labels");

    /** The shape terms of {@code query}; the other terms are left for the log query compiler. */
    static LineShape of(PathQuery query) {
        boolean raw = false;
        boolean labels = false;
        for (PathTerm term : TermSplit.of(query, KEYS).selected().terms()) {
            boolean on = LogQueryCompiler.lineSwitch(term);
            if (term.key().equals("raw")) {
                raw = on;
            } else {
                labels = on;
            }
        }
        return new LineShape(raw, labels);
    }
}
