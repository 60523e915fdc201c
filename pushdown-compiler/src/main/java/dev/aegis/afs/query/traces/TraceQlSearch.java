package dev.aegis.afs.query.traces;

import java.util.Objects;

/**
 * One {@code GET /api/search} of Tempo's HTTP API: a TraceQL query, the window in whole epoch
 * seconds and a limit. {@link #text()} is the path and query exactly as sent.
 */
public record TraceQlSearch(String traceQl, long startSeconds, long endSeconds, long limit, boolean capped)
        implements TraceSearch {

    public TraceQlSearch {
        Objects.requireNonNull(traceQl, "traceQl is null");
        if (endSeconds < startSeconds || limit < 1) {
            throw new IllegalArgumentException("need start <= end and limit >= 1");
        }
    }

    public String query() {
        return "q=" + ZipkinSearch.encode(traceQl) + "&start=" + startSeconds + "&end=" + endSeconds + "&limit=" + limit;
    }

    @Override
    public String text() {
        return "/api/search?" + query();
    }
}
