/**
 * Kubernetes behind {@code /teams/<team>/<env>/k8s/}: backend type {@code kubernetes}
 * ({@link dev.aegis.afs.core.k8s.KubernetesBackendType}) and the env section {@code k8s}
 * ({@link dev.aegis.afs.core.k8s.KubernetesSection}). Read-only.
 *
 * <p>Layout:
 * <pre>
 * k8s/
 *   events.log                         namespace events, oldest first (since, grep, tail, type=, reason=, object=)
 *   pods/
 *     &lt;pod&gt;.yaml                       the object, without metadata.managedFields
 *     &lt;pod&gt;.describe                   kubectl describe, with the pod's events at the end
 *     &lt;pod&gt;/logs/&lt;container&gt;.log          current log (tail, since, grep, timestamps=true, ...)
 *     &lt;pod&gt;/logs/&lt;container&gt;.previous.log the run before the last restart
 *   deployments/ statefulsets/ daemonsets/ services/ events/ [nodes/] [configmaps/]
 *     &lt;name&gt;.yaml  &lt;name&gt;.describe
 * </pre>
 * A pod is both a file pair ({@code x.yaml}, {@code x.describe}) and a directory ({@code x/}):
 * object names never end in our suffixes' form of a sibling, so the names cannot collide.
 *
 * <p>Selectors: look up {@code <kind>?label=app=api&field=status.phase=Failed} (shorthands:
 * {@code phase=}, {@code node=} for pods; {@code type=}, {@code reason=}, {@code object=},
 * {@code kind=} for events) to get a directory that lists only the matching objects, e.g.
 * {@code ls 'k8s/pods?label=app=payment-api&phase=Failed'}. It is not listed in {@code k8s/}
 * (there is one per query); its files are the same files, with the same tree paths, as under
 * {@code pods/}. The selectors are sent to the API server and re-checked locally (the same test,
 * {@link dev.aegis.afs.query.k8s.ObjectSelector#matches}), so a server that ignores a term cannot
 * widen a listing. A {@code /} inside a term (label keys such as {@code app.kubernetes.io/name})
 * must be written {@code %2F}, since a file name cannot hold a slash; spaces are {@code %20}.
 *
 * <p>Pod logs: {@code tail} becomes {@code tailLines}, the start of the window {@code sinceTime},
 * {@code timestamps=true} stamps lines; grep, head and the end of the window run locally (see
 * {@link dev.aegis.afs.query.k8s.PodLogCompiler}). Evidence records the exact call, e.g.
 * {@code GET /api/v1/namespaces/p/pods/x/log?container=api&tailLines=50}, followed by
 * {@code | <residual>} when something ran locally.
 *
 * <p>Every file read is a {@link dev.aegis.afs.core.tree.LiveFile}, so it is captured as
 * evidence, with the exact API calls as its query. Directory listings are cached for the
 * backend's {@code cache_ttl} (at least one second) so {@code ls -R} and {@code find} are quick.
 * Secrets are never shown, and ConfigMap data only with {@code configmaps: true}.
 */
package dev.aegis.afs.core.k8s;
