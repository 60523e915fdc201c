package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.Namespaces;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where an alert belongs: the {@code incidents:} section of each team/env in namespaces.yaml.
 *
 * <pre>
 * teams:
 *   payments:
 *     prod:
 *       incidents:
 *         match: {namespace: payments, env: prod}   # alert labels, all equal: the alert is payments/prod's
 *         budget: {change_requests: 3}              # over harness.yaml incidents.budget
 *         slo: {name: checkout-availability, objective: "99.9%", window: 30d}   # copied into the context
 *         on_call: ["user:alice", "slack:#payments-oncall"]
 * </pre>
 *
 * An alert goes to the env whose {@code match} it satisfies with the most labels; an env without
 * {@code match} receives no alerts (incidents may still be opened there by hand).
 */
public final class IncidentScopes {

    /** One env's incident settings. */
    public record Scope(String team, String env, Map<String, String> match, Optional<ConfigNode> budget, JsonNode slo,
                        List<String> onCall, List<String> approvers) {
        public Scope {
            requireNonNull(team, "team is null");
            requireNonNull(env, "env is null");
            match = Map.copyOf(match);
            requireNonNull(budget, "budget is null");
            requireNonNull(slo, "slo is null");
            onCall = List.copyOf(onCall);
            approvers = List.copyOf(approvers);
        }

        boolean matches(Map<String, String> labels) {
            return !match.isEmpty() && match.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
        }

        IncidentBudget caps(IncidentBudget defaults) {
            return budget.map(b -> IncidentBudget.parse(b, defaults)).orElse(defaults);
        }
    }

    private final Map<String, Scope> byTeamEnv;

    IncidentScopes(Map<String, Scope> byTeamEnv) {
        this.byTeamEnv = Map.copyOf(byTeamEnv);
    }

    public static IncidentScopes of(Namespaces namespaces) {
        Map<String, Scope> out = new LinkedHashMap<>();
        namespaces.teams().forEach((team, envs) -> envs.forEach((env, node) -> {
            out.put(team + "/" + env, scope(team, env, node));
        }));
        return new IncidentScopes(out);
    }

    private static Scope scope(String team, String env, ConfigNode envNode) {
        List<String> approvers = envNode.get("changes").flatMap(c -> c.get("approvers"))
                .map(a -> a.isMap() ? List.of(json(a).toString()) : a.asStringList()).orElse(List.of());
        Optional<ConfigNode> section = envNode.get("incidents");
        if (section.isEmpty()) {
            return new Scope(team, env, Map.of(), Optional.empty(), Ledger.JSON.createObjectNode(), List.of(), approvers);
        }
        ConfigNode n = section.get();
        if (!n.isMap()) {
            throw n.error("incidents: is a map: {match: {<alert label>: <value>}, budget: {...}, slo: {...}, on_call: [...]}");
        }
        n.allowOnly(Set.of("match", "budget", "slo", "on_call"));
        Map<String, String> match = new LinkedHashMap<>();
        n.get("match").ifPresent(m -> {
            if (!m.isMap() || m.keys().isEmpty()) {
                throw m.error("match: names the alert labels that place an alert in " + team + "/" + env
                        + ", e.g. {namespace: payments, env: prod}");
            }
            m.entries().forEach((k, v) -> match.put(k, v.asString()));
        });
        n.get("budget").ifPresent(b -> IncidentBudget.parse(b, IncidentBudget.DEFAULT_CAPS)); // checked at start
        JsonNode slo = n.get("slo").map(IncidentScopes::json).orElse(Ledger.JSON.createObjectNode());
        List<String> onCall = n.get("on_call").map(ConfigNode::asStringList).orElse(List.of());
        return new Scope(team, env, match, n.get("budget"), slo, onCall, approvers);
    }

    /** A config value as JSON, as written (strings stay strings). */
    private static JsonNode json(ConfigNode n) {
        if (n.isMap()) {
            var o = Ledger.JSON.createObjectNode();
            n.entries().forEach((k, v) -> o.set(k, json(v)));
            return o;
        }
        if (n.kind() == ConfigNode.Kind.LIST) {
            var a = Ledger.JSON.createArrayNode();
            n.items().forEach(i -> a.add(json(i)));
            return a;
        }
        return n.isNull() ? Ledger.JSON.nullNode() : Ledger.JSON.getNodeFactory().textNode(n.asString());
    }

    /** The env these alert labels belong to: the one whose match holds with the most labels. */
    public Optional<Scope> forLabels(Map<String, String> labels) {
        List<Scope> hits = new ArrayList<>(byTeamEnv.values().stream().filter(s -> s.matches(labels)).toList());
        hits.sort(Comparator.comparingInt((Scope s) -> s.match().size()).reversed());
        return hits.stream().findFirst();
    }

    public Optional<Scope> of(String team, String env) {
        return Optional.ofNullable(byTeamEnv.get(team + "/" + env));
    }
}
