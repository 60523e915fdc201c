package dev.aegis.afs.query.pushdown;

import dev.aegis.afs.query.LogQuery;

/**
 * Turns a plan into one backend's query plus the residual. Pure: no I/O, deterministic, so
 * every emitted query has a golden test.
 */
@FunctionalInterface
public interface PushdownCompiler<Q extends BackendQuery> {

    Pushdown<Q> compile(LogQuery plan);
}
