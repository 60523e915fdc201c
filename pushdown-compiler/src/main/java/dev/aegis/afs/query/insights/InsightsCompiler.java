package dev.aegis.afs.query.insights;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.local.LineMatcher;
import dev.aegis.afs.query.pushdown.Pushdown;
import dev.aegis.afs.query.pushdown.PushdownCompiler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/** Compiles plans for one CloudWatch log stream set; see the package documentation for what is pushed. */
public final class InsightsCompiler implements PushdownCompiler<InsightsQuery> {

    private final List<String> logGroups;
    private final Optional<String> streamCondition;
    private final Duration lookback;

    /**
     * @param streamPrefix only log streams whose name starts with this (letters, digits and
     *                     {@code _-./:#} only), or empty for all
     */
    public InsightsCompiler(List<String> logGroups, Optional<String> streamPrefix, Duration lookback) {
        this.logGroups = List.copyOf(Objects.requireNonNull(logGroups, "logGroups is null"));
        this.lookback = Objects.requireNonNull(lookback, "lookback is null");
        Objects.requireNonNull(streamPrefix, "streamPrefix is null");
        if (this.logGroups.isEmpty()) {
            throw new IllegalArgumentException("at least one log group is needed");
        }
        this.streamCondition = streamPrefix.map(InsightsCompiler::streamCondition);
    }

    /** {@code @logStream like /^prefix/}, with the prefix's regex characters escaped. */
    static String streamCondition(String prefix) {
        if (prefix.isEmpty() || !prefix.matches("[A-Za-z0-9_\\-./:#]+")) {
            throw new IllegalArgumentException("stream prefix '" + prefix + "' may only hold letters, digits and _-./:#");
        }
        return "@logStream like /^" + prefix.replace(".", "\\.").replace("/", "\\/") + "/";
    }

    @Override
    public Pushdown<InsightsQuery> compile(LogQuery plan) {
        Objects.requireNonNull(plan, "plan is null");
        List<String> conditions = new ArrayList<>();
        streamCondition.ifPresent(conditions::add);
        List<Stage> residual = new ArrayList<>();
        List<LineFilter> filters = plan.leadingFilters();
        boolean allExact = true;
        for (LineFilter filter : filters) {
            LineMatcher.of(filter); // rejects an invalid regex before anything is sent
            Optional<InsightsFilters.Condition> condition = InsightsFilters.translate(filter);
            condition.ifPresent(c -> conditions.add(c.text()));
            if (condition.isEmpty() || !condition.get().exact()) {
                residual.add(filter); // decided locally, exactly
                allExact = false;
            }
        }
        List<Stage> stages = plan.stages();
        int next = filters.size();
        boolean newestFirst = false;
        OptionalLong limit = OptionalLong.empty();
        if (allExact && next < stages.size() && stages.get(next) instanceof LineLimit l) {
            newestFirst = l.end() == LineLimit.End.NEWEST;
            limit = OptionalLong.of(l.count());
            next++;
        }
        residual.addAll(stages.subList(next, stages.size()));
        TimeRange range = plan.range();
        InsightsQuery query = new InsightsQuery(logGroups, conditions, range.from(), range.to(), lookback, newestFirst, limit);
        return new Pushdown<>(query, new LogQuery(TimeRange.ALL, residual));
    }
}
