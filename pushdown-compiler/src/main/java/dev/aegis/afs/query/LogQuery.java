package dev.aegis.afs.query;

import java.util.List;
import java.util.Objects;

/**
 * The immutable logical plan of a read: a time window, then stages applied in order.
 *
 * <p>Both surface forms (path terms and shell pipelines) compile to this one type. Stages run
 * in list order over the lines of the window, oldest first, exactly as a shell pipeline would:
 * {@code grep x | tail -n 5 | head -n 2} is {@code [filter x, newest 5, oldest 2]}.
 */
public record LogQuery(TimeRange range, List<Stage> stages) {

    public static final LogQuery ALL = new LogQuery(TimeRange.ALL, List.of());

    public LogQuery {
        Objects.requireNonNull(range, "range is null");
        stages = List.copyOf(Objects.requireNonNull(stages, "stages is null"));
    }

    public static LogQuery of(Stage... stages) {
        return new LogQuery(TimeRange.ALL, List.of(stages));
    }

    public LogQuery withRange(TimeRange newRange) {
        return new LogQuery(newRange, stages);
    }

    public LogQuery withStages(List<Stage> newStages) {
        return new LogQuery(range, newStages);
    }

    /** True when the plan reads every line of the window unchanged. */
    public boolean isIdentity() {
        return stages.isEmpty();
    }

    /** True when some stage bounds the number of lines (a tail, head, count, or grep -c/-l/-L/-q). */
    public boolean hasLimit() {
        return stages.stream().anyMatch(s -> !(s instanceof LineFilter)
                && !(s instanceof GrepOutput g && g.mode() == GrepOutput.Mode.LINES));
    }

    /** The leading run of filters, before the first limit or count. */
    public List<LineFilter> leadingFilters() {
        int end = 0;
        while (end < stages.size() && stages.get(end) instanceof LineFilter) {
            end++;
        }
        return stages.subList(0, end).stream().map(LineFilter.class::cast).toList();
    }

    /** The pipeline text of this plan, for messages and evidence, e.g. {@code grep -i oom | tail -n 50}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        if (!range.isAll()) {
            out.append(range);
        }
        for (Stage stage : stages) {
            if (out.length() > 0) {
                out.append(" | ");
            }
            out.append(stage);
        }
        return out.length() == 0 ? "cat" : out.toString();
    }
}
