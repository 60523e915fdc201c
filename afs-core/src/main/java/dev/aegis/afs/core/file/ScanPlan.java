package dev.aegis.afs.core.file;

import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.pushdown.BackendQuery;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * What the file backend scans: the stream's files (as configured; rotated siblings included),
 * the time range, the filters, and at most one limit or count, applied in that order.
 *
 * <p>{@link #text()} is recorded as evidence, e.g.
 * {@code scan payments/api.log since=2026-11-21T20:00:00Z grep-F='OOM' tail=50}. Filters read
 * {@code grep-F='a','b'} (any of the literals), {@code grep-E='re2'} (an RE2 expression; case
 * folding shows as {@code (?i)}), and {@code grep-vF} / {@code grep-vE} to drop matches.
 *
 * @param path    the stream's path option, relative to the backend's root
 * @param range   lines stamped in {@code [since, until)}; all lines when {@link TimeRange#ALL}
 * @param filters kept lines pass every filter
 * @param limit   empty, or a {@link LineLimit} or {@link CountLines} applied after the filters
 * @param served  when present, filters decide on {@code served.apply(line)} (the line as it will be
 *                served, redacted), not on the raw line; shown as {@code on served text}
 */
public record ScanPlan(String path, TimeRange range, List<LineFilter> filters, Optional<Stage> limit,
                       Optional<UnaryOperator<String>> served) implements BackendQuery {

    public ScanPlan(String path, TimeRange range, List<LineFilter> filters, Optional<Stage> limit) {
        this(path, range, filters, limit, Optional.empty());
    }

    public ScanPlan {
        Objects.requireNonNull(served, "served is null");
        Objects.requireNonNull(path, "path is null");
        Objects.requireNonNull(range, "range is null");
        filters = List.copyOf(Objects.requireNonNull(filters, "filters is null"));
        Objects.requireNonNull(limit, "limit is null");
        if (limit.isPresent() && limit.get() instanceof LineFilter) {
            throw new IllegalArgumentException("limit must be a LineLimit or CountLines, was " + limit.get());
        }
    }

    @Override
    public String text() {
        StringBuilder out = new StringBuilder("scan ").append(path);
        range.start().ifPresent(t -> out.append(" since=").append(t));
        range.end().ifPresent(t -> out.append(" until=").append(t));
        for (LineFilter filter : filters) {
            out.append(' ').append(filterText(filter));
        }
        limit.ifPresent(stage -> out.append(' ').append(limitText(stage)));
        if (served.isPresent() && !filters.isEmpty()) {
            out.append(" (filters on served text)");
        }
        return out.toString();
    }

    private static String filterText(LineFilter filter) {
        String flags = (filter.exclude() ? "v" : "") + (filter.isLiteral() ? "F" : "E");
        String patterns = filter.isLiteral()
                ? filter.anyOf().stream().map(Match::text).map(ScanPlan::quote).collect(Collectors.joining(","))
                : quote(filter.toRe2());
        return "grep-" + flags + "=" + patterns;
    }

    private static String limitText(Stage stage) {
        if (stage instanceof LineLimit l) {
            return (l.end() == LineLimit.End.NEWEST ? "tail=" : "head=") + l.count();
        }
        return "count";
    }

    /** Single-quoted as a shell would, so the text can be pasted. */
    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Override
    public String toString() {
        return text();
    }
}
