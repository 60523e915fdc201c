package dev.aegis.afs.query.pushdown;

import dev.aegis.afs.query.LogQuery;
import java.util.Objects;

/**
 * What a backend agreed to run, and what is left for the core to apply locally.
 *
 * <p>The contract (after Trino's {@code applyFilter}): the backend runs {@code query}; the core
 * then applies {@code residual} to the lines it returns, oldest first, and the result equals
 * {@code original} applied to the whole window. A backend that pushes nothing returns its plain
 * "read the window" query and the whole plan as residual. A limit may only be pushed when every
 * stage before it was pushed too; otherwise it stays in the residual.
 *
 * @param query    the backend's own query (LogQL text, a scan plan, API parameters, ...)
 * @param residual the stages (and time range) the backend did not apply
 */
public record Pushdown<Q extends BackendQuery>(Q query, LogQuery residual) {

    public Pushdown {
        Objects.requireNonNull(query, "query is null");
        Objects.requireNonNull(residual, "residual is null");
    }
}
