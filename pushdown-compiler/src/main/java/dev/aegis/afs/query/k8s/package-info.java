/**
 * The pure part of the Kubernetes source: pod log reads compiled to pod log API calls plus the
 * residual ({@link dev.aegis.afs.query.k8s.PodLogCompiler}), and label and field selector terms
 * of kind listings ({@link dev.aegis.afs.query.k8s.SelectorTerms}) compiled to
 * {@code labelSelector} / {@code fieldSelector} with the API server's matching semantics
 * ({@link dev.aegis.afs.query.k8s.ObjectSelector#matches}).
 */
package dev.aegis.afs.query.k8s;
