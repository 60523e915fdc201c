package dev.aegis.afs.core.source;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.local.LineMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * A residual's filters and limits applied to a small list of served lines held in memory (a
 * trace listing, a commit history), in order, with the same matchers as every other read.
 */
public final class ResidualLines {

    private ResidualLines() {
    }

    /** {@code lines} (oldest first) after {@code stages}; a count or grep output stage is refused. */
    public static List<String> apply(List<String> lines, List<Stage> stages) {
        List<String> out = new ArrayList<>(lines);
        for (Stage stage : stages) {
            if (stage instanceof LineFilter f) {
                LineMatcher m = LineMatcher.of(f);
                out.removeIf(l -> !m.keeps(l));
            } else if (stage instanceof LineLimit l) {
                int n = (int) Math.min(l.count(), out.size());
                out = l.end() == LineLimit.End.NEWEST ? new ArrayList<>(out.subList(out.size() - n, out.size()))
                        : new ArrayList<>(out.subList(0, n));
            } else {
                throw new IllegalArgumentException("not a filter or limit: " + stage);
            }
        }
        return out;
    }
}
