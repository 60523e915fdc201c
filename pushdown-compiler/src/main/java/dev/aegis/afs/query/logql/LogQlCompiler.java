package dev.aegis.afs.query.logql;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.local.LineMatcher;
import dev.aegis.afs.query.pushdown.Pushdown;
import dev.aegis.afs.query.pushdown.PushdownCompiler;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/** Compiles plans for one Loki stream; see the package documentation for what is pushed. */
public final class LogQlCompiler implements PushdownCompiler<LokiQuery> {

    private final StreamSelector selector;
    private final Duration lookback;

    public LogQlCompiler(StreamSelector selector, Duration lookback) {
        this.selector = Objects.requireNonNull(selector, "selector is null");
        this.lookback = Objects.requireNonNull(lookback, "lookback is null");
        if (lookback.isNegative() || lookback.isZero()) {
            throw new IllegalArgumentException("lookback must be positive, was " + lookback);
        }
    }

    @Override
    public Pushdown<LokiQuery> compile(LogQuery plan) {
        Objects.requireNonNull(plan, "plan is null");
        StringBuilder logql = new StringBuilder(selector.text());
        List<LineFilter> filters = plan.leadingFilters();
        for (LineFilter filter : filters) {
            LineMatcher.of(filter); // rejects an invalid regex here rather than at Loki
            logql.append(' ').append(lineFilter(filter));
        }
        int next = filters.size();
        LokiQuery.Direction direction = LokiQuery.Direction.FORWARD;
        OptionalLong limit = OptionalLong.empty();
        List<Stage> stages = plan.stages();
        if (next < stages.size() && stages.get(next) instanceof LineLimit l) {
            direction = l.end() == LineLimit.End.NEWEST ? LokiQuery.Direction.BACKWARD : LokiQuery.Direction.FORWARD;
            limit = OptionalLong.of(l.count());
            next++;
        }
        TimeRange range = plan.range();
        LokiQuery query = new LokiQuery(logql.toString(), range.from(), range.to(), lookback, direction, limit);
        return new Pushdown<>(query, new LogQuery(TimeRange.ALL, stages.subList(next, stages.size())));
    }

    /** One filter as a LogQL line filter expression. */
    static String lineFilter(LineFilter filter) {
        if (filter.anyOf().size() == 1 && filter.isLiteral()) {
            return (filter.exclude() ? "!= " : "|= ") + LogQlStrings.quote(filter.anyOf().get(0).text());
        }
        return (filter.exclude() ? "!~ " : "|~ ") + LogQlStrings.quote(filter.toRe2());
    }
}
