/**
 * The {@code cloudwatch} backend: log streams read from CloudWatch Logs with Logs Insights.
 *
 * <p>Only {@link dev.aegis.afs.core.cloudwatch.CloudWatchBackendType} is public; the registry
 * wires it in. Plans are compiled by {@link dev.aegis.afs.query.insights.InsightsCompiler}
 * (whose documentation lists what is pushed exactly, what as a superset, and why FilterLogEvents
 * is not used). A query runs as StartQuery, then GetQueryResults polled every
 * {@code poll_interval} until it completes or {@code query_timeout} passes (then StopQuery).
 * Insights returns at most 10,000 rows a query: more are read in time-split batches (the next
 * query starts at the last timestamp seen; rows already seen there, known by {@code @ptr}, are
 * dropped), up to {@code max_entries}, after which the read is flagged truncated.
 *
 * <p>Credentials come from the SDK's default provider chain (or one injected by tests) and are
 * never read, printed or logged here. Failures: an AWS error is {@code BACKEND_FAILURE} with its
 * status, code and message; no connection or no answer in time is {@code UNAVAILABLE}.
 */
package dev.aegis.afs.core.cloudwatch;
