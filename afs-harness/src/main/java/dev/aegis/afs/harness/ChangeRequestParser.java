package dev.aegis.afs.harness;

import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.harness.ChangeRequest.Action;
import dev.aegis.afs.harness.ChangeRequest.EvidencePointer;
import dev.aegis.afs.harness.ChangeRequest.Rollback;
import dev.aegis.afs.harness.ChangeRequest.Target;
import dev.aegis.afs.harness.ChangeRequest.Tool;
import dev.aegis.afs.harness.ChangeRequest.VerifyStep;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a change request document (YAML or JSON). Every problem found is reported with its
 * position, field path and fix; nothing partial is returned.
 */
public final class ChangeRequestParser {

    /** Largest document accepted. */
    public static final int MAX_BYTES = 256 * 1024;
    /** Deepest nesting accepted (the schema needs 4). */
    public static final int MAX_DEPTH = 8;
    public static final int MAX_ACTIONS = 20;
    public static final int MAX_EVIDENCE = 100;

    private static final Set<String> TOP = Set.of("incident_id", "team", "env", "hypothesis", "confidence",
            "evidence", "actions", "verify", "rollback");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern LINES = Pattern.compile("(\\d{1,12})(?:-(\\d{1,12}))?");
    private static final Map<Tool, List<String>> KINDS = Map.of(
            Tool.SCALE, List.of("Deployment", "StatefulSet"),
            Tool.RESTART, List.of("Deployment", "StatefulSet", "DaemonSet"),
            Tool.SET_RESOURCES, List.of("Deployment", "StatefulSet", "DaemonSet"),
            Tool.UNDO, List.of("Deployment"),
            Tool.DELETE_POD, List.of("Pod"));

    private final List<String> problems = new ArrayList<>();

    private ChangeRequestParser() {
    }

    /** Parses {@code bytes}; {@code name} appears in positions, e.g. {@code change-request}. */
    public static ChangeRequest parse(String name, byte[] bytes) throws PlanProblems {
        if (bytes.length > MAX_BYTES) {
            throw new PlanProblems(List.of(name + ": " + bytes.length + " bytes is larger than the limit of "
                    + MAX_BYTES + " bytes; cite evidence by path instead of pasting it"));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new PlanProblems(List.of(name + ": not valid UTF-8; write the document as UTF-8 YAML or JSON"));
        }
        ConfigNode root;
        try {
            root = ConfigReader.parse(name, text);
        } catch (ConfigException e) {
            throw new PlanProblems(List.of(e.getMessage()));
        }
        ChangeRequestParser p = new ChangeRequestParser();
        if (!root.isMap()) {
            throw new PlanProblems(List.of(root.where() + ": a change request must be a map with incident_id, team, "
                    + "env, hypothesis, confidence, evidence, actions; see docs/change-requests.md"));
        }
        p.depth(root, "", 0);
        if (!p.problems.isEmpty()) {
            throw new PlanProblems(p.problems);
        }
        ChangeRequest request = p.request(root);
        if (!p.problems.isEmpty()) {
            throw new PlanProblems(p.problems);
        }
        return request;
    }

    private void depth(ConfigNode node, String path, int depth) {
        if (depth > MAX_DEPTH) {
            problem(node, path, "nested deeper than " + MAX_DEPTH + " levels; a change request needs at most 4");
            return;
        }
        if (node.isMap()) {
            node.entries().forEach((k, v) -> depth(v, path + "." + k, depth + 1));
        } else if (node.kind() == ConfigNode.Kind.LIST) {
            node.items().forEach(v -> depth(v, path + "[]", depth + 1));
        }
    }

    private ChangeRequest request(ConfigNode root) {
        keys(root, "", TOP);
        String incident = string(root, "", "incident_id", WORD, "an incident id such as INC-1234").orElse("");
        String team = string(root, "", "team", WORD, "the team name from namespaces.yaml").orElse("");
        String env = string(root, "", "env", WORD, "the env name from namespaces.yaml").orElse("");
        String hypothesis = text(root, "", "hypothesis", 4000).orElse("");
        double confidence = confidence(root);
        List<EvidencePointer> evidence = new ArrayList<>();
        list(root, "evidence", MAX_EVIDENCE, true).ifPresent(items -> {
            for (int i = 0; i < items.size(); i++) {
                evidence(items.get(i), "evidence[" + i + "]").ifPresent(evidence::add);
            }
        });
        List<Action> actions = new ArrayList<>();
        list(root, "actions", MAX_ACTIONS, true).ifPresent(items -> {
            for (int i = 0; i < items.size(); i++) {
                action(items.get(i), "actions[" + i + "]").ifPresent(actions::add);
            }
        });
        Set<String> seenKeys = new java.util.HashSet<>();
        for (Action a : actions) {
            if (!seenKeys.add(a.idempotencyKey())) {
                problems.add(a.field() + ".idempotency_key: '" + a.idempotencyKey()
                        + "' is used twice in this request; give every action its own key");
            }
        }
        List<VerifyStep> verify = new ArrayList<>();
        list(root, "verify", 20, false).ifPresent(items -> {
            for (int i = 0; i < items.size(); i++) {
                verify(items.get(i), "verify[" + i + "]").ifPresent(verify::add);
            }
        });
        Rollback rollback = Rollback.BEFORE_STATE;
        Optional<ConfigNode> rb = root.get("rollback");
        if (rb.isPresent()) {
            String v = scalar(rb.get(), "rollback").orElse("before_state");
            switch (v) {
                case "before_state" -> rollback = Rollback.BEFORE_STATE;
                case "none" -> rollback = Rollback.NONE;
                default -> problem(rb.get(), "rollback", "'" + v + "' is not a rollback strategy; write before_state "
                        + "(restore what each action changed) or none");
            }
        }
        return new ChangeRequest(incident, team, env, hypothesis, confidence, evidence, actions, verify, rollback);
    }

    private double confidence(ConfigNode root) {
        Optional<ConfigNode> node = present(root, "", "confidence", "a number from 0 to 1, e.g. 0.8");
        if (node.isEmpty()) {
            return 0;
        }
        Optional<String> s = scalar(node.get(), "confidence");
        if (s.isEmpty()) {
            return 0;
        }
        try {
            double d = Double.parseDouble(s.get());
            if (d >= 0 && d <= 1) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problem(node.get(), "confidence", "'" + s.get() + "' is not a number from 0 to 1; write e.g. 0.8");
        return 0;
    }

    private Optional<EvidencePointer> evidence(ConfigNode node, String field) {
        if (!map(node, field)) {
            return Optional.empty();
        }
        keys(node, field, Set.of("path", "sha256", "lines", "captured_at"));
        Optional<String> path = string(node, field, "path", null, "an /evidence/<day>/<name> path");
        Optional<String> sha = string(node, field, "sha256", null, "the 64-hex sha256 (user.afs.sha256 xattr)");
        Optional<String> lines = string(node, field, "lines", null, "a line range such as \"10-20\"");
        Optional<Instant> capturedAt = Optional.empty();
        Optional<ConfigNode> at = node.get("captured_at");
        if (at.isPresent()) {
            Optional<String> s = scalar(at.get(), field + ".captured_at");
            if (s.isPresent()) {
                try {
                    capturedAt = Optional.of(Instant.parse(s.get()));
                } catch (DateTimeParseException e) {
                    problem(at.get(), field + ".captured_at", "'" + s.get()
                            + "' is not a UTC timestamp; copy the user.afs.captured_at xattr, e.g. 2026-11-21T21:38:00.123Z");
                }
            }
        }
        String id = "";
        if (path.isPresent()) {
            // The tree path (/evidence/<day>/<name>, as user.afs.evidence gives it) or the same file on
            // a host mount (/mnt/x/evidence/...): the id follows the last /evidence/, wherever mounted.
            int at2 = path.get().lastIndexOf("/evidence/");
            if (at2 < 0 || path.get().contains("/../") || path.get().endsWith("/..")) {
                problem(node.get("path").orElse(node), field + ".path", "'" + path.get()
                        + "' is not an evidence path; cite a snapshot under /evidence/ (the user.afs.evidence xattr of the file you read)");
                path = Optional.empty();
            } else {
                id = path.get().substring(at2 + "/evidence/".length());
            }
        }
        if (sha.isPresent() && !SHA.matcher(sha.get().toLowerCase(Locale.ROOT)).matches()) {
            problem(node.get("sha256").orElse(node), field + ".sha256", "'" + sha.get()
                    + "' is not a sha256; copy the 64 hex digits of the user.afs.sha256 xattr");
            sha = Optional.empty();
        }
        long first = 0;
        long last = 0;
        if (lines.isPresent()) {
            Matcher m = LINES.matcher(lines.get().trim());
            if (m.matches()) {
                first = Long.parseLong(m.group(1));
                last = m.group(2) == null ? first : Long.parseLong(m.group(2));
            }
            if (!m.matches() || first < 1 || last < first) {
                problem(node.get("lines").orElse(node), field + ".lines", "'" + lines.get()
                        + "' is not a line range; write \"first-last\" with 1 <= first <= last, e.g. \"10-20\"");
                lines = Optional.empty();
            }
        }
        if (path.isEmpty() || sha.isEmpty() || lines.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new EvidencePointer(id, sha.get().toLowerCase(Locale.ROOT), first, last, capturedAt, field));
    }

    private Optional<Action> action(ConfigNode node, String field) {
        if (!map(node, field)) {
            return Optional.empty();
        }
        keys(node, field, Set.of("tool", "target", "params", "idempotency_key"));
        Optional<String> toolName = string(node, field, "tool", null, "one of scale, restart, set_resources, undo, delete_pod");
        Optional<Tool> tool = toolName.flatMap(Tool::of);
        if (toolName.isPresent() && tool.isEmpty()) {
            problem(node.get("tool").orElse(node), field + ".tool", "unknown tool '" + toolName.get()
                    + "'; use one of scale, restart, set_resources, undo, delete_pod");
        }
        Optional<String> key = string(node, field, "idempotency_key", KEY,
                "a unique key (letters, digits, . _ : -) such as inc-1234-scale-api-1");
        Optional<Target> target = present(node, field, "target", "{kind: Deployment, name: api}")
                .flatMap(t -> target(t, field + ".target"));
        ConfigNode params = node.get("params").orElse(null);
        if (params != null && !map(params, field + ".params")) {
            return Optional.empty();
        }
        if (tool.isEmpty() || key.isEmpty() || target.isEmpty()) {
            return Optional.empty();
        }
        String kind = target.get().kind();
        if (!KINDS.get(tool.get()).contains(kind)) {
            problem(node.get("target").orElse(node), field + ".target.kind", tool.get().wireName() + " cannot act on a "
                    + kind + "; use kind " + String.join(" or ", KINDS.get(tool.get())));
            return Optional.empty();
        }
        Map<String, Object> values = new LinkedHashMap<>();
        String pf = field + ".params";
        switch (tool.get()) {
            case SCALE -> {
                keysIf(params, pf, Set.of("replicas"));
                Optional<ConfigNode> r = params == null ? Optional.empty() : params.get("replicas");
                if (r.isEmpty()) {
                    problem(params == null ? node : params, pf + ".replicas", "missing; add params: {replicas: N}");
                    return Optional.empty();
                }
                Optional<Long> n = number(r.get(), pf + ".replicas", 0, 1000);
                if (n.isEmpty()) {
                    return Optional.empty();
                }
                values.put("replicas", n.get());
            }
            case SET_RESOURCES -> {
                if (target.get().container().isEmpty()) {
                    problem(node.get("target").orElse(node), field + ".target.container",
                            "missing; set_resources needs the container name, e.g. target: {kind: Deployment, name: api, container: app}");
                    return Optional.empty();
                }
                keysIf(params, pf, Set.of("requests", "limits"));
                if (params == null || (params.get("requests").isEmpty() && params.get("limits").isEmpty())) {
                    problem(params == null ? node : params, pf, "missing requests or limits; add e.g. params: {limits: {memory: 512Mi}}");
                    return Optional.empty();
                }
                for (String section : List.of("requests", "limits")) {
                    Optional<ConfigNode> s = params.get(section);
                    if (s.isEmpty()) {
                        continue;
                    }
                    if (!map(s.get(), pf + "." + section)) {
                        return Optional.empty();
                    }
                    keys(s.get(), pf + "." + section, Set.of("cpu", "memory"));
                    Map<String, String> q = new LinkedHashMap<>();
                    for (Map.Entry<String, ConfigNode> e : s.get().entries().entrySet()) {
                        Optional<String> v = scalar(e.getValue(), pf + "." + section + "." + e.getKey());
                        if (v.isEmpty()) {
                            return Optional.empty();
                        }
                        try {
                            io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(
                                    new io.fabric8.kubernetes.api.model.Quantity(v.get()));
                        } catch (RuntimeException ex) {
                            problem(e.getValue(), pf + "." + section + "." + e.getKey(), "'" + v.get()
                                    + "' is not a Kubernetes quantity; write e.g. 500m (cpu) or 512Mi (memory)");
                            return Optional.empty();
                        }
                        q.put(e.getKey(), v.get());
                    }
                    values.put(section, Map.copyOf(q));
                }
            }
            case UNDO -> {
                keysIf(params, pf, Set.of("to_revision"));
                Optional<ConfigNode> r = params == null ? Optional.empty() : params.get("to_revision");
                if (r.isPresent()) {
                    Optional<Long> n = number(r.get(), pf + ".to_revision", 1, Long.MAX_VALUE);
                    if (n.isEmpty()) {
                        return Optional.empty();
                    }
                    values.put("to_revision", n.get());
                }
            }
            case RESTART, DELETE_POD -> keysIf(params, pf, Set.of());
        }
        return Optional.of(new Action(tool.get(), target.get(), values, key.get(), field));
    }

    private Optional<Target> target(ConfigNode node, String field) {
        if (!map(node, field)) {
            return Optional.empty();
        }
        keys(node, field, Set.of("kind", "name", "namespace", "container"));
        Optional<String> kind = string(node, field, "kind", null, "Deployment, StatefulSet, DaemonSet or Pod");
        Optional<String> name = string(node, field, "name", NAME, "the object's name (lower case, digits, - and .)");
        Optional<String> namespace = node.get("namespace").isPresent()
                ? string(node, field, "namespace", NAME, "a namespace name") : Optional.empty();
        Optional<String> container = node.get("container").isPresent()
                ? string(node, field, "container", NAME, "a container name") : Optional.empty();
        Optional<String> canonical = kind.flatMap(k -> List.of("Deployment", "StatefulSet", "DaemonSet", "Pod").stream()
                .filter(c -> c.equalsIgnoreCase(k)).findFirst());
        if (kind.isPresent() && canonical.isEmpty()) {
            problem(node.get("kind").orElse(node), field + ".kind", "unknown kind '" + kind.get()
                    + "'; use Deployment, StatefulSet, DaemonSet or Pod");
        }
        if (canonical.isEmpty() || name.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Target(canonical.get(), name.get(), namespace, container));
    }

    private Optional<VerifyStep> verify(ConfigNode node, String field) {
        if (!map(node, field)) {
            return Optional.empty();
        }
        keys(node, field, Set.of("pods_ready", "timeout"));
        Optional<Target> target = present(node, field, "pods_ready", "{kind: Deployment, name: api}")
                .flatMap(t -> target(t, field + ".pods_ready"));
        Duration timeout = Duration.ofSeconds(60);
        Optional<ConfigNode> t = node.get("timeout");
        if (t.isPresent()) {
            try {
                timeout = t.get().asDuration();
                if (timeout.compareTo(Duration.ofMinutes(10)) > 0) {
                    problem(t.get(), field + ".timeout", "longer than 10m; verify sooner and submit a follow-up");
                }
            } catch (ConfigException e) {
                problem(t.get(), field + ".timeout", "not a duration; write e.g. 30s or 2m");
            }
        }
        if (target.isPresent() && target.get().kind().equals("Pod")) {
            problem(node, field + ".pods_ready.kind", "pods_ready checks a workload; use Deployment, StatefulSet or DaemonSet");
            return Optional.empty();
        }
        Duration chosen = timeout;
        return target.map(x -> new VerifyStep(x, chosen));
    }

    // ---- small readers that record a problem instead of throwing ----

    private void keys(ConfigNode node, String field, Set<String> allowed) {
        for (String k : node.keys()) {
            if (!allowed.contains(k)) {
                problem(node.entries().get(k), join(field, k), "unknown field"
                        + (allowed.isEmpty() ? "; this takes no fields, remove it"
                        : "; allowed here: " + String.join(", ", new TreeSet<>(allowed))));
            }
        }
    }

    private void keysIf(ConfigNode node, String field, Set<String> allowed) {
        if (node != null) {
            keys(node, field, allowed);
        }
    }

    private boolean map(ConfigNode node, String field) {
        if (!node.isMap()) {
            problem(node, field, "expected a map (key: value) here");
            return false;
        }
        return true;
    }

    private Optional<ConfigNode> present(ConfigNode parent, String field, String key, String example) {
        Optional<ConfigNode> node = parent.get(key);
        if (node.isEmpty()) {
            problem(parent, join(field, key), "missing; add " + key + ": " + example);
        }
        return node;
    }

    private Optional<String> scalar(ConfigNode node, String field) {
        if (node.kind() != ConfigNode.Kind.SCALAR) {
            problem(node, field, "expected a single value here, not a " + node.kind().name().toLowerCase(Locale.ROOT));
            return Optional.empty();
        }
        return Optional.of(node.asString());
    }

    private Optional<String> string(ConfigNode parent, String field, String key, Pattern pattern, String what) {
        Optional<ConfigNode> node = present(parent, field, key, what);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> s = scalar(node.get(), join(field, key));
        if (s.isPresent() && (s.get().isBlank() || (pattern != null && !pattern.matcher(s.get()).matches()))) {
            problem(node.get(), join(field, key), "'" + s.get() + "' is not valid; write " + what);
            return Optional.empty();
        }
        return s;
    }

    private Optional<String> text(ConfigNode parent, String field, String key, int max) {
        Optional<ConfigNode> node = present(parent, field, key, "one or two sentences: what you think is wrong");
        Optional<String> s = node.flatMap(n -> scalar(n, join(field, key)));
        if (s.isPresent() && (s.get().isBlank() || s.get().length() > max)) {
            problem(node.get(), join(field, key), "must be 1 to " + max + " characters; say what you think is wrong");
            return Optional.empty();
        }
        return s;
    }

    private Optional<Long> number(ConfigNode node, String field, long min, long max) {
        Optional<String> s = scalar(node, field);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            long v = Long.parseLong(s.get().trim());
            if (v >= min && v <= max) {
                return Optional.of(v);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problem(node, field, "'" + s.get() + "' is not a whole number from " + min + " to " + max);
        return Optional.empty();
    }

    private Optional<List<ConfigNode>> list(ConfigNode parent, String key, int max, boolean required) {
        Optional<ConfigNode> node = required ? present(parent, "", key, "a list (- ...)") : parent.get(key);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (node.get().kind() != ConfigNode.Kind.LIST) {
            problem(node.get(), key, "expected a list (- ...) here");
            return Optional.empty();
        }
        List<ConfigNode> items = node.get().items();
        if (required && items.isEmpty()) {
            problem(node.get(), key, "empty; give at least one entry");
        }
        if (items.size() > max) {
            problem(node.get(), key, items.size() + " entries is more than the limit of " + max + "; split the request");
            return Optional.empty();
        }
        return Optional.of(items);
    }

    private void problem(ConfigNode node, String field, String message) {
        problems.add(node.where() + ": " + field + ": " + message);
    }

    private static String join(String field, String key) {
        return field.isEmpty() ? key : field + "." + key;
    }
}
