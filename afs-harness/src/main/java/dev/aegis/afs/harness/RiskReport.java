package dev.aegis.afs.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.aegis.afs.core.traces.ServiceGraph;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a change request risks, computed before its approvals: for each action the blast radius
 * over the service graph (which services call the target, their share of its traffic) and the
 * counterfactual impact (the services affected, the pods down at once by the rollout strategy,
 * maxUnavailable and readiness included). Shown at {@code /change_requests/<id>.risk} (YAML).
 *
 * <p>A target called by {@link #WIDE_BLAST_RADIUS} or more other services has a wide blast radius,
 * and its action needs one more approval ({@link ApprovalPolicy}). When the graph cannot be read
 * the radius is unknown and counted as wide (fail closed); an env without {@code traces:} has no
 * graph, and the report says so.
 */
public record RiskReport(String graphSource, Optional<String> graphProblem, List<ActionRisk> actions) {

    /** How the blast radius is known: from the graph; not at all (the env has no traces:); or not now (fail closed). */
    public enum Radius { KNOWN, NO_TRACES, UNREADABLE }

    /** Dependants from which a target's blast radius is wide. */
    public static final int WIDE_BLAST_RADIUS = 2;

    /** One caller of the target: how often it called, how many calls failed, its share of the target's calls. */
    public record Dependant(String service, long calls, long errors, double trafficShare) {
    }

    /**
     * @param service     the service name the target is known by in traces (the workload's name)
     * @param dependants  who calls it; empty when unknown or none
     * @param podsAtOnce  pods the action takes down at once (rollout strategy, unready pods included)
     */
    public record ActionRisk(int index, String tool, String target, String service, List<Dependant> dependants,
                             Radius radius, long replicas, long readyReplicas, long podsAtOnce) {
        public ActionRisk {
            dependants = List.copyOf(dependants);
            Objects.requireNonNull(radius, "radius is null");
        }

        public boolean radiusKnown() {
            return radius == Radius.KNOWN;
        }

        public boolean wideBlastRadius() {
            return radius == Radius.UNREADABLE || radius == Radius.KNOWN && dependants.size() >= WIDE_BLAST_RADIUS;
        }

        /** The share of the workload's pods the action takes down at once. */
        public double expectedUnavailable() {
            return replicas <= 0 ? 1.0 : Math.min(1.0, (double) podsAtOnce / replicas);
        }

        List<String> affected() {
            java.util.List<String> out = new java.util.ArrayList<>();
            out.add(service);
            dependants.forEach(d -> out.add(d.service()));
            return out;
        }
    }

    public RiskReport {
        Objects.requireNonNull(graphSource, "graphSource is null");
        Objects.requireNonNull(graphProblem, "graphProblem is null");
        actions = List.copyOf(actions);
    }

    /** The dependants of {@code service} in {@code graph}, busiest first. */
    static List<Dependant> dependants(ServiceGraph graph, String service) {
        List<ServiceGraph.Link> callers = graph.callersOf(service);
        long total = callers.stream().mapToLong(ServiceGraph.Link::calls).sum();
        return callers.stream()
                .map(l -> new Dependant(l.parent(), l.calls(), l.errors(), total == 0 ? 0 : (double) l.calls() / total))
                .sorted(java.util.Comparator.comparingLong(Dependant::calls).reversed().thenComparing(Dependant::service))
                .toList();
    }

    /** Per action, whether its blast radius adds an approval. */
    public List<Boolean> wide() {
        return actions.stream().map(ActionRisk::wideBlastRadius).toList();
    }

    /** One line per wide action for the request's status, e.g. "risk: action 0: 2 services depend on ...". */
    public List<String> notes(String id) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (ActionRisk a : actions) {
            if (!a.wideBlastRadius()) {
                continue;
            }
            String who = a.radiusKnown()
                    ? a.dependants().size() + " services depend on " + a.target() + " ("
                            + String.join(", ", a.dependants().stream().map(d -> d.service() + " " + percent(d.trafficShare())).toList()) + ")"
                    : "the blast radius of " + a.target() + " is unknown (" + graphProblem.orElse("no graph") + ")";
            out.add("risk: action " + a.index() + ": " + who + "; one more approval (cat /change_requests/" + id + ".risk)");
        }
        return out;
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    /** The report as {@code .risk} shows it. */
    public String yaml(String id) {
        ObjectNode root = YAML.createObjectNode();
        root.put("request", id);
        root.put("service_graph", graphSource);
        graphProblem.ifPresent(p -> root.put("service_graph_problem", p));
        root.put("wide_blast_radius_from", WIDE_BLAST_RADIUS);
        ArrayNode list = root.putArray("actions");
        for (ActionRisk a : actions) {
            ObjectNode n = list.addObject();
            n.put("index", a.index());
            n.put("tool", a.tool());
            n.put("target", a.target());
            n.put("service", a.service());
            ObjectNode radius = n.putObject("blast_radius");
            radius.put("known", a.radius().name().toLowerCase(Locale.ROOT));
            radius.put("wide", a.wideBlastRadius());
            ArrayNode deps = radius.putArray("dependants");
            for (Dependant d : a.dependants()) {
                deps.addObject().put("service", d.service()).put("calls", d.calls()).put("errors", d.errors())
                        .put("traffic_share", Math.round(d.trafficShare() * 1000) / 1000.0);
            }
            ObjectNode impact = n.putObject("counterfactual_impact");
            ArrayNode affected = impact.putArray("affected_services");
            a.affected().forEach(affected::add);
            impact.put("replicas", a.replicas());
            impact.put("ready_replicas", a.readyReplicas());
            impact.put("pods_down_at_once", a.podsAtOnce());
            impact.put("expected_unavailable", Math.round(a.expectedUnavailable() * 1000) / 1000.0);
            n.put("adds_approval", a.wideBlastRadius());
        }
        try {
            return YAML.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
