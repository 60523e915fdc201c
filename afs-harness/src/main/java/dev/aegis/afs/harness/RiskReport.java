package dev.aegis.afs.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.aegis.afs.core.traces.ServiceGraph;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a change request risks, computed before its approvals: for each action
 * <ul>
 * <li>the blast radius: who depends on the target, from the service graph (callers of the
 *     workload's name or of a Kubernetes Service selecting its pods, with their share of its
 *     traffic) and from Kubernetes (the Ingresses routing outside traffic to those Services);</li>
 * <li>the recent changes to the target: commits in the env's configuration repository that name
 *     it, and its rollouts (a Deployment's ReplicaSet revisions);</li>
 * <li>the counterfactual impact: the services affected, the pods down at once by the rollout
 *     strategy (maxUnavailable and unready pods included), and the failure rate of the same
 *     action on similar targets (same tool, kind and namespace) in the ledger.</li>
 * </ul>
 * Shown at {@code /change_requests/<id>.risk} (YAML). A wide blast radius ({@link RiskPolicy#wideBlastRadius}
 * dependants or more) or a poor history adds one approval ({@link ApprovalPolicy}). When the graph
 * cannot be read the radius is unknown and counted as wide (fail closed); an env without
 * {@code traces:} has no graph, and the report says so.
 */
public record RiskReport(String graphSource, Optional<String> graphProblem, String configSource, List<String> unread,
                         RiskPolicy policy, List<ActionRisk> actions) {

    /** How the blast radius is known: from the graph; not at all (the env has no traces:); or not now (fail closed). */
    public enum Radius { KNOWN, NO_TRACES, UNREADABLE }

    /**
     * One dependant of the target.
     *
     * @param via   {@code traces} (a caller in the service graph) or {@code ingress} (outside traffic)
     * @param hosts an Ingress's hosts (empty for callers)
     */
    public record Dependant(String service, String via, long calls, long errors, double trafficShare, List<String> hosts) {
        public Dependant {
            Objects.requireNonNull(service, "service is null");
            Objects.requireNonNull(via, "via is null");
            hosts = List.copyOf(hosts);
        }

        /** A caller in the service graph. */
        static Dependant caller(String service, long calls, long errors, double share) {
            return new Dependant(service, "traces", calls, errors, share, List.of());
        }

        /** An Ingress routing outside traffic to the target. */
        static Dependant ingress(LiveState.IngressRoute route) {
            return new Dependant("ingress/" + route.name(), "ingress", 0, 0, 0, route.hosts());
        }
    }

    /** A recent change to the target: a commit naming it ({@code git}) or a rollout ({@code rollout}). */
    public record Change(String source, Instant at, String what) {
        public Change {
            Objects.requireNonNull(source, "source is null");
            Objects.requireNonNull(at, "at is null");
            Objects.requireNonNull(what, "what is null");
        }
    }

    /** Earlier finished runs of the same action on similar targets, and how many failed or were rolled back. */
    public record History(String similar, long finished, long failed) {
        public History {
            Objects.requireNonNull(similar, "similar is null");
        }

        public double failureRate() {
            return finished == 0 ? 0 : (double) failed / finished;
        }
    }

    /**
     * @param service    the name the target is known by in traces (the workload's name)
     * @param knownAs    the names callers may use for it: the workload and the Services selecting its pods
     * @param dependants who depends on it: callers (busiest first), then Ingresses
     * @param podsAtOnce pods the action takes down at once (rollout strategy, unready pods included)
     */
    public record ActionRisk(int index, String tool, String target, String service, List<String> knownAs,
                             List<Dependant> dependants, Radius radius, long replicas, long readyReplicas, long podsAtOnce,
                             List<Change> recentChanges, History history) {
        public ActionRisk {
            knownAs = List.copyOf(knownAs);
            dependants = List.copyOf(dependants);
            Objects.requireNonNull(radius, "radius is null");
            recentChanges = List.copyOf(recentChanges);
            Objects.requireNonNull(history, "history is null");
        }

        public boolean radiusKnown() {
            return radius == Radius.KNOWN;
        }

        /** The share of the workload's pods the action takes down at once. */
        public double expectedUnavailable() {
            return replicas <= 0 ? 1.0 : Math.min(1.0, (double) podsAtOnce / replicas);
        }

        List<String> affected() {
            List<String> out = new ArrayList<>();
            out.add(service);
            dependants.forEach(d -> out.add(d.service()));
            return out;
        }
    }

    public RiskReport {
        Objects.requireNonNull(graphSource, "graphSource is null");
        Objects.requireNonNull(graphProblem, "graphProblem is null");
        Objects.requireNonNull(configSource, "configSource is null");
        unread = List.copyOf(unread);
        Objects.requireNonNull(policy, "policy is null");
        actions = List.copyOf(actions);
    }

    /** Whether the action's blast radius is wide: unknown (fail closed), or at least the policy's count of dependants. */
    public boolean wide(ActionRisk a) {
        return a.radius() == Radius.UNREADABLE || a.dependants().size() >= policy.wideBlastRadius();
    }

    /** Whether the same action failed often enough on similar targets, over enough runs, to count as a poor history. */
    public boolean poorHistory(ActionRisk a) {
        return a.history().finished() >= policy.poorHistoryMinActions() && a.history().failureRate() >= policy.poorHistoryRate();
    }

    /** Whether the action's risk adds one approval. */
    public boolean addsApproval(ActionRisk a) {
        return wide(a) || poorHistory(a);
    }

    /**
     * The callers of any of {@code names} in {@code graph} (other than those names themselves),
     * one per caller with its calls to all of them summed, busiest first.
     */
    static List<Dependant> callers(ServiceGraph graph, Collection<String> names) {
        Map<String, long[]> byCaller = new LinkedHashMap<>();
        for (String name : names) {
            for (ServiceGraph.Link l : graph.callersOf(name)) {
                if (!names.contains(l.parent())) {
                    long[] c = byCaller.computeIfAbsent(l.parent(), k -> new long[2]);
                    c[0] += l.calls();
                    c[1] += l.errors();
                }
            }
        }
        long total = byCaller.values().stream().mapToLong(c -> c[0]).sum();
        return byCaller.entrySet().stream()
                .map(e -> Dependant.caller(e.getKey(), e.getValue()[0], e.getValue()[1],
                        total == 0 ? 0 : (double) e.getValue()[0] / total))
                .sorted(Comparator.comparingLong(Dependant::calls).reversed().thenComparing(Dependant::service))
                .toList();
    }

    /** Per action index, why its risk adds an approval ("" when it does not), as {@link ApprovalPolicy} words it. */
    public List<String> approvalReasons(int actionCount) {
        List<String> out = new ArrayList<>(java.util.Collections.nCopies(actionCount, ""));
        for (ActionRisk a : actions) {
            List<String> why = new ArrayList<>();
            if (wide(a)) {
                why.add("a wide blast radius");
            }
            if (poorHistory(a)) {
                why.add("a poor history");
            }
            out.set(a.index(), String.join(" and ", why));
        }
        return out;
    }

    /** One line per action whose risk adds an approval, for the request's status. */
    public List<String> notes(String id) {
        List<String> out = new ArrayList<>();
        for (ActionRisk a : actions) {
            List<String> why = new ArrayList<>();
            if (wide(a)) {
                why.add(a.radius() == Radius.UNREADABLE
                        ? "the blast radius of " + a.target() + " is unknown (" + graphProblem.orElse("no graph") + ")"
                        : a.dependants().size() + " services depend on " + a.target() + " (" + String.join(", ",
                                a.dependants().stream().map(RiskReport::describe).toList()) + ")");
            }
            if (poorHistory(a)) {
                why.add(a.tool() + " of " + a.history().similar() + " failed " + a.history().failed() + " of "
                        + a.history().finished() + " times in the ledger (" + percent(a.history().failureRate()) + ")");
            }
            if (!why.isEmpty()) {
                out.add("risk: action " + a.index() + ": " + String.join("; ", why) + "; one more approval (cat /change_requests/"
                        + id + ".risk)");
            }
        }
        return out;
    }

    private static String describe(Dependant d) {
        return d.via().equals("ingress") ? d.service() + (d.hosts().isEmpty() ? "" : " " + String.join(",", d.hosts()))
                : d.service() + " " + percent(d.trafficShare());
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    /** The report as {@code .risk} shows it. */
    public String yaml(String id) {
        ObjectNode root = YAML.createObjectNode();
        root.put("request", id);
        root.put("service_graph", graphSource);
        graphProblem.ifPresent(p -> root.put("service_graph_problem", p));
        root.put("config_history", configSource);
        if (!unread.isEmpty()) {
            ArrayNode u = root.putArray("could_not_read");
            unread.forEach(u::add);
        }
        root.put("wide_blast_radius_from", policy.wideBlastRadius());
        root.put("poor_history_from", round(policy.poorHistoryRate()) + " failure rate over at least "
                + policy.poorHistoryMinActions() + " runs");
        ArrayNode list = root.putArray("actions");
        for (ActionRisk a : actions) {
            ObjectNode n = list.addObject();
            n.put("index", a.index());
            n.put("tool", a.tool());
            n.put("target", a.target());
            n.put("service", a.service());
            ArrayNode known = n.putArray("known_as");
            a.knownAs().forEach(known::add);
            ObjectNode radius = n.putObject("blast_radius");
            radius.put("known", a.radius().name().toLowerCase(Locale.ROOT));
            radius.put("wide", wide(a));
            ArrayNode deps = radius.putArray("dependants");
            for (Dependant d : a.dependants()) {
                ObjectNode dep = deps.addObject().put("service", d.service());
                if (d.via().equals("ingress")) {
                    dep.put("via", "ingress");
                    ArrayNode hosts = dep.putArray("hosts");
                    d.hosts().forEach(hosts::add);
                } else {
                    dep.put("calls", d.calls()).put("errors", d.errors()).put("traffic_share", round(d.trafficShare()));
                }
            }
            ArrayNode changes = n.putArray("recent_changes");
            for (Change c : a.recentChanges()) {
                changes.addObject().put("source", c.source()).put("at", c.at().toString()).put("what", c.what());
            }
            ObjectNode impact = n.putObject("counterfactual_impact");
            ArrayNode affected = impact.putArray("affected_services");
            a.affected().forEach(affected::add);
            impact.put("replicas", a.replicas());
            impact.put("ready_replicas", a.readyReplicas());
            impact.put("pods_down_at_once", a.podsAtOnce());
            impact.put("expected_unavailable", round(a.expectedUnavailable()));
            ObjectNode history = impact.putObject("same_action_on_similar_targets");
            history.put("similar", a.history().similar());
            history.put("finished", a.history().finished());
            history.put("failed", a.history().failed());
            history.put("failure_rate", round(a.history().failureRate()));
            history.put("poor", poorHistory(a));
            n.put("adds_approval", addsApproval(a));
        }
        try {
            return YAML.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
