/**
 * Prometheus behind {@code /teams/<team>/<env>/metrics/}.
 *
 * <ul>
 *   <li>{@link dev.aegis.afs.core.prometheus.PrometheusBackendType} ({@code type: prometheus})
 *       builds a {@link dev.aegis.afs.core.prometheus.PrometheusBackend} around a
 *       {@link dev.aegis.afs.core.prometheus.PrometheusClient} (OkHttp, HTTP API v1, bounded
 *       retries with backoff, credentials never shown).</li>
 *   <li>{@link dev.aegis.afs.core.prometheus.MetricsSection} (the {@code metrics:} key of an env)
 *       shows each configured series as {@code <name>.prom}, {@code .csv} and {@code .tsv} live
 *       files ({@link dev.aegis.afs.core.prometheus.MetricFormat}).</li>
 *   <li>A read compiles the path terms with {@code dev.aegis.afs.query.promql} at read time,
 *       runs the query, applies the local residual (grep on the series text, matchers on an
 *       expression's result), sorts by series text then time, and records the exact request
 *       ({@code query_range?query=...&start=...&end=...&step=...}) as the evidence query, with
 *       bytes received, series and points as stats. A step widened to fit
 *       {@code max_points_per_series} is the evidence's truncation reason.</li>
 * </ul>
 * Caching and single flight are the core's ({@code Captures}).
 */
package dev.aegis.afs.core.prometheus;
