/**
 * Traces as files: {@code traces/graph} (the service dependency graph), and per service
 * {@code traces/<service>/traces.log} (a listing, its terms pushed down to the tracing backend's
 * search) and {@code <traceId>.txt} / {@code <traceId>.json} (one trace as a span tree and as
 * the backend's spans). The backend is {@code type: zipkin} (Zipkin API v2) or {@code type: tempo}
 * (TraceQL search, OTLP JSON traces, the service graph from its metrics in Prometheus), both
 * behind {@link dev.aegis.afs.core.traces.TraceBackend}.
 */
package dev.aegis.afs.core.traces;
