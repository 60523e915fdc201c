package dev.aegis.afs.query.pushdown;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where filters run: the one place that decides what a backend may apply to <em>raw</em> data.
 *
 * <p>The rule: every filter is decided on the line as served (after redaction), by the exact
 * local filter. A backend may only narrow its raw result where that is a superset of the exact
 * post-redaction result, and where doing so cannot be observed: a raw pre-filter changes
 * {@code user.afs.stats.entries}, {@code bytes_received} and the backend's truncation, so a
 * filter that could match inside a redacted value (any {@code grep-F=AKIA...} prefix probe)
 * would tell the reader whether the raw value continues with the next character. With redaction
 * on, therefore, no filter is pushed to raw data, and a limit is pushed only where no filter
 * precedes it (the newest 50 lines are the same raw or redacted). With redaction off the served
 * line is the raw line, and the whole plan may be pushed as before.
 *
 * <p>Extend {@link #superset} (not the backends) when a backend's line differs from the served
 * line in some other way, e.g. a prefix the core adds: what is pushable is decided here.
 */
public final class RawPushdown {

    private RawPushdown() {
    }

    /**
     * The plan a backend may run on raw data, for {@code plan} whose filters must be decided on
     * served text: the time range, each filter replaced by its raw superset (or dropped), and
     * the leading limits up to the first filter that is not exact. The core then applies the
     * whole of {@code plan} to what comes back, after redaction.
     *
     * @param redacting whether served lines differ from raw lines (the env redacts)
     */
    public static LogQuery forRawBackend(LogQuery plan, boolean redacting) {
        if (!redacting) {
            return plan;
        }
        List<Stage> pushed = new ArrayList<>();
        boolean exactSoFar = true;
        for (Stage stage : plan.stages()) {
            if (stage instanceof LineFilter f) {
                Optional<Superset> s = superset(f, true);
                if (s.isPresent()) {
                    pushed.add(s.get().filter());
                    exactSoFar &= s.get().exact();
                } else {
                    exactSoFar = false;
                }
            } else if (stage instanceof LineLimit && exactSoFar) {
                pushed.add(stage);
            } else {
                break; // a count, or a limit after an inexact filter: the rest is local
            }
        }
        return new LogQuery(plan.range(), pushed);
    }

    /** A filter a backend may run on raw lines, and whether it selects exactly the served result. */
    public record Superset(LineFilter filter, boolean exact) {
    }

    /**
     * What of {@code filter} a backend may apply to raw lines. With redaction, nothing: see the
     * class comment (a superset would still be an oracle through stats and truncation).
     */
    public static Optional<Superset> superset(LineFilter filter, boolean redacting) {
        return redacting ? Optional.empty() : Optional.of(new Superset(filter, true));
    }
}
