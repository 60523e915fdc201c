package dev.aegis.afs.agent;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The agent's own policy (the cluster owner's last word, whatever the control plane says):
 * CEL rules over {@code intent} (action, mode, target, parameters, ids) and {@code object} (the
 * live object as the agent just read it, in its Kubernetes JSON form). Default deny: an intent
 * runs only when some {@code allow} rule holds and no {@code deny} rule does. A rule that cannot
 * be evaluated counts as a deny.
 *
 * <pre>
 * allow:
 *   - name: scale-payments
 *     when: intent.action == 'scale' &amp;&amp; intent.target.namespace == 'payments'
 *           &amp;&amp; intent.parameters.replicas &lt;= 2 * object.spec.replicas
 * deny:
 *   - name: never-kube-system
 *     when: intent.target.namespace == 'kube-system'
 * </pre>
 */
public final class LocalPolicy {

    private static final Cel CEL = CelFactory.standardCelBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("intent", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("object", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .setResultType(SimpleType.BOOL)
            .build();

    record Rule(String name, String expression, CelRuntime.Program program) {
    }

    /** Why an intent may or may not run. */
    public record Decision(boolean allowed, String rule, String message) {
    }

    /** The policy file could not be loaded: the agent locks (runs nothing) until it is fixed. */
    public static final class Unloadable extends Exception {
        Unloadable(String message) {
            super(message);
        }
    }

    private final List<Rule> allow;
    private final List<Rule> deny;

    private LocalPolicy(List<Rule> allow, List<Rule> deny) {
        this.allow = List.copyOf(allow);
        this.deny = List.copyOf(deny);
    }

    public static LocalPolicy load(Path file) throws Unloadable {
        requireNonNull(file, "file is null");
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new Unloadable("policy " + file + " cannot be read: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new Unloadable("policy " + file + " must be a map with allow: and optionally deny: lists of {name, when}");
        }
        Set<String> names = new HashSet<>();
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("allow") && !k.equals("deny")) {
                throw new Unloadable("policy " + file + ": unknown key '" + k + "'; only allow and deny");
            }
        }
        return new LocalPolicy(rules(file, root.path("allow"), "allow", names), rules(file, root.path("deny"), "deny", names));
    }

    private static List<Rule> rules(Path file, JsonNode list, String section, Set<String> names) throws Unloadable {
        List<Rule> out = new ArrayList<>();
        if (list.isMissingNode() || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw new Unloadable("policy " + file + ": " + section + " must be a list of {name, when}");
        }
        int i = 0;
        for (JsonNode r : list) {
            String where = "policy " + file + ": " + section + "[" + i++ + "]";
            String name = r.path("name").asText("");
            String when = r.path("when").asText("");
            if (name.isBlank() || when.isBlank()) {
                throw new Unloadable(where + " needs a name and a when (a CEL expression)");
            }
            if (!names.add(name)) {
                throw new Unloadable(where + ": the rule name '" + name + "' is used twice");
            }
            CelValidationResult compiled = CEL.compile(when);
            if (compiled.hasError()) {
                throw new Unloadable(where + " (" + name + ") does not compile: " + compiled.getErrorString());
            }
            try {
                out.add(new Rule(name, when, CEL.createProgram(compiled.getAst())));
            } catch (Exception e) {
                throw new Unloadable(where + " (" + name + ") cannot be planned: " + e.getMessage());
            }
        }
        return out;
    }

    public Decision decide(Map<String, Object> intent, Map<String, Object> object) {
        Map<String, Object> vars = Map.of("intent", intent, "object", object);
        for (Rule r : deny) {
            Optional<Boolean> v = eval(r, vars);
            if (v.isEmpty() || v.get()) {
                return new Decision(false, r.name(), v.isEmpty() ? "deny rule '" + r.name() + "' could not be evaluated; not acting"
                        : "deny rule '" + r.name() + "' matched (" + r.expression() + ")");
            }
        }
        List<String> failed = new ArrayList<>();
        for (Rule r : allow) {
            Optional<Boolean> v = eval(r, vars);
            if (v.isPresent() && v.get()) {
                return new Decision(true, r.name(), "allowed by rule '" + r.name() + "'");
            }
            if (v.isEmpty()) {
                failed.add(r.name());
            }
        }
        return new Decision(false, "", "no allow rule of the local policy matched" + (failed.isEmpty() ? ""
                : " (could not evaluate: " + String.join(", ", failed) + ")") + "; the agent denies by default");
    }

    private static Optional<Boolean> eval(Rule r, Map<String, Object> vars) {
        try {
            return Optional.of(Boolean.TRUE.equals(r.program().eval(vars)));
        } catch (CelEvaluationException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
