package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.harness.ChangeRequest.Action;
import dev.aegis.afs.harness.ChangeRequest.Target;
import dev.aegis.afs.harness.ChangeRequest.Tool;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import dev.aegis.afs.workloads.Workload;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Everything the harness does to Kubernetes, through fabric8. Each action has a before-state
 * (what rollback restores), a marker (how to tell after a crash whether the call took effect)
 * and a dry-run form (server-side {@code dryRun=All}) whose would-be object is diffed.
 */
public final class Cluster implements LiveState {

    static final String RESTARTED_AT = Workload.RESTARTED_AT;
    private static final String REVISION = "deployment.kubernetes.io/revision";

    private final KubernetesClient client;

    public Cluster(KubernetesClient client) {
        this.client = requireNonNull(client, "client is null");
    }

    /** A target that does not exist (or not where the request says). */
    public static final class TargetMissing extends Exception {
        TargetMissing(Target t, String namespace) {
            super(t.kind() + " " + namespace + "/" + t.name() + " does not exist; check target.name and target.namespace");
        }
    }

    /** Live state the guardrails see as {@code target}. Every key is present. */
    @Override
    public Map<String, Object> liveState(Target t, String ns) throws TargetMissing {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", t.kind());
        out.put("name", t.name());
        out.put("namespace", ns);
        out.put("exists", true);
        long replicas;
        long ready;
        long atOnce;
        PodTemplateSpec template = null;
        switch (t.kind()) {
            case "Deployment" -> {
                Deployment d = deployment(t, ns);
                replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                ready = d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas();
                IntOrString mu = d.getSpec().getStrategy() == null || d.getSpec().getStrategy().getRollingUpdate() == null
                        ? null : d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable();
                atOnce = Math.max(1, resolve(mu == null ? new IntOrString("25%") : mu, replicas)) + Math.max(0, replicas - ready);
                template = d.getSpec().getTemplate();
            }
            case "StatefulSet" -> {
                StatefulSet s = statefulSet(t, ns);
                replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
                ready = s.getStatus() == null || s.getStatus().getReadyReplicas() == null ? 0 : s.getStatus().getReadyReplicas();
                atOnce = 1 + Math.max(0, replicas - ready);
                template = s.getSpec().getTemplate();
            }
            case "DaemonSet" -> {
                DaemonSet s = daemonSet(t, ns);
                replicas = s.getStatus() == null || s.getStatus().getDesiredNumberScheduled() == null ? 0
                        : s.getStatus().getDesiredNumberScheduled();
                ready = s.getStatus() == null || s.getStatus().getNumberReady() == null ? 0 : s.getStatus().getNumberReady();
                atOnce = 1 + Math.max(0, replicas - ready);
                template = s.getSpec().getTemplate();
            }
            default -> {
                Pod p = pod(t, ns);
                List<Pod> siblings = siblings(p, ns);
                replicas = siblings.size();
                ready = siblings.stream().filter(Cluster::ready).count();
                atOnce = 1 + siblings.stream().filter(s -> !s.getMetadata().getName().equals(p.getMetadata().getName()))
                        .filter(s -> !ready(s)).count();
            }
        }
        out.put("replicas", replicas);
        out.put("ready_replicas", ready);
        out.put("pods_at_once", atOnce);
        long memory = 0;
        if (template != null && t.container().isPresent()) {
            memory = Workload.container(template, t.container().get()).map(c -> bytes(c.getResources(), "limits", "memory")).orElse(0L);
        }
        out.put("memory_limit_bytes", memory);
        return out;
    }

    /** What rollback restores, read before the action runs. */
    public ObjectNode beforeState(Action a, String ns) throws TargetMissing {
        ObjectNode before = Ledger.JSON.createObjectNode();
        Target t = a.target();
        switch (a.tool()) {
            case SCALE -> before.put("replicas", replicas(t, ns));
            case RESTART -> {
                String v = template(t, ns).getMetadata() == null || template(t, ns).getMetadata().getAnnotations() == null
                        ? null : template(t, ns).getMetadata().getAnnotations().get(RESTARTED_AT);
                before.put("restarted_at", v);
            }
            case SET_RESOURCES -> {
                Container c = Workload.container(template(t, ns), t.container().orElseThrow())
                        .orElseThrow(() -> new TargetMissing(t, ns));
                before.put("container", c.getName());
                before.set("resources", Ledger.JSON.valueToTree(c.getResources() == null ? new ResourceRequirements() : c.getResources()));
            }
            case UNDO -> before.set("template", Ledger.JSON.valueToTree(deployment(t, ns).getSpec().getTemplate()));
            case DELETE_POD -> before.put("uid", pod(t, ns).getMetadata().getUid());
        }
        if (a.tool() != Tool.DELETE_POD) {
            before.put(RESOURCE_VERSION, workload(t, ns).getMetadata().getResourceVersion());
        }
        return before;
    }

    /**
     * Runs the action (or dry-runs it) and returns what changed: {@code {"diff": {...}}} with
     * before and after of the fields the action touches.
     */
    public ObjectNode execute(Action a, String ns, String marker, ObjectNode before, boolean dryRun) throws TargetMissing {
        Target t = a.target();
        ObjectNode out = Ledger.JSON.createObjectNode();
        out.put("dry_run", dryRun);
        switch (a.tool()) {
            case SCALE -> {
                long n = (Long) a.params().get("replicas");
                HasMetadata after = edit(t, ns, dryRun, o -> new Workload(o).setReplicas((int) n).object(), checked(before));
                out.set("diff", diff("spec.replicas", before.get("replicas"), Ledger.JSON.valueToTree(new Workload(after).replicas())));
            }
            case RESTART -> {
                HasMetadata after = edit(t, ns, dryRun, o -> new Workload(o).setRestartedAt(marker).object(), checked(before));
                out.set("diff", diff("spec.template.metadata.annotations." + RESTARTED_AT, before.get("restarted_at"),
                        Ledger.JSON.valueToTree(new Workload(after).restartedAt())));
            }
            case SET_RESOURCES -> {
                String name = t.container().orElseThrow();
                HasMetadata after = edit(t, ns, dryRun, o -> {
                    Container c = Workload.container(Workload.templateOf(o), name).orElseThrow();
                    c.setResources(Workload.mergedResources(c.getResources(), a.params()));
                    return o;
                }, checked(before));
                out.set("diff", diff("containers." + name + ".resources", before.get("resources"),
                        Ledger.JSON.valueToTree(Workload.container(Workload.templateOf(after), name).map(Container::getResources).orElse(null))));
            }
            case UNDO -> {
                PodTemplateSpec previous = previousTemplate(t, ns, Optional.ofNullable((Long) a.params().get("to_revision")));
                HasMetadata after = edit(t, ns, dryRun, o -> {
                    ((Deployment) o).getSpec().setTemplate(previous);
                    return o;
                }, checked(before));
                out.set("diff", diff("spec.template", before.get("template"), Ledger.JSON.valueToTree(Workload.templateOf(after))));
            }
            case DELETE_POD -> {
                if (dryRun) {
                    client.pods().inNamespace(ns).withName(t.name()).dryRun().delete();
                } else {
                    client.pods().inNamespace(ns).withName(t.name()).delete();
                }
                out.set("diff", diff("pod " + t.name(), before.get("uid"), null));
            }
        }
        return out;
    }

    /** A value that shows, after a crash, that this action already took effect. */
    public String marker(Action a, ObjectNode before, java.time.Instant now) {
        return switch (a.tool()) {
            case SCALE -> String.valueOf(a.params().get("replicas"));
            case RESTART -> now.toString();
            case SET_RESOURCES -> Ledger.JSON.valueToTree(a.params()).toString();
            case UNDO -> "undo";
            case DELETE_POD -> before.path("uid").asText();
        };
    }

    /** Whether the action with this marker has already taken effect (used when resuming after a crash). */
    public boolean applied(Action a, String ns, String marker, ObjectNode before) {
        Target t = a.target();
        try {
            return switch (a.tool()) {
                case SCALE -> String.valueOf(replicas(t, ns)).equals(marker);
                case RESTART -> marker.equals(new Workload(workload(t, ns)).restartedAt());
                case SET_RESOURCES -> {
                    ResourceRequirements live = Workload.container(template(t, ns), t.container().orElseThrow()).map(Container::getResources)
                            .orElse(null);
                    ResourceRequirements beforeRes = Serialization.unmarshal(before.get("resources").toString(), ResourceRequirements.class);
                    yield live != null && live.equals(Workload.mergedResources(beforeRes, a.params()));
                }
                case UNDO -> !Objects.equals(Ledger.JSON.valueToTree(template(t, ns)), before.get("template"));
                case DELETE_POD -> {
                    Pod p = client.pods().inNamespace(ns).withName(t.name()).get();
                    yield p == null || !marker.equals(p.getMetadata().getUid());
                }
            };
        } catch (TargetMissing e) {
            return false;
        }
    }

    /** Puts back what {@link #beforeState} recorded. Restart and delete_pod have nothing to restore. */
    public Optional<String> restore(Action a, String ns, ObjectNode before) throws TargetMissing {
        Target t = a.target();
        switch (a.tool()) {
            case SCALE -> edit(t, ns, false, o -> new Workload(o).setReplicas(before.get("replicas").asInt()).object());
            case SET_RESOURCES -> {
                ResourceRequirements res = Serialization.unmarshal(before.get("resources").toString(), ResourceRequirements.class);
                edit(t, ns, false, o -> {
                    Workload.container(Workload.templateOf(o), before.get("container").asText()).orElseThrow().setResources(res);
                    return o;
                });
            }
            case UNDO -> {
                PodTemplateSpec tpl = Serialization.unmarshal(before.get("template").toString(), PodTemplateSpec.class);
                edit(t, ns, false, o -> {
                    ((Deployment) o).getSpec().setTemplate(tpl);
                    return o;
                });
            }
            case RESTART, DELETE_POD -> {
                return Optional.of(a.tool().wireName() + " cannot be undone; nothing to restore");
            }
        }
        return Optional.empty();
    }

    /** Whether the workload's pods are all ready. */
    @Override
    public boolean podsReady(Target t, String ns) throws TargetMissing {
        Map<String, Object> s = liveState(t, ns);
        long replicas = (Long) s.get("replicas");
        return (Long) s.get("ready_replicas") >= replicas;
    }

    // ---- fabric8 plumbing ----

    /** The target changed after the re-check: nothing was written. */
    public static final class TargetChanged extends IllegalStateException {
        TargetChanged(String message) {
            super(message);
        }

        /** Whether {@code e} says the write was refused before anything changed (ours, or the API server's 409). */
        static boolean nothingWritten(Exception e) {
            return e instanceof TargetChanged || (e instanceof KubernetesClientException k && k.getCode() == 409);
        }
    }

    /** The before-state's key for the workload's resourceVersion, read right after the re-check. */
    static final String RESOURCE_VERSION = "resource_version";

    private static Optional<String> checked(ObjectNode before) {
        return Optional.ofNullable(before.path(RESOURCE_VERSION).asText(null));
    }

    private HasMetadata edit(Target t, String ns, boolean dryRun, UnaryOperator<HasMetadata> change) throws TargetMissing {
        return edit(t, ns, dryRun, change, Optional.empty());
    }

    /**
     * With {@code checked}, the resourceVersion read right after the gates were re-checked: a
     * target that changed since is refused here, and the write is a PUT carrying that
     * resourceVersion, so the API server refuses (409) a change that lands in between.
     */
    private HasMetadata edit(Target t, String ns, boolean dryRun, UnaryOperator<HasMetadata> change,
                             Optional<String> checked) throws TargetMissing {
        HasMetadata live = workload(t, ns);
        if (checked.isPresent()) {
            String now = live.getMetadata().getResourceVersion();
            if (!checked.get().equals(now)) {
                throw new TargetChanged(t.kind() + " " + ns + "/" + t.name() + " changed after the gates were"
                        + " re-checked (resourceVersion " + checked.get() + ", now " + now + "); nothing was changed:"
                        + " submit the plan again so its gates run against the current object");
            }
            if (!dryRun) { // a dry run changes nothing, so it needs no lock
                return client.resource(change.apply(live)).inNamespace(ns).update();
            }
        }
        return switch (t.kind()) {
            case "Deployment" -> dryRun
                    ? client.apps().deployments().inNamespace(ns).withName(t.name()).dryRun().edit(d -> (Deployment) change.apply(d))
                    : client.apps().deployments().inNamespace(ns).withName(t.name()).edit(d -> (Deployment) change.apply(d));
            case "StatefulSet" -> dryRun
                    ? client.apps().statefulSets().inNamespace(ns).withName(t.name()).dryRun().edit(d -> (StatefulSet) change.apply(d))
                    : client.apps().statefulSets().inNamespace(ns).withName(t.name()).edit(d -> (StatefulSet) change.apply(d));
            case "DaemonSet" -> dryRun
                    ? client.apps().daemonSets().inNamespace(ns).withName(t.name()).dryRun().edit(d -> (DaemonSet) change.apply(d))
                    : client.apps().daemonSets().inNamespace(ns).withName(t.name()).edit(d -> (DaemonSet) change.apply(d));
            default -> throw new IllegalArgumentException("cannot edit a " + t.kind());
        };
    }

    private HasMetadata workload(Target t, String ns) throws TargetMissing {
        return switch (t.kind()) {
            case "Deployment" -> deployment(t, ns);
            case "StatefulSet" -> statefulSet(t, ns);
            case "DaemonSet" -> daemonSet(t, ns);
            default -> pod(t, ns);
        };
    }

    private Deployment deployment(Target t, String ns) throws TargetMissing {
        return found(client.apps().deployments().inNamespace(ns).withName(t.name()).get(), t, ns);
    }

    private StatefulSet statefulSet(Target t, String ns) throws TargetMissing {
        return found(client.apps().statefulSets().inNamespace(ns).withName(t.name()).get(), t, ns);
    }

    private DaemonSet daemonSet(Target t, String ns) throws TargetMissing {
        return found(client.apps().daemonSets().inNamespace(ns).withName(t.name()).get(), t, ns);
    }

    private Pod pod(Target t, String ns) throws TargetMissing {
        return found(client.pods().inNamespace(ns).withName(t.name()).get(), t, ns);
    }

    private static <T> T found(T value, Target t, String ns) throws TargetMissing {
        if (value == null) {
            throw new TargetMissing(t, ns);
        }
        return value;
    }

    private long replicas(Target t, String ns) throws TargetMissing {
        return new Workload(workload(t, ns)).replicas();
    }

    private PodTemplateSpec template(Target t, String ns) throws TargetMissing {
        return Workload.templateOf(workload(t, ns));
    }

    /** Bytes of {@code resources.<section>.<name>}, 0 when unset. */
    static long bytes(ResourceRequirements r, String section, String name) {
        if (r == null) {
            return 0;
        }
        Map<String, Quantity> m = section.equals("limits") ? r.getLimits() : r.getRequests();
        if (m == null || m.get(name) == null) {
            return 0;
        }
        BigDecimal b = Quantity.getAmountInBytes(m.get(name));
        return b.longValue();
    }

    static long bytes(String quantity) {
        return Quantity.getAmountInBytes(new Quantity(quantity)).longValue();
    }

    private static long resolve(IntOrString v, long replicas) {
        if (v.getIntVal() != null) {
            return v.getIntVal();
        }
        String s = v.getStrVal();
        if (s != null && s.endsWith("%")) {
            try {
                return (long) Math.floor(replicas * Integer.parseInt(s.substring(0, s.length() - 1)) / 100.0);
            } catch (NumberFormatException e) {
                return replicas;
            }
        }
        return replicas;
    }

    private List<Pod> siblings(Pod p, String ns) {
        List<OwnerReference> owners = p.getMetadata().getOwnerReferences();
        if (owners == null || owners.isEmpty()) {
            return List.of(p);
        }
        String uid = owners.get(0).getUid();
        return client.pods().inNamespace(ns).list().getItems().stream()
                .filter(s -> s.getMetadata().getOwnerReferences() != null
                        && s.getMetadata().getOwnerReferences().stream().anyMatch(o -> Objects.equals(o.getUid(), uid)))
                .toList();
    }

    private static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private PodTemplateSpec previousTemplate(Target t, String ns, Optional<Long> toRevision) throws TargetMissing {
        Deployment d = deployment(t, ns);
        List<ReplicaSet> owned = client.apps().replicaSets().inNamespace(ns).list().getItems().stream()
                .filter(rs -> rs.getMetadata().getOwnerReferences() != null && rs.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> Objects.equals(o.getUid(), d.getMetadata().getUid())))
                .filter(rs -> revision(rs) > 0)
                .sorted(Comparator.comparingLong(Cluster::revision).reversed())
                .toList();
        Optional<ReplicaSet> pick = toRevision.isPresent()
                ? owned.stream().filter(rs -> revision(rs) == toRevision.get()).findFirst()
                : owned.stream().skip(1).findFirst();
        ReplicaSet rs = pick.orElseThrow(() -> new IllegalStateException("deployment " + ns + "/" + t.name()
                + " has no " + (toRevision.isPresent() ? "revision " + toRevision.get() : "previous revision")
                + " to undo to; check `kubectl rollout history`"));
        PodTemplateSpec tpl = Serialization.clone(rs.getSpec().getTemplate());
        if (tpl.getMetadata() != null && tpl.getMetadata().getLabels() != null) {
            Map<String, String> labels = new LinkedHashMap<>(tpl.getMetadata().getLabels());
            labels.remove("pod-template-hash");
            tpl.getMetadata().setLabels(labels);
        }
        return tpl;
    }

    @Override
    public Routing routing(Target t, String ns) throws TargetMissing {
        Map<String, String> labels = podLabels(t, ns);
        List<String> services = client.services().inNamespace(ns).list().getItems().stream()
                .filter(s -> s.getSpec() != null && s.getSpec().getSelector() != null && !s.getSpec().getSelector().isEmpty()
                        && labels.entrySet().containsAll(s.getSpec().getSelector().entrySet()))
                .map(s -> s.getMetadata().getName()).sorted().toList();
        List<IngressRoute> ingresses = new java.util.ArrayList<>();
        for (Ingress ing : client.network().v1().ingresses().inNamespace(ns).list().getItems()) {
            if (ing.getSpec() == null) {
                continue;
            }
            List<String> hosts = ing.getSpec().getRules() == null ? List.of() : ing.getSpec().getRules().stream()
                    .map(IngressRule::getHost).filter(Objects::nonNull).distinct().sorted().toList();
            java.util.Set<String> backends = new java.util.TreeSet<>();
            if (ing.getSpec().getDefaultBackend() != null && ing.getSpec().getDefaultBackend().getService() != null) {
                backends.add(ing.getSpec().getDefaultBackend().getService().getName());
            }
            if (ing.getSpec().getRules() != null) {
                for (IngressRule rule : ing.getSpec().getRules()) {
                    if (rule.getHttp() != null && rule.getHttp().getPaths() != null) {
                        rule.getHttp().getPaths().stream().filter(path -> path.getBackend() != null
                                        && path.getBackend().getService() != null)
                                .forEach(path -> backends.add(path.getBackend().getService().getName()));
                    }
                }
            }
            backends.stream().filter(services::contains).findFirst()
                    .ifPresent(svc -> ingresses.add(new IngressRoute(ing.getMetadata().getName(), hosts, svc)));
        }
        ingresses.sort(Comparator.comparing(IngressRoute::name));
        return new Routing(services, ingresses);
    }

    /** The labels of the target's pods: its pod template's, or the pod's own. */
    private Map<String, String> podLabels(Target t, String ns) throws TargetMissing {
        Map<String, String> labels = t.kind().equals("Pod") ? pod(t, ns).getMetadata().getLabels()
                : template(t, ns).getMetadata() == null ? null : template(t, ns).getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    @Override
    public List<Rollout> rollouts(Target t, String ns) throws TargetMissing {
        if (!t.kind().equals("Deployment")) {
            return List.of();
        }
        Deployment d = deployment(t, ns);
        return client.apps().replicaSets().inNamespace(ns).list().getItems().stream()
                .filter(rs -> rs.getMetadata().getOwnerReferences() != null && rs.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> Objects.equals(o.getUid(), d.getMetadata().getUid())))
                .filter(rs -> revision(rs) > 0 && rs.getMetadata().getCreationTimestamp() != null)
                .sorted(Comparator.comparingLong(Cluster::revision))
                .map(rs -> new Rollout(revision(rs), java.time.Instant.parse(rs.getMetadata().getCreationTimestamp()),
                        rs.getSpec() == null || rs.getSpec().getTemplate() == null || rs.getSpec().getTemplate().getSpec() == null
                                ? "" : String.join(",", rs.getSpec().getTemplate().getSpec().getContainers().stream()
                                .map(Container::getImage).filter(Objects::nonNull).toList())))
                .toList();
    }

    private static long revision(ReplicaSet rs) {
        Map<String, String> a = rs.getMetadata().getAnnotations();
        try {
            return a == null || a.get(REVISION) == null ? 0 : Long.parseLong(a.get(REVISION));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static ObjectNode diff(String field, JsonNode before, JsonNode after) {
        ObjectNode d = Ledger.JSON.createObjectNode();
        d.put("field", field);
        d.set("before", before);
        d.set("after", after);
        return d;
    }
}
