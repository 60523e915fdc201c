package dev.aegis.afs.query.pushdown;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where filters run: the one place that decides what a backend may apply to <em>raw</em> data.
 *
 * <p>The rule: every filter is decided on the line as served (after redaction), by the exact
 * local filter. A backend may only narrow its raw result where that is a superset of the exact
 * post-redaction result: a <b>prefilter</b>. Redaction replaces spans of a line by a marker
 * ({@code [REDACTED_AWS_ACCESS_KEY]}, or with blinding {@code [EMAIL_3f9a1c02]}) and leaves the
 * rest verbatim, so a literal that no marker can hold or touch, found in a served line, was in the
 * raw line too. A filter is a prefilter when:
 * <ul>
 *   <li>it keeps lines (never {@code grep-v}: dropping raw lines that hold a value would drop
 *       lines whose served text no longer does);</li>
 *   <li>each of its patterns is a non-empty literal ({@code grep-F=}, or a regex that is one)
 *       with no {@code [} or {@code ]} (so no match can reach into a marker from outside), that
 *       cannot occur inside a marker's text either, in any case under {@code -i}
 *       ({@link RedactionMarkers#canOccurInside}) — {@code ERROR}, {@code OOMKilled}, {@code db pool}
 *       are prefilters; {@code REDACTED}, {@code ACCESS_K}, {@code [EMAIL} and, with blinding,
 *       {@code 3f9a} or {@code IL_0} are not;</li>
 *   <li>and the stream's own rule for what a backend sees allows it (a time prefix: see
 *       {@code TimePrefix}).</li>
 * </ul>
 * The converse does not hold: a raw line may match only inside what is redacted (a prefix probe
 * {@code grep-F=AKIAPROBE}). Such lines come back from the backend and are dropped by the exact
 * filter; they must not be seen any other way either, so the backend counts toward its
 * {@code max_entries}, {@code user.afs.stats.entries} and truncation only the entries whose
 * served text passes the prefilters, and {@code bytes_received} is the served size of those
 * (see {@link RawPlan#prefilters()}). A limit after a prefilter stays local (the newest 50 raw
 * matches may not be the newest 50 served ones); a limit before every filter is pushed (the
 * newest 50 lines are the same raw or redacted). With redaction off, the served line is the raw
 * line and the whole plan may be pushed as before.
 */
public final class RawPushdown {

    private RawPushdown() {
    }

    /**
     * What a backend may run on raw data, and the prefilters in it.
     *
     * @param query      the time range, the prefilters, and the leading limits up to the first
     *                   filter that is not exact
     * @param prefilters the filters of {@code query} that select a superset of the served result;
     *                   when not empty, the backend must count only entries whose served text
     *                   passes them
     */
    public record RawPlan(LogQuery query, List<LineFilter> prefilters) {
        public RawPlan {
            Objects.requireNonNull(query, "query is null");
            prefilters = List.copyOf(prefilters);
        }
    }

    /**
     * The plan a backend may run on raw data for {@code plan}, whose filters must be decided on
     * served text. The core then applies the whole of {@code plan} to what comes back, after
     * redaction.
     *
     * @param markers      what a redaction marker can hold; null when the backend cannot count
     *                     entries on served text, so it gets no prefilter
     * @param bareLineSafe     which filters select the same on the backend's line as on the served
     *                         one (a time prefix or labels in front make some differ)
     */
    public static RawPlan forRawBackend(LogQuery plan, RedactionMarkers markers, Predicate<LineFilter> bareLineSafe) {
        Objects.requireNonNull(plan, "plan is null");
        Objects.requireNonNull(bareLineSafe, "bareLineSafe is null");
        List<Stage> pushed = new ArrayList<>();
        List<LineFilter> prefilters = new ArrayList<>();
        boolean exactSoFar = true;
        for (Stage stage : plan.stages()) {
            if (stage instanceof LineFilter f) {
                if (markers != null && bareLineSafe.test(f) && prefilter(f, markers)) {
                    pushed.add(f);
                    prefilters.add(f);
                }
                exactSoFar = false; // a prefilter is a superset: what follows it is decided locally
            } else if (stage instanceof LineLimit && exactSoFar) {
                pushed.add(stage);
            } else if (stage instanceof LineLimit) {
                continue; // after a filter: local; later filters may still prefilter
            } else {
                break; // a count: the rest is local
            }
        }
        return new RawPlan(new LogQuery(plan.range(), pushed), prefilters);
    }

    /**
     * True when {@code filter}, run on raw lines, keeps every line whose served text it keeps
     * (see the class comment).
     */
    public static boolean prefilter(LineFilter filter, RedactionMarkers markers) {
        Objects.requireNonNull(markers, "markers is null");
        return !filter.exclude() && filter.anyOf().stream().allMatch(m -> prefilter(m, markers));
    }

    private static boolean prefilter(Match match, RedactionMarkers markers) {
        Optional<String> literal = literalText(match);
        if (literal.isEmpty() || literal.get().isEmpty()) {
            return false;
        }
        String text = literal.get();
        return text.indexOf('[') < 0 && text.indexOf(']') < 0 && !markers.canOccurInside(text, match.ignoreCase());
    }

    /** The text a pattern matches when it is a plain literal: {@code grep-F=}, or a regex of plain characters. */
    private static Optional<String> literalText(Match match) {
        if (match.literal()) {
            return Optional.of(match.text());
        }
        String re = match.text();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\' && i + 1 < re.length() && !Character.isLetterOrDigit(re.charAt(i + 1)) && re.charAt(i + 1) < 0x80) {
                out.append(re.charAt(++i)); // an escaped punctuation mark
            } else if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
                return Optional.empty();
            } else {
                out.append(c);
            }
        }
        return Optional.of(out.toString());
    }
}
