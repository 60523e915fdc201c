package dev.aegis.afs.query.shell;

import dev.aegis.afs.query.LogQuery;
import java.util.Objects;

/**
 * A shell-form read: the file the first command names and the plan of the pipeline.
 *
 * @param path  the file as written (a tree path such as {@code /teams/payments/prod/logs/api.log},
 *              a mounted path, possibly with {@code ?terms}); the caller resolves it, and any
 *              path terms run before {@code query}
 * @param query the stages of the pipeline, in order; its time range is always
 *              {@link dev.aegis.afs.query.TimeRange#ALL}
 */
public record ShellQuery(String path, LogQuery query) {

    public ShellQuery {
        Objects.requireNonNull(path, "path is null");
        Objects.requireNonNull(query, "query is null");
    }
}
