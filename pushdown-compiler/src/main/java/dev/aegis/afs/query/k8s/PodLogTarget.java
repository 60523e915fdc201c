package dev.aegis.afs.query.k8s;

import java.util.Objects;

/**
 * Which log a read is of: one container of one pod, the current run or the previous one
 * ({@code kubectl logs -p}).
 */
public record PodLogTarget(String namespace, String pod, String container, boolean previous) {

    public PodLogTarget {
        Objects.requireNonNull(namespace, "namespace is null");
        Objects.requireNonNull(pod, "pod is null");
        Objects.requireNonNull(container, "container is null");
    }
}
