package dev.aegis.afs.query.pushdown;

/**
 * A backend's own query, as a value. {@link #text()} is what evidence records as
 * {@code user.afs.query}: the exact LogQL, PromQL, Insights query, API parameters or scan plan.
 */
public interface BackendQuery {

    String text();
}
