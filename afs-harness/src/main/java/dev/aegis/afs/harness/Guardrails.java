package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Guardrails are CEL boolean expressions over {@code action}, {@code target} (live state read
 * from Kubernetes), {@code incident} and {@code limits} (the team/env's numbers). An
 * expression that is false, or that fails to evaluate, blocks the action (fail closed).
 *
 * <p>Variables (all maps; every key is always present so expressions never hit a missing key):
 * <ul>
 * <li>action: tool, kind, name, namespace, replicas, memory_limit_bytes</li>
 * <li>target: exists, kind, name, namespace, replicas, ready_replicas, pods_at_once, memory_limit_bytes,
 *     and from the risk report: dependants (callers in the env's service graph and Ingresses routing
 *     to it), wide_blast_radius_from (policy.risk.wide_blast_radius), recent_changes (commits and
 *     rollouts in the window), similar_actions and similar_failures (the same action on similar
 *     targets in the ledger)</li>
 * <li>incident: id, team, env, confidence, frozen, in_window</li>
 * <li>limits: max_scale_factor, max_restart_percent, max_memory_factor</li>
 * </ul>
 */
public final class Guardrails {

    /** A named rule and what to do when it blocks. */
    public record Rule(String name, String expression, String fix) {
        public Rule {
            requireNonNull(name, "name is null");
            requireNonNull(expression, "expression is null");
            requireNonNull(fix, "fix is null");
        }
    }

    /** The numbers shipped defaults are written against; overridable per team/env. */
    public record Limits(long maxScaleFactor, long maxRestartPercent, long maxMemoryFactor,
                         List<ChangePolicy.Window> windows, boolean freeze, Map<String, String> extra) {
        public Limits {
            windows = List.copyOf(windows);
            extra = Map.copyOf(extra);
        }

        public static Limits defaults() {
            return new Limits(2, 20, 2, List.of(), false, Map.of());
        }

        Map<String, Object> asMap() {
            return Map.of("max_scale_factor", maxScaleFactor, "max_restart_percent", maxRestartPercent,
                    "max_memory_factor", maxMemoryFactor);
        }
    }

    /** Shipped defaults. */
    public static final List<Rule> DEFAULTS = List.of(
            new Rule("replicas_within_factor",
                    "action.tool != 'scale' || (action.replicas <= (target.replicas == 0 ? 1 : target.replicas) * limits.max_scale_factor"
                            + " && action.replicas * limits.max_scale_factor >= target.replicas)",
                    "change replicas by at most max_scale_factor (default 2x) per request; scale in steps"),
            new Rule("restart_fraction",
                    "!(action.tool in ['restart', 'delete_pod']) || target.pods_at_once * 100 <= target.replicas * limits.max_restart_percent",
                    "take down at most max_restart_percent (default 20%) of the workload's pods at once; lower the "
                            + "rollout's maxUnavailable or wait until unready pods recover"),
            new Rule("memory_within_factor",
                    "action.tool != 'set_resources' || action.memory_limit_bytes == 0 || target.memory_limit_bytes == 0"
                            + " || (action.memory_limit_bytes <= target.memory_limit_bytes * limits.max_memory_factor"
                            + " && action.memory_limit_bytes * limits.max_memory_factor >= target.memory_limit_bytes)",
                    "change the memory limit by at most max_memory_factor (default 2x) per request"),
            new Rule("change_window", "incident.in_window",
                    "submit inside the team/env's change window (guardrails.windows, UTC) or ask for a window change"),
            new Rule("freeze", "!incident.frozen",
                    "a change freeze is on (policy.freeze or guardrails.freeze); wait until it is lifted"));

    private static final Cel CEL = CelFactory.standardCelBuilder()
            .addVar("action", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("target", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("incident", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("limits", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .setResultType(SimpleType.BOOL)
            .build();

    private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

    /** A compile problem of {@code expression}, empty when it is a valid boolean expression. */
    public static Optional<String> check(String expression) {
        CelValidationResult result = CEL.compile(expression);
        return result.hasError() ? Optional.of(result.getErrorString()) : Optional.empty();
    }

    /** One failed rule: its name and why. */
    public record Violation(String rule, String message) {
    }

    /**
     * Evaluates the defaults and {@code limits.extra()} and returns what failed, in rule order.
     */
    public List<Violation> evaluate(Map<String, Object> action, Map<String, Object> target,
                                    Map<String, Object> incident, Limits limits) {
        Map<String, Object> vars = Map.of("action", action, "target", target, "incident", incident,
                "limits", limits.asMap());
        List<Rule> rules = new ArrayList<>(DEFAULTS);
        limits.extra().forEach((name, expr) -> rules.add(new Rule(name, expr, "this team/env's guardrail '" + name
                + "' (" + expr + ") must hold; change the action or the guardrail")));
        List<Violation> out = new ArrayList<>();
        for (Rule rule : rules) {
            Object result;
            try {
                result = program(rule.expression()).eval(vars);
            } catch (CelEvaluationException | RuntimeException e) {
                out.add(new Violation(rule.name(), "guardrail " + rule.name() + " could not be evaluated ("
                        + e.getMessage() + "), so the action is blocked; fix the guardrail expression"));
                continue;
            }
            if (!Boolean.TRUE.equals(result)) {
                out.add(new Violation(rule.name(), "guardrail " + rule.name() + " blocked " + action.get("tool") + " of "
                        + action.get("kind") + " " + action.get("namespace") + "/" + action.get("name") + ": " + rule.fix()));
            }
        }
        return out;
    }

    /** The names of the rules {@link #evaluate} checks for these limits, in order. */
    public static List<String> ruleNames(Limits limits) {
        List<String> names = new ArrayList<>();
        DEFAULTS.forEach(r -> names.add(r.name()));
        names.addAll(limits.extra().keySet().stream().sorted().toList());
        return names;
    }

    /** Evaluates one expression (benchmarks and tests). */
    public boolean evaluate(String expression, Map<String, Object> vars) throws CelEvaluationException {
        return Boolean.TRUE.equals(program(expression).eval(vars));
    }

    private CelRuntime.Program program(String expression) {
        return programs.computeIfAbsent(expression, e -> {
            try {
                CelAbstractSyntaxTree ast = CEL.compile(e).getAst();
                return CEL.createProgram(ast);
            } catch (CelValidationException | CelEvaluationException ex) {
                throw new IllegalArgumentException("invalid guardrail expression '" + e + "': " + ex.getMessage(), ex);
            }
        });
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
