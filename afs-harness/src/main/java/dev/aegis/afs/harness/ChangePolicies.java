package dev.aegis.afs.harness;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.harness.ChangeRequest.Tool;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code changes:} sections of namespaces.yaml, by team and env, plus {@code evidence.dir}.
 * Everything else in that file belongs to afs-core and is not looked at here.
 *
 * <pre>
 * teams:
 *   payments:
 *     prod:
 *       changes:
 *         mode: execute                 # shadow (default) | execute
 *         allow: [scale, restart]       # default: nothing
 *         proposers: [group:payments-oncall]   # default: the env's readers (access.read)
 *         approvers: [uid:1001, group:sre]     # read by afs-core's AccessPolicy, as access.read
 *         approval_ttl: 1h              # an approval counts this long, for this exact plan
 *         namespaces: [payments]        # default: [team name]
 *         min_approvals: 1              # 0..2, default 0
 *         cluster: prod-eu              # execution: agents: whose agent runs these actions
 *         intent_ttl: 30s               # execution: agents: how long a leased intent is valid
 *         guardrails: {max_scale_factor: 2, max_restart_percent: 20, max_memory_factor: 2,
 *                      windows: ["Mon-Fri 08:00-18:00"], freeze: false,
 *                      extra: {no_zero: "action.tool != 'scale' || action.replicas > 0"}}
 * </pre>
 */
public final class ChangePolicies {

    private static final Pattern WINDOW = Pattern.compile("(?i)(mon|tue|wed|thu|fri|sat|sun)(?:-(mon|tue|wed|thu|fri|sat|sun))?"
            + "\\s+(\\d{2}:\\d{2})-(\\d{2}:\\d{2})");
    private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

    private final Map<String, ChangePolicy> byTeamEnv;
    private final Optional<Path> evidenceDir;
    private final ServiceGraphs graphs;
    private final ConfigHistories histories;

    public ChangePolicies(Map<String, ChangePolicy> byTeamEnv, Optional<Path> evidenceDir) {
        this(byTeamEnv, evidenceDir, ServiceGraphs.NONE);
    }

    /** @param graphs the service graph of each env with a {@code traces:} section, for the risk report */
    public ChangePolicies(Map<String, ChangePolicy> byTeamEnv, Optional<Path> evidenceDir, ServiceGraphs graphs) {
        this(byTeamEnv, evidenceDir, graphs, ConfigHistories.NONE);
    }

    /** @param histories the recent commits of each env with a {@code config:} section, for the risk report */
    public ChangePolicies(Map<String, ChangePolicy> byTeamEnv, Optional<Path> evidenceDir, ServiceGraphs graphs,
                          ConfigHistories histories) {
        this.byTeamEnv = Map.copyOf(byTeamEnv);
        this.evidenceDir = evidenceDir;
        this.graphs = java.util.Objects.requireNonNull(graphs, "graphs is null");
        this.histories = java.util.Objects.requireNonNull(histories, "histories is null");
    }

    /** Where the risk report finds each env's configuration history. */
    public ConfigHistories histories() {
        return histories;
    }

    /** Where the risk report finds each env's service graph. */
    public ServiceGraphs graphs() {
        return graphs;
    }

    public static ChangePolicies read(Path namespacesYaml) {
        return parse(ConfigReader.read(namespacesYaml), namespacesYaml.toAbsolutePath().getParent());
    }

    public static ChangePolicies parse(ConfigNode root, Path baseDir) {
        Map<String, ChangePolicy> out = new LinkedHashMap<>();
        Optional<Path> evidence = root.get("evidence").flatMap(e -> e.optString("dir")).map(s -> baseDir.resolve(s).normalize());
        Optional<ConfigNode> teams = root.get("teams");
        if (teams.isPresent()) {
            for (Map.Entry<String, ConfigNode> team : teams.get().entries().entrySet()) {
                if (!team.getValue().isMap()) {
                    continue;
                }
                for (Map.Entry<String, ConfigNode> env : team.getValue().entries().entrySet()) {
                    if (!env.getValue().isMap()) {
                        continue;
                    }
                    Optional<ConfigNode> changes = env.getValue().get("changes");
                    if (changes.isPresent()) {
                        out.put(team.getKey() + "/" + env.getKey(), policy(team.getKey(), changes.get()));
                    }
                }
            }
        }
        return new ChangePolicies(out, evidence);
    }

    /** The {@code changes:} sections of an already loaded namespaces.yaml. */
    public static ChangePolicies of(dev.aegis.afs.core.config.Namespaces namespaces) {
        Map<String, ChangePolicy> out = new LinkedHashMap<>();
        namespaces.teams().forEach((team, envs) -> envs.forEach((env, node) ->
                node.get("changes").ifPresent(c -> out.put(team + "/" + env, policy(team, c)))));
        return new ChangePolicies(out, Optional.of(namespaces.evidence().dir()),
                ServiceGraphs.of(namespaces, java.time.Clock.systemUTC()), ConfigHistories.of(namespaces));
    }

    /** The policy of team/env; deny-all shadow when it has no {@code changes:} section. */
    public ChangePolicy policy(String team, String env) {
        return byTeamEnv.getOrDefault(team + "/" + env, ChangePolicy.denyAll(team));
    }

    public Optional<Path> evidenceDir() {
        return evidenceDir;
    }

    static ChangePolicy policy(String team, ConfigNode n) {
        n.allowOnly(Set.of("mode", "allow", "proposers", "approvers", "approval_ttl", "namespaces", "min_approvals", "guardrails",
                "cluster", "intent_ttl"));
        ChangePolicy.Mode mode = ChangePolicy.Mode.SHADOW;
        Optional<ConfigNode> m = n.get("mode");
        if (m.isPresent()) {
            mode = switch (m.get().asString()) {
                case "shadow" -> ChangePolicy.Mode.SHADOW;
                case "execute" -> ChangePolicy.Mode.EXECUTE;
                default -> throw m.get().error("unknown mode '" + m.get().asString()
                        + "'; write shadow (dry runs only, the default) or execute");
            };
        }
        Set<Tool> allow = EnumSet.noneOf(Tool.class);
        Optional<ConfigNode> a = n.get("allow");
        if (a.isPresent()) {
            for (ConfigNode item : a.get().kind() == ConfigNode.Kind.LIST ? a.get().items() : List.of(a.get())) {
                allow.add(Tool.of(item.asString()).orElseThrow(() -> item.error("unknown tool '" + item.asString()
                        + "'; allow any of scale, restart, set_resources, undo, delete_pod")));
            }
        }
        java.time.Duration ttl = n.get("approval_ttl").map(ConfigNode::asDuration).orElse(ChangePolicy.DEFAULT_APPROVAL_TTL);
        if (ttl.isZero() || ttl.isNegative()) {
            throw n.require("approval_ttl").error("approval_ttl must be longer than 0; write e.g. 1h");
        }
        List<String> namespaces = n.get("namespaces").map(ConfigNode::asStringList).orElse(List.of(team));
        int min = n.get("min_approvals").map(v -> v.asLong(0, 2)).orElse(0L).intValue();
        Guardrails.Limits limits = Guardrails.Limits.defaults();
        Optional<ConfigNode> g = n.get("guardrails");
        if (g.isPresent()) {
            limits = limits(g.get(), limits);
        }
        Optional<java.time.Duration> intentTtl = n.get("intent_ttl").map(ConfigNode::asDuration);
        if (intentTtl.isPresent() && (intentTtl.get().isZero() || intentTtl.get().compareTo(java.time.Duration.ofMinutes(10)) > 0)) {
            throw n.require("intent_ttl").error("intent_ttl must be from 1s to 10m (agents refuse longer); write e.g. 30s");
        }
        return new ChangePolicy(mode, allow, namespaces, min, limits, ttl, n.optString("cluster"), intentTtl);
    }

    private static Guardrails.Limits limits(ConfigNode g, Guardrails.Limits d) {
        g.allowOnly(Set.of("max_scale_factor", "max_restart_percent", "max_memory_factor", "windows", "freeze", "extra"));
        List<ChangePolicy.Window> windows = new ArrayList<>(d.windows());
        Optional<ConfigNode> w = g.get("windows");
        if (w.isPresent()) {
            windows.clear();
            for (ConfigNode item : w.get().kind() == ConfigNode.Kind.LIST ? w.get().items() : List.of(w.get())) {
                windows.add(window(item));
            }
        }
        Map<String, String> extra = new LinkedHashMap<>();
        Optional<ConfigNode> e = g.get("extra");
        if (e.isPresent()) {
            for (Map.Entry<String, ConfigNode> x : e.get().entries().entrySet()) {
                String expr = x.getValue().asString();
                Optional<String> problem = Guardrails.check(expr);
                if (problem.isPresent()) {
                    throw x.getValue().error("guardrail '" + x.getKey() + "' is not a valid CEL boolean expression over "
                            + "action, target, incident: " + problem.get());
                }
                extra.put(x.getKey(), expr);
            }
        }
        return new Guardrails.Limits(
                g.get("max_scale_factor").map(v -> v.asLong(1, 100)).orElse(d.maxScaleFactor()),
                g.get("max_restart_percent").map(v -> v.asLong(1, 100)).orElse(d.maxRestartPercent()),
                g.get("max_memory_factor").map(v -> v.asLong(1, 100)).orElse(d.maxMemoryFactor()),
                windows,
                g.get("freeze").map(ConfigNode::asBoolean).orElse(d.freeze()),
                extra);
    }

    private static ChangePolicy.Window window(ConfigNode n) {
        String s = n.asString().trim();
        Matcher m = WINDOW.matcher(s);
        if (!m.matches()) {
            throw n.error("'" + s + "' is not a change window; write days and a UTC time range, e.g. \"Mon-Fri 08:00-18:00\"");
        }
        int from = DAYS.indexOf(m.group(1).toLowerCase(Locale.ROOT));
        int to = m.group(2) == null ? from : DAYS.indexOf(m.group(2).toLowerCase(Locale.ROOT));
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (int i = from; ; i = (i + 1) % 7) {
            days.add(DayOfWeek.of(i + 1));
            if (i == to) {
                break;
            }
        }
        try {
            LocalTime start = LocalTime.parse(m.group(3));
            LocalTime end = m.group(4).equals("24:00") ? LocalTime.MAX : LocalTime.parse(m.group(4));
            if (!start.isBefore(end)) {
                throw n.error("window '" + s + "' ends before it starts; write the earlier time first");
            }
            return new ChangePolicy.Window(days, start, end, s);
        } catch (DateTimeParseException e) {
            throw n.error("'" + s + "' has an invalid time; use HH:MM from 00:00 to 24:00");
        }
    }
}
