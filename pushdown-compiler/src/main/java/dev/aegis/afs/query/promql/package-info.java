/**
 * Compiles reads of a metrics file into Prometheus HTTP API v1 requests: the path terms
 * ({@link dev.aegis.afs.query.promql.MetricQueryCompiler}) into a
 * {@link dev.aegis.afs.query.promql.MetricQuery}, and that, for one configured series, into a
 * {@link dev.aegis.afs.query.promql.MetricPlan} ({@link dev.aegis.afs.query.promql.PromQlEmitter}).
 *
 * <p>Emitted PromQL, for a series {@code {metric: m, match: {job: api}}}:
 * {@code sum by (L) (FN(m{job="api", EXTRA}[R]))}, where {@code EXTRA} are the {@code match=}
 * terms (they select the series read, before the function and the sum), {@code FN(...[R])} comes
 * from {@code fn=} and {@code sum by} from {@code by=}. For a series configured as a PromQL
 * expression, {@code by=} wraps it in a sum, {@code match=} filters its result series locally by
 * their labels (exact, and refused together with {@code by=}), and {@code fn=} is refused.
 *
 * <p>{@code grep=} and {@code grep-v=} match a fixed string against the series text of each
 * result series, {@code name{label="value",...}} with labels sorted and values escaped as in the
 * Prometheus text format; they are always applied locally. Without {@code by=}, a
 * {@code grep-v=label="value"} is also pushed as the matcher {@code label!="value"}, which drops
 * only series the local filter drops too. A positive {@code grep=label="value"} is not pushed:
 * {@code exported_job="api"} contains {@code job="api"}, and the matcher {@code job="api"} would
 * lose that series.
 *
 * <p>Label values are written as double-quoted PromQL strings with Go escapes, so any value
 * (quotes, backslashes, newlines) is matched exactly. Times are RFC 3339, steps Prometheus
 * durations. A range over more than {@code max_points_per_series} points per series (Prometheus
 * refuses more than 11000) gets a wider step, and {@link dev.aegis.afs.query.promql.MetricPlan#adjustment()}
 * says so; the reader shows it as the snapshot's truncation reason.
 */
package dev.aegis.afs.query.promql;
