package dev.aegis.afs.harness;

import dev.aegis.afs.harness.ChangeRequest.Target;
import java.util.Map;

/**
 * The live target as the gates and the verify step see it: reads only. In process it is the
 * harness's own {@link Cluster}; with execution: agents it is a {@link Cluster} over the
 * read-only credentials of the mount's Kubernetes backend, so the control plane holds nothing
 * that could write.
 */
public interface LiveState {

    /** Live state the guardrails see as {@code target}. Every key is present. */
    Map<String, Object> liveState(Target t, String ns) throws Cluster.TargetMissing;

    /** Whether the workload's pods are all ready. */
    boolean podsReady(Target t, String ns) throws Cluster.TargetMissing;
}
