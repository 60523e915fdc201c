/**
 * The {@code loki} backend: log streams read from Grafana Loki's {@code query_range} API.
 *
 * <p>Only {@link dev.aegis.afs.core.loki.LokiBackendType} is public; the registry wires it in.
 * Plans are compiled by {@link dev.aegis.afs.query.logql.LogQlCompiler}; this package fetches
 * them: bounded retries with backoff for 429/5xx and network failures, results beyond Loki's
 * per-query cap read in time-split batches as {@code logcli --batch} does (the next batch starts
 * at the last timestamp seen; entries already seen at that timestamp are dropped), up to
 * {@code max_entries}, after which {@link dev.aegis.afs.core.source.ReadStats#truncation} says so.
 *
 * <p>Failures: an HTTP error or an unreadable body is {@code BACKEND_FAILURE}, a refused
 * connection or a timeout is {@code UNAVAILABLE}; the reason reads
 * {@code loki <name> (<host:port>): HTTP 500: <first line of body>}. Credentials are read once
 * when the backend is built and are removed from every message.
 */
package dev.aegis.afs.core.loki;
