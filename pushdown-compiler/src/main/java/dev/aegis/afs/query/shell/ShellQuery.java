package dev.aegis.afs.query.shell;

import dev.aegis.afs.query.LogQuery;
import java.util.Objects;

/**
 * A shell-form read: the file the first command names and the plan of the pipeline.
 *
 * @param path   the file as written (a tree path such as {@code /teams/payments/prod/logs/api.log},
 *               a mounted path, possibly with {@code ?terms}); the caller resolves it, and any
 *               path terms run before {@code query}
 * @param query  the stages of the pipeline, in order; its time range is always
 *               {@link dev.aegis.afs.query.TimeRange#ALL}
 * @param status how the pipeline's exit status follows from its result (bash: the last command's)
 */
public record ShellQuery(String path, LogQuery query, ExitStatus status) {

    /** Where the exit status of the pipeline comes from. */
    public enum ExitStatus {
        /** The last command is tail, head, cat or wc: 0. */
        ZERO,
        /** The last command is a grep whose plan ends in a GrepOutput: 0 when it selected a line, else 1. */
        GREP_SELECTED,
        /** The last command is a grep printing its lines unchanged: 0 when it printed any, else 1. */
        GREP_LINES,
        /** The last command is {@code grep -c}, compiled as a count: 0 when the count is not 0, else 1. */
        GREP_COUNT
    }

    public ShellQuery {
        Objects.requireNonNull(path, "path is null");
        Objects.requireNonNull(query, "query is null");
        Objects.requireNonNull(status, "status is null");
    }

    public ShellQuery(String path, LogQuery query) {
        this(path, query, ExitStatus.ZERO);
    }
}
