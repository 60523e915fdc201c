package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.core.skills.SkillSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A change request of kind {@code skill} or {@code guardrail}: a change to what agents read or
 * to the policy, not to a cluster. It goes through the same store, approvals and ledger as a
 * plan; on approval the harness writes it (a skill into the library, a guardrail change beside
 * the policy) and nothing reaches Kubernetes.
 *
 * <pre>
 * kind: skill                 # or guardrail
 * incident_id: INC-7
 * team: payments
 * env: prod                   # whose approvers approve a team change (and who may see the request)
 * name: oom-payment-api       # the skill's name (skill:), or the guardrail change's
 * scope: team                 # skill: team (teams/&lt;team&gt;/) or shared (the library's top)
 * direction: tighten          # guardrail: tighten (the team approves) or loosen (platform approvers only)
 * content: |                  # skill: the structured skill, verbatim; guardrail: the changes: keys to set
 *   skill: oom-payment-api
 *   ...
 * </pre>
 */
public record LibraryChange(Kind kind, String incidentId, String team, String env, String name, boolean platformOnly,
                            String scopeOrDirection, String content) {

    public enum Kind { SKILL, GUARDRAIL }

    private static final Set<String> KEYS = Set.of("kind", "incident_id", "team", "env", "name", "scope", "direction", "content");
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public LibraryChange {
        requireNonNull(kind, "kind is null");
        requireNonNull(incidentId, "incidentId is null");
        requireNonNull(team, "team is null");
        requireNonNull(env, "env is null");
        requireNonNull(name, "name is null");
        requireNonNull(scopeOrDirection, "scopeOrDirection is null");
        requireNonNull(content, "content is null");
    }

    /** Whether {@code document} is a library change (it names a {@code kind:}) rather than a plan. */
    public static boolean isLibraryChange(byte[] document) {
        try {
            ConfigNode root = ConfigReader.parse("change-request", new String(document, StandardCharsets.UTF_8));
            return root.isMap() && root.get("kind").isPresent();
        } catch (ConfigException e) {
            return false; // the plan parser names the syntax error
        }
    }

    /** Parses a library change; every problem at its position, the skill's own by the skill schema. */
    public static LibraryChange parse(String name, byte[] document) throws PlanProblems {
        ConfigNode root;
        try {
            root = ConfigReader.parse(name, new String(document, StandardCharsets.UTF_8));
        } catch (ConfigException e) {
            throw new PlanProblems(List.of(e.getMessage()));
        }
        List<String> problems = new ArrayList<>();
        if (!root.isMap()) {
            throw new PlanProblems(List.of(root.where() + ": a change request must be a map; see docs/skills.md"));
        }
        root.entries().forEach((k, v) -> {
            if (!KEYS.contains(k)) {
                problems.add(v.where() + ": unknown key '" + k + "'; a skill or guardrail change has kind, incident_id, team, "
                        + "env, name, scope (skill), direction (guardrail), content");
            }
        });
        String kindText = word(root, "kind", problems);
        Kind kind = switch (kindText) {
            case "skill" -> Kind.SKILL;
            case "guardrail" -> Kind.GUARDRAIL;
            default -> {
                if (!kindText.isEmpty()) {
                    problems.add(root.get("kind").orElseThrow().where() + ": kind '" + kindText + "' is unknown; write skill or "
                            + "guardrail (a plan for a cluster has no kind:)");
                }
                yield null;
            }
        };
        String incident = word(root, "incident_id", problems);
        String team = word(root, "team", problems);
        String env = word(root, "env", problems);
        String changeName = word(root, "name", problems);
        String content = root.get("content").filter(c -> c.kind() == ConfigNode.Kind.SCALAR).map(ConfigNode::asString).orElse("");
        if (content.isBlank()) {
            problems.add(root.where() + ": content: missing; write the skill (or the guardrail change) as a block: content: |");
        }
        boolean platform = false;
        String how = "";
        if (kind == Kind.SKILL) {
            how = word(root, "scope", problems);
            if (!how.isEmpty() && !Set.of("team", "shared").contains(how)) {
                problems.add(root.get("scope").orElseThrow().where() + ": scope '" + how + "' is unknown; write team "
                        + "(teams/" + team + "/) or shared (the whole library, approved by platform approvers)");
            }
            platform = how.equals("shared");
            if (!content.isBlank()) {
                SkillSchema.read(name + " content", content, changeName.isEmpty() ? Optional.empty() : Optional.of(changeName))
                        .problems().forEach(p -> problems.add(p.toString()));
            }
        } else if (kind == Kind.GUARDRAIL) {
            how = word(root, "direction", problems);
            if (!how.isEmpty() && !Set.of("tighten", "loosen").contains(how)) {
                problems.add(root.get("direction").orElseThrow().where() + ": direction '" + how + "' is unknown; write tighten "
                        + "(the team may approve) or loosen (platform approvers only)");
            }
            platform = how.equals("loosen");
            if (!content.isBlank()) {
                try {
                    if (!ConfigReader.parse(name + " content", content).isMap()) {
                        problems.add(root.get("content").orElseThrow().where() + ": content: write the changes: keys to set, "
                                + "e.g. {min_approvals: 1}");
                    }
                } catch (ConfigException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new PlanProblems(problems);
        }
        return new LibraryChange(kind, incident, team, env, changeName, platform, how, content);
    }

    private static String word(ConfigNode root, String key, List<String> problems) {
        Optional<ConfigNode> n = root.get(key);
        if (n.isEmpty() || n.get().kind() != ConfigNode.Kind.SCALAR || !WORD.matcher(n.get().asString()).matches()) {
            problems.add((n.isPresent() ? n.get().where() : root.where()) + ": " + key + ": "
                    + (n.isEmpty() ? "missing" : "not a name") + "; write up to 64 letters, digits, '.', '_' or '-'");
            return "";
        }
        return n.get().asString();
    }

    /** A guardrail change's direction ({@code tighten} or {@code loosen}); a skill's scope otherwise. */
    public String direction() {
        return scopeOrDirection;
    }

    /** Who must approve, in words, for the status. */
    public String approvedBy() {
        return platformOnly ? "one platform approver (harness.yaml platform.approvers) who is not an approver of " + team + "/" + env
                : "one approver of " + team + "/" + env + " (teams." + team + "." + env + ".changes.approvers)";
    }
}
