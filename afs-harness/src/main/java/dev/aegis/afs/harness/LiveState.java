package dev.aegis.afs.harness;

import dev.aegis.afs.harness.ChangeRequest.Target;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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

    /** An Ingress that routes to one of the target's Services: outside traffic that depends on it. */
    record IngressRoute(String name, List<String> hosts, String service) {
        public IngressRoute {
            Objects.requireNonNull(name, "name is null");
            hosts = List.copyOf(hosts);
            Objects.requireNonNull(service, "service is null");
        }
    }

    /**
     * What routes to the target's pods: the Services whose selector matches its pod labels (the
     * names other services call it by, in traces too), and the Ingresses routing to those.
     */
    record Routing(List<String> services, List<IngressRoute> ingresses) {
        public static final Routing NONE = new Routing(List.of(), List.of());

        public Routing {
            services = List.copyOf(services);
            ingresses = List.copyOf(ingresses);
        }
    }

    /** One rollout of a Deployment: a ReplicaSet revision, when it was created, its images. */
    record Rollout(long revision, Instant at, String images) {
        public Rollout {
            Objects.requireNonNull(at, "at is null");
            Objects.requireNonNull(images, "images is null");
        }
    }

    /** The Services and Ingresses routing to the target's pods; none where the cluster cannot say. */
    default Routing routing(Target t, String ns) throws Cluster.TargetMissing {
        return Routing.NONE;
    }

    /** The target's rollouts (a Deployment's ReplicaSet revisions), oldest first; none for other kinds. */
    default List<Rollout> rollouts(Target t, String ns) throws Cluster.TargetMissing {
        return List.of();
    }
}
