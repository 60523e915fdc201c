package dev.aegis.afs.query.promql;

import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathTerm;
import java.util.ArrayList;
import java.util.List;

/** Builds PathQuery values for tests without the parser: split on '&' and the first '=', no decoding. */
final class Terms {

    private Terms() {
    }

    static PathQuery of(String text) {
        List<PathTerm> terms = new ArrayList<>();
        int column = 1;
        if (!text.isEmpty()) {
            for (String term : text.split("&", -1)) {
                int eq = term.indexOf('=');
                terms.add(new PathTerm(term.substring(0, eq), term.substring(eq + 1), column));
                column += term.length() + 1;
            }
        }
        return new PathQuery(text, terms);
    }
}
