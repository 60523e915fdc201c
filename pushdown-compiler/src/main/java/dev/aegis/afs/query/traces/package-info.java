/**
 * Trace listings ({@code traces/<service>/traces.log?since=1h&status=error&tail=20}) compiled to a
 * tracing backend's own search: {@link TraceQueryCompiler} turns path terms into a
 * {@link TraceQuery}; {@link ZipkinSearchCompiler} emits Zipkin API v2 parameters and
 * {@link TraceQlCompiler} Tempo's TraceQL search, each with the residual the core applies to
 * the listing's lines.
 */
package dev.aegis.afs.query.traces;
