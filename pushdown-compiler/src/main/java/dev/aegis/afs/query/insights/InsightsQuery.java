package dev.aegis.afs.query.insights;

import dev.aegis.afs.query.pushdown.BackendQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A Logs Insights query over some log groups.
 *
 * @param logGroups   the log groups searched
 * @param conditions  the {@code filter} commands' conditions, in order (without the time filter)
 * @param start       inclusive start, or null for {@code end - lookback}
 * @param end         exclusive end, or null for now
 * @param lookback    how far back an open start reads
 * @param newestFirst sort descending (a pushed tail) rather than ascending
 * @param limit       how many events the plan needs at most; empty when every event is needed
 */
public record InsightsQuery(List<String> logGroups, List<String> conditions, Instant start, Instant end,
                            Duration lookback, boolean newestFirst, OptionalLong limit) implements BackendQuery {

    /** Insights returns at most this many rows per query. */
    public static final int MAX_ROWS = 10_000;

    public InsightsQuery {
        logGroups = List.copyOf(Objects.requireNonNull(logGroups, "logGroups is null"));
        conditions = List.copyOf(Objects.requireNonNull(conditions, "conditions is null"));
        Objects.requireNonNull(lookback, "lookback is null");
        Objects.requireNonNull(limit, "limit is null");
        if (logGroups.isEmpty()) {
            throw new IllegalArgumentException("an Insights query needs at least one log group");
        }
    }

    /** The query string for one request: events with {@code fromMillis <= t < toMillis}, at most {@code rows}. */
    public String queryString(long fromMillis, long toMillis, long rows) {
        return body("filter toMillis(@timestamp) >= " + fromMillis + " and toMillis(@timestamp) < " + toMillis, rows);
    }

    private String body(String timeFilter, long rows) {
        StringBuilder out = new StringBuilder("fields @timestamp, @message");
        if (timeFilter != null) {
            out.append(" | ").append(timeFilter);
        }
        for (String condition : conditions) {
            out.append(" | filter ").append(condition);
        }
        out.append(" | sort @timestamp ").append(newestFirst ? "desc" : "asc");
        out.append(" | limit ").append(rows);
        return out.toString();
    }

    /**
     * What evidence records, e.g. {@code logGroups=[/aws/app] start=now-24h end=now query=fields
     * @timestamp, @message | filter @message like "x" | sort @timestamp desc | limit 50}. Each request
     * sent adds the millisecond time filter after {@code fields}.
     */
    @Override
    public String text() {
        long rows = Math.min(limit.orElse(MAX_ROWS), MAX_ROWS);
        String back = (end == null ? "now-" : "end-") + lookback.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
        return "logGroups=" + logGroups + " start=" + (start == null ? back : start)
                + " end=" + (end == null ? "now" : end) + " query=" + body(null, rows);
    }
}
