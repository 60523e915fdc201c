package dev.aegis.afs.workloads;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Deployment, StatefulSet or DaemonSet object, and what scale, restart and set_resources
 * change in it: {@code spec.replicas}; the pod template's {@code kubectl.kubernetes.io/restartedAt}
 * annotation (as {@code kubectl rollout restart} sets it); one container's requests and limits,
 * merged. The cluster agent and the harness's in-process executor both edit workloads through
 * this class, so the two execution paths change an object the same way. Setters change the
 * wrapped object: callers edit a copy ({@link #copy}) and write that.
 */
public final class Workload {

    public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

    private final HasMetadata object;

    public Workload(HasMetadata object) {
        this.object = requireNonNull(object, "object is null");
    }

    /** A deep copy of {@code live}, to change and write without touching what was read. */
    public static Workload copy(HasMetadata live) {
        return new Workload(Serialization.clone(live));
    }

    public HasMetadata object() {
        return object;
    }

    /** {@code spec.replicas}; 1 when unset (the API server's default) or for a DaemonSet. */
    public long replicas() {
        Integer r = object instanceof Deployment d ? d.getSpec().getReplicas()
                : object instanceof StatefulSet s ? s.getSpec().getReplicas() : null;
        return r == null ? 1 : r;
    }

    /** Sets {@code spec.replicas} (a DaemonSet has none: unchanged). */
    public Workload setReplicas(int n) {
        if (object instanceof Deployment d) {
            d.getSpec().setReplicas(n);
        } else if (object instanceof StatefulSet s) {
            s.getSpec().setReplicas(n);
        }
        return this;
    }

    /** The pod template, or null for another kind. */
    public PodTemplateSpec template() {
        return object instanceof Deployment d ? d.getSpec().getTemplate()
                : object instanceof StatefulSet s ? s.getSpec().getTemplate()
                : object instanceof DaemonSet s ? s.getSpec().getTemplate() : null;
    }

    /** The pod template of {@code o}, or null for another kind. */
    public static PodTemplateSpec templateOf(HasMetadata o) {
        return new Workload(o).template();
    }

    /** The template's restartedAt annotation, or null. */
    public String restartedAt() {
        PodTemplateSpec t = template();
        return t == null || t.getMetadata() == null || t.getMetadata().getAnnotations() == null ? null
                : t.getMetadata().getAnnotations().get(RESTARTED_AT);
    }

    /** Stamps the template with restartedAt {@code value}: every pod is replaced, as by kubectl rollout restart. */
    public Workload setRestartedAt(String value) {
        PodTemplateSpec t = template();
        if (t.getMetadata() == null) {
            t.setMetadata(new ObjectMeta());
        }
        if (t.getMetadata().getAnnotations() == null) {
            t.getMetadata().setAnnotations(new HashMap<>());
        }
        t.getMetadata().getAnnotations().put(RESTARTED_AT, value);
        return this;
    }

    /** The template's container {@code name}. */
    public Optional<Container> container(String name) {
        return container(template(), name);
    }

    public static Optional<Container> container(PodTemplateSpec t, String name) {
        if (t == null || t.getSpec() == null || t.getSpec().getContainers() == null) {
            return Optional.empty();
        }
        return t.getSpec().getContainers().stream().filter(c -> name.equals(c.getName())).findFirst();
    }

    /**
     * {@code current} with the quantities of {@code params.requests} and {@code params.limits}
     * (maps of resource name to quantity string) put over it; other resources are kept.
     */
    @SuppressWarnings("unchecked")
    public static ResourceRequirements mergedResources(ResourceRequirements current, Map<String, Object> params) {
        ResourceRequirements r = current == null ? new ResourceRequirements() : Serialization.clone(current);
        for (String section : List.of("requests", "limits")) {
            Object values = params.get(section);
            if (values == null) {
                continue;
            }
            Map<String, Quantity> target = section.equals("requests") ? r.getRequests() : r.getLimits();
            Map<String, Quantity> copy = target == null ? new LinkedHashMap<>() : new LinkedHashMap<>(target);
            ((Map<String, String>) values).forEach((k, v) -> copy.put(k, new Quantity(v)));
            if (section.equals("requests")) {
                r.setRequests(copy);
            } else {
                r.setLimits(copy);
            }
        }
        return r;
    }
}
