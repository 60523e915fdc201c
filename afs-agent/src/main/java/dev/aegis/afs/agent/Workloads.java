package dev.aegis.afs.agent;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.intent.Action.Target;
import dev.aegis.afs.intent.JsonValues;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import dev.aegis.afs.workloads.Workload;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent does to Kubernetes, through fabric8. The edits themselves are afs-workloads'
 * {@link Workload}, which the harness's in-process executor uses too: scale sets {@code spec.replicas}, restart
 * stamps {@code kubectl.kubernetes.io/restartedAt} on the pod template (as
 * {@code kubectl rollout restart} does), set_resources merges requests/limits into one
 * container. Every write is an update of the very object the local policy was evaluated
 * against, carrying its resourceVersion: if anything changed it since, the API server answers
 * 409 and nothing happens.
 */
public final class Workloads {

    static final String RESTARTED_AT = Workload.RESTARTED_AT;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The actions this agent runs. Others are refused before anything is read. */
    public enum Tool {
        SCALE("scale"), RESTART("restart"), SET_RESOURCES("set_resources");

        private final String wire;

        Tool(String wire) {
            this.wire = wire;
        }

        public String wireName() {
            return wire;
        }

        public static Optional<Tool> of(String wire) {
            for (Tool t : values()) {
                if (t.wire.equals(wire)) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    }

    /** Parameters that do not fit the tool: refused before anything is sent. */
    public static final class BadParameters extends Exception {
        BadParameters(String message) {
            super(message);
        }
    }

    /** Ready pods against the pods wanted. */
    public record Readiness(long ready, long wanted) {
        public boolean allReady() {
            return ready >= wanted;
        }
    }

    private final KubernetesClient client;

    public Workloads(KubernetesClient client) {
        this.client = requireNonNull(client, "client is null");
    }

    /** Checks the parameters before any request: scale needs replicas >= 0, set_resources a container and requests/limits. */
    public static void check(Tool tool, Target t, Map<String, Object> params) throws BadParameters {
        switch (tool) {
            case SCALE -> {
                if (!(params.get("replicas") instanceof Long n) || n < 0 || n > 10_000) {
                    throw new BadParameters("scale needs parameters.replicas, a whole number from 0 to 10000, not "
                            + params.get("replicas"));
                }
                if (t.kind().equals("DaemonSet")) {
                    throw new BadParameters("a DaemonSet cannot be scaled");
                }
            }
            case RESTART -> {
            }
            case SET_RESOURCES -> {
                if (t.container().isEmpty()) {
                    throw new BadParameters("set_resources needs target.container");
                }
                for (String section : List.of("requests", "limits")) {
                    Object v = params.get(section);
                    if (v != null && !(v instanceof Map<?, ?> m && m.values().stream().allMatch(x -> x instanceof String))) {
                        throw new BadParameters("set_resources parameters." + section + " must map resource names to quantities"
                                + " (strings such as \"512Mi\")");
                    }
                }
                if (params.get("requests") == null && params.get("limits") == null) {
                    throw new BadParameters("set_resources needs parameters.requests or parameters.limits");
                }
            }
        }
        if (!List.of("Deployment", "StatefulSet", "DaemonSet").contains(t.kind())) {
            throw new BadParameters("this agent acts on Deployment, StatefulSet or DaemonSet, not " + t.kind());
        }
    }

    /** The live object, as the API server has it now. */
    public Optional<HasMetadata> read(Target t) {
        return Optional.ofNullable(switch (t.kind()) {
            case "Deployment" -> client.apps().deployments().inNamespace(t.namespace()).withName(t.name()).get();
            case "StatefulSet" -> client.apps().statefulSets().inNamespace(t.namespace()).withName(t.name()).get();
            case "DaemonSet" -> client.apps().daemonSets().inNamespace(t.namespace()).withName(t.name()).get();
            default -> null;
        });
    }

    /** The object as CEL sees it: its JSON form, whole numbers as int (Long). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> asMap(HasMetadata o) {
        try {
            return (Map<String, Object>) JsonValues.plain(JSON.readTree(Serialization.asJson(o)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("fabric8 wrote JSON that does not parse", e);
        }
    }

    /**
     * Applies {@code tool} to a copy of {@code live} and writes it with live's resourceVersion
     * (server-side dry run when {@code dryRun}). Returns the diff of the fields touched.
     */
    public ObjectNode apply(Tool tool, Target t, Map<String, Object> params, HasMetadata live, String marker, boolean dryRun) {
        HasMetadata copy = Serialization.clone(live);
        ObjectNode diff = JSON.createObjectNode();
        switch (tool) {
            case SCALE -> {
                diff.put("field", "spec.replicas");
                diff.put("before", new Workload(live).replicas());
                new Workload(copy).setReplicas(((Long) params.get("replicas")).intValue());
            }
            case RESTART -> {
                diff.put("field", "spec.template.metadata.annotations." + RESTARTED_AT);
                diff.put("before", new Workload(live).restartedAt());
                new Workload(copy).setRestartedAt(marker);
            }
            case SET_RESOURCES -> {
                String name = t.container().orElseThrow();
                diff.put("field", "containers." + name + ".resources");
                Container c = new Workload(copy).container(name).orElseThrow(() -> new IllegalStateException(
                        t + " has no container " + name));
                diff.set("before", JSON.valueToTree(c.getResources()));
                c.setResources(Workload.mergedResources(c.getResources(), params));
            }
        }
        HasMetadata after = client.resource(copy).dryRun(dryRun).update();
        switch (tool) {
            case SCALE -> diff.put("after", new Workload(after).replicas());
            case RESTART -> diff.put("after", new Workload(after).restartedAt());
            case SET_RESOURCES -> diff.set("after", JSON.valueToTree(new Workload(after).container(t.container().orElseThrow())
                    .map(Container::getResources).orElse(null)));
        }
        diff.put("resource_version_before", live.getMetadata().getResourceVersion());
        diff.put("resource_version_after", after.getMetadata().getResourceVersion());
        return diff;
    }

    /** Whether the action with {@code marker} shows in the live object (after a restart mid-action). */
    public boolean applied(Tool tool, Target t, Map<String, Object> params, String marker) {
        Optional<HasMetadata> live = read(t);
        if (live.isEmpty()) {
            return false;
        }
        return switch (tool) {
            case SCALE -> new Workload(live.get()).replicas() == (Long) params.get("replicas");
            case RESTART -> marker.equals(new Workload(live.get()).restartedAt());
            case SET_RESOURCES -> new Workload(live.get()).container(t.container().orElseThrow())
                    .map(c -> c.getResources() != null && c.getResources().equals(Workload.mergedResources(c.getResources(), params)))
                    .orElse(false);
        };
    }

    /** Ready pods of the workload now. */
    public Readiness readiness(Target t) {
        HasMetadata o = read(t).orElse(null);
        if (o instanceof Deployment d) {
            return new Readiness(d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas(),
                    new Workload(d).replicas());
        }
        if (o instanceof StatefulSet s) {
            return new Readiness(s.getStatus() == null || s.getStatus().getReadyReplicas() == null ? 0 : s.getStatus().getReadyReplicas(),
                    new Workload(s).replicas());
        }
        if (o instanceof DaemonSet s && s.getStatus() != null) {
            return new Readiness(s.getStatus().getNumberReady() == null ? 0 : s.getStatus().getNumberReady(),
                    s.getStatus().getDesiredNumberScheduled() == null ? 0 : s.getStatus().getDesiredNumberScheduled());
        }
        return new Readiness(0, 1);
    }

}
