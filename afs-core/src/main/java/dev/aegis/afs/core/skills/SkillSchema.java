package dev.aegis.afs.core.skills;

import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.ConfigReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one schema of structured skills: {@link #read} turns a skill file into a
 * {@link StructuredSkill} or lists every problem at its {@code file:line:column} with the fix.
 * The mount's {@code _index.json}, {@code afs skills check}, {@code afs skills propose} and the
 * harness (which promotes skills) all call this, so a skill one of them accepts the others accept.
 *
 * <pre>
 * skill: oom-memory-leak            # [a-z0-9-], the file is oom-memory-leak.yaml
 * summary: ...                      # one line an agent picks the skill by
 * version: 1                        # 1, 1.2 or 1.2.3
 * triggers: [{log: OutOfMemoryError}, {alert: KubePodCrashLooping}]   # log | metric | alert | event
 * steps:                            # reads: tree paths with path terms, relative windows only
 *   - {read: "/teams/{team}/{env}/logs/api.log?since=1h&amp;grep=OutOfMemoryError&amp;tail=20", why: ...}
 * plan: {...}                       # optional: a change request template (actions, verify, rollback)
 * guardrails: [...]                 # optional: what not to do, in words
 * </pre>
 */
public final class SkillSchema {

    public static final Set<String> KEYS = Set.of("skill", "summary", "version", "triggers", "steps", "plan", "guardrails");
    public static final Set<String> TRIGGER_KINDS = Set.of("log", "metric", "alert", "event");
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern VERSION = Pattern.compile("\\d{1,6}(\\.\\d{1,6}){0,2}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");
    private static final Pattern ABSOLUTE_TIME = Pattern.compile("(?:^|[?&])(from|to)=([^&]*)");
    private static final int MAX_STEPS = 30;
    private static final int MAX_TRIGGERS = 20;
    private static final int MAX_TEXT = 2000;

    /** A skill file read: the skill when it has no problem, every problem otherwise. */
    public record Result(Optional<StructuredSkill> skill, List<SkillProblem> problems) {
        public Result {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private final List<SkillProblem> problems = new ArrayList<>();

    private SkillSchema() {
    }

    /**
     * Reads {@code text}; {@code file} names it in every position. When {@code expectedName} is
     * given (the file name without {@code .yaml}), {@code skill:} must equal it.
     */
    public static Result read(String file, String text, Optional<String> expectedName) {
        ConfigNode root;
        try {
            root = ConfigReader.parse(file, text);
        } catch (ConfigException e) {
            return new Result(Optional.empty(), List.of(problemOf(file, e.getMessage())));
        }
        SkillSchema s = new SkillSchema();
        StructuredSkill skill = s.skill(root, expectedName);
        return new Result(s.problems.isEmpty() ? Optional.of(skill) : Optional.empty(), s.problems);
    }

    /** A ConfigException's message is {@code file:line:col: text}; split it so every problem reads alike. */
    private static SkillProblem problemOf(String file, String message) {
        Matcher m = Pattern.compile("^(" + Pattern.quote(file) + ":\\d+:\\d+): (.*)$", Pattern.DOTALL).matcher(message);
        return m.matches() ? new SkillProblem(m.group(1), m.group(2)) : new SkillProblem(file + ":1:1", message);
    }

    private StructuredSkill skill(ConfigNode root, Optional<String> expectedName) {
        if (!root.isMap()) {
            problem(root, "a skill is a map of " + String.join(", ", ordered()) + "; see docs/skills.md");
            return null;
        }
        for (Map.Entry<String, ConfigNode> e : root.entries().entrySet()) {
            if (!KEYS.contains(e.getKey())) {
                problem(e.getValue(), "unknown key '" + e.getKey() + "'; a skill has only " + String.join(", ", ordered())
                        + " (a skill is read, never run: there is no place for commands)");
            }
        }
        String name = text(root, "skill", 64).orElse("");
        if (!name.isEmpty() && !NAME.matcher(name).matches()) {
            problem(root.get("skill").orElseThrow(), "skill '" + name + "' is not a skill name; use lower-case letters, "
                    + "digits and '-', e.g. oom-memory-leak");
        } else if (!name.isEmpty() && expectedName.isPresent() && !expectedName.get().equals(name)) {
            problem(root.get("skill").orElseThrow(), "skill '" + name + "' is in a file named " + expectedName.get()
                    + ".yaml; name the file " + name + ".yaml or the skill " + expectedName.get());
        }
        String summary = text(root, "summary", 500).orElse("");
        String version = version(root);
        List<StructuredSkill.Trigger> triggers = triggers(root);
        List<StructuredSkill.Step> steps = steps(root);
        Map<String, Object> plan = plan(root);
        List<String> guardrails = guardrails(root);
        return problems.isEmpty() ? new StructuredSkill(name, summary, version, triggers, steps, plan, guardrails) : null;
    }

    private static List<String> ordered() {
        return List.of("skill", "summary", "version", "triggers", "steps", "plan", "guardrails");
    }

    private Optional<String> text(ConfigNode map, String key, int max) {
        Optional<ConfigNode> node = map.get(key);
        if (node.isEmpty() || node.get().isNull()) {
            problem(map, key + ": missing; " + hint(key));
            return Optional.empty();
        }
        return scalar(node.get(), key, max);
    }

    private Optional<String> scalar(ConfigNode node, String what, int max) {
        if (node.kind() != ConfigNode.Kind.SCALAR) {
            problem(node, what + ": write text, not a " + node.kind().name().toLowerCase(java.util.Locale.ROOT));
            return Optional.empty();
        }
        String v = node.asString().strip();
        if (v.isEmpty()) {
            problem(node, what + ": empty; " + hint(what));
            return Optional.empty();
        }
        if (v.length() > max) {
            problem(node, what + ": " + v.length() + " characters, more than " + max + "; shorten it");
            return Optional.empty();
        }
        return Optional.of(v);
    }

    private static String hint(String key) {
        return switch (key) {
            case "skill" -> "name the skill, e.g. skill: oom-memory-leak";
            case "summary" -> "say in one line what the skill finds, e.g. summary: pods killed for memory";
            case "version" -> "write version: 1 (raise it on every change)";
            case "triggers" -> "list when it applies, e.g. triggers: [{log: OutOfMemoryError}]";
            case "steps" -> "list the reads, e.g. steps: [{read: \"/teams/{team}/{env}/logs/api.log?since=1h\", why: ...}]";
            default -> "see docs/skills.md";
        };
    }

    private String version(ConfigNode root) {
        Optional<String> v = text(root, "version", 20);
        if (v.isPresent() && !VERSION.matcher(v.get()).matches()) {
            problem(root.get("version").orElseThrow(), "version '" + v.get() + "' is not a version; write 1, 1.2 or 1.2.3");
        }
        return v.orElse("");
    }

    private Optional<List<ConfigNode>> list(ConfigNode root, String key, int max, boolean required) {
        Optional<ConfigNode> node = root.get(key);
        if (node.isEmpty() || node.get().isNull()) {
            if (required) {
                problem(root, key + ": missing; " + hint(key));
            }
            return Optional.empty();
        }
        if (node.get().kind() != ConfigNode.Kind.LIST) {
            problem(node.get(), key + ": write a list (- item per line, or [a, b])");
            return Optional.empty();
        }
        List<ConfigNode> items = node.get().items();
        if (required && items.isEmpty()) {
            problem(node.get(), key + ": empty; " + hint(key));
        }
        if (items.size() > max) {
            problem(node.get(), key + ": " + items.size() + " items, more than " + max + "; split the skill");
            return Optional.empty();
        }
        return Optional.of(items);
    }

    private List<StructuredSkill.Trigger> triggers(ConfigNode root) {
        List<StructuredSkill.Trigger> out = new ArrayList<>();
        List<ConfigNode> items = list(root, "triggers", MAX_TRIGGERS, true).orElse(List.of());
        for (int i = 0; i < items.size(); i++) {
            ConfigNode t = items.get(i);
            String at = "triggers[" + i + "]";
            if (!t.isMap() || t.keys().size() != 1 || !TRIGGER_KINDS.contains(t.keys().iterator().next())) {
                problem(t, at + ": write one of {log: TEXT}, {metric: TEXT}, {alert: NAME}, {event: REASON}");
                continue;
            }
            String kind = t.keys().iterator().next();
            scalar(t.entries().get(kind), at + "." + kind, 200).ifPresent(text -> out.add(new StructuredSkill.Trigger(kind, text)));
        }
        return out;
    }

    private List<StructuredSkill.Step> steps(ConfigNode root) {
        List<StructuredSkill.Step> out = new ArrayList<>();
        List<ConfigNode> items = list(root, "steps", MAX_STEPS, true).orElse(List.of());
        for (int i = 0; i < items.size(); i++) {
            ConfigNode s = items.get(i);
            String at = "steps[" + i + "]";
            if (!s.isMap()) {
                problem(s, at + ": write {read: PATH, why: TEXT}");
                continue;
            }
            for (Map.Entry<String, ConfigNode> e : s.entries().entrySet()) {
                if (!Set.of("read", "why").contains(e.getKey())) {
                    problem(e.getValue(), at + ": unknown key '" + e.getKey() + "'; a step is {read: PATH, why: TEXT}"
                            + " and is only ever read, never run");
                }
            }
            Optional<String> read = s.get("read").isPresent() ? scalar(s.get("read").get(), at + ".read", MAX_TEXT)
                    : missing(s, at + ".read: missing; write the tree path to read, e.g. /teams/{team}/{env}/logs/api.log?since=1h");
            Optional<String> why = s.get("why").isPresent() ? scalar(s.get("why").get(), at + ".why", MAX_TEXT)
                    : missing(s, at + ".why: missing; say what this read shows");
            read.ifPresent(r -> readProblems(r).forEach(p -> problem(s.get("read").orElseThrow(), at + ".read: " + p)));
            if (read.isPresent() && why.isPresent()) {
                out.add(new StructuredSkill.Step(read.get(), why.get()));
            }
        }
        return out;
    }

    /**
     * What is wrong with a step's read: it must be a tree path under {@code /teams/}, use only the
     * {@code {team}} and {@code {env}} placeholders, and name time relative to the incident
     * ({@code since=1h}), never a concrete time that would be wrong for the next incident.
     */
    public static List<String> readProblems(String read) {
        List<String> out = new ArrayList<>();
        if (!read.startsWith("/teams/")) {
            out.add("'" + read + "' is not a tree path under /teams/; write /teams/{team}/{env}/<section>/<file>?<terms>");
        }
        if (read.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            out.add("contains a control character; a read is one path");
        }
        String path = read.split("\\?", 2)[0];
        for (String seg : path.split("/")) {
            if (seg.equals("..") || seg.equals(".")) {
                out.add("'" + seg + "' segments are not allowed; name the file directly");
                break;
            }
        }
        Matcher m = PLACEHOLDER.matcher(read);
        while (m.find()) {
            if (!Set.of("team", "env").contains(m.group(1))) {
                out.add("placeholder {" + m.group(1) + "} is unknown; only {team} and {env} are filled in "
                        + "(write a pod as a label selector or a wildcard, e.g. pods?label=app=api)");
            }
        }
        if (read.contains("?")) {
            Matcher t = ABSOLUTE_TIME.matcher(read.substring(read.indexOf('?')));
            while (t.find()) {
                out.add(t.group(1) + "=" + t.group(2) + " is a concrete time; write a window relative to now, e.g. since=1h");
            }
        }
        return out;
    }

    private Optional<String> missing(ConfigNode at, String message) {
        problem(at, message);
        return Optional.empty();
    }

    private Map<String, Object> plan(ConfigNode root) {
        Optional<ConfigNode> node = root.get("plan");
        if (node.isEmpty() || node.get().isNull()) {
            return Map.of();
        }
        if (!node.get().isMap()) {
            problem(node.get(), "plan: write a change request template (a map with hypothesis, actions, verify, rollback)");
            return Map.of();
        }
        Set<String> allowed = Set.of("hypothesis", "confidence", "actions", "verify", "rollback");
        for (Map.Entry<String, ConfigNode> e : node.get().entries().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                problem(e.getValue(), "plan: unknown key '" + e.getKey() + "'; a plan template has hypothesis, confidence, "
                        + "actions, verify, rollback (incident_id, team, env and evidence come from the incident)");
            }
        }
        node.get().get("actions").ifPresent(actions -> {
            if (actions.kind() != ConfigNode.Kind.LIST || actions.items().isEmpty()) {
                problem(actions, "plan.actions: write a list of {tool, target, params}");
                return;
            }
            for (int i = 0; i < actions.items().size(); i++) {
                ConfigNode a = actions.items().get(i);
                if (!a.isMap() || a.get("tool").isEmpty() || a.get("tool").get().kind() != ConfigNode.Kind.SCALAR) {
                    problem(a, "plan.actions[" + i + "]: write {tool: scale|restart|set_resources|undo|delete_pod, target: "
                            + "{kind, name}, params: {...}}");
                }
            }
        });
        return plain(node.get());
    }

    /** The template as plain maps, lists and strings, in the order written. */
    @SuppressWarnings("unchecked")
    private static <T> T plainValue(ConfigNode n) {
        return (T) switch (n.kind()) {
            case MAP -> plain(n);
            case LIST -> n.items().stream().map(SkillSchema::plainValue).toList();
            case SCALAR -> n.asString();
            case NULL -> "";
        };
    }

    private static Map<String, Object> plain(ConfigNode map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.entries().forEach((k, v) -> out.put(k, plainValue(v)));
        return out;
    }

    private List<String> guardrails(ConfigNode root) {
        List<String> out = new ArrayList<>();
        List<ConfigNode> items = list(root, "guardrails", MAX_STEPS, false).orElse(List.of());
        for (int i = 0; i < items.size(); i++) {
            scalar(items.get(i), "guardrails[" + i + "]", MAX_TEXT).ifPresent(out::add);
        }
        return out;
    }

    private void problem(ConfigNode at, String message) {
        problems.add(new SkillProblem(at.where(), message));
    }
}
