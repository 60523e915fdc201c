package dev.aegis.afs.core.redact;

import dev.aegis.afs.core.config.ConfigNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which {@link Redactor} applies to a read, by its team and env. Configured per env:
 * <pre>
 * redact:
 *   builtin: true                       # the built-in rules (default true)
 *   rules: [{kind: TENANT_ID, pattern: 'tenant=[a-z0-9]+'}]   # custom RE2 rules
 *   blind: {key_file: /etc/afs/blind.key}   # or key_env: AFS_BLIND_KEY: pseudonyms, not [REDACTED_x]
 * </pre>
 * An env without {@code redact:} gets the built-in rules; so does any path outside /teams.
 */
public final class RedactionPolicy {

    private final Map<String, Redactor> byEnv;
    private final Redactor fallback;

    private RedactionPolicy(Map<String, Redactor> byEnv, Redactor fallback) {
        this.byEnv = Map.copyOf(byEnv);
        this.fallback = fallback;
    }

    /** Built-in rules everywhere. */
    public static RedactionPolicy builtins() {
        return new RedactionPolicy(Map.of(), Redactor.withBuiltins(List.of(), Optional.empty()));
    }

    /**
     * @param envSections team -> env -> the env's section (its {@code redact:} key is read here)
     */
    public static RedactionPolicy from(Map<String, Map<String, ConfigNode>> envSections, Path configDir,
                                       Function<String, String> environment) {
        Map<String, Redactor> byEnv = new HashMap<>();
        envSections.forEach((team, envs) -> envs.forEach((env, node) -> node.get("redact").ifPresent(r ->
                byEnv.put(team + "/" + env, parse(r, team + "/" + env, configDir, environment)))));
        return new RedactionPolicy(byEnv, Redactor.withBuiltins(List.of(), Optional.empty()));
    }

    private static Redactor parse(ConfigNode node, String tenant, Path configDir, Function<String, String> environment) {
        node.allowOnly(Set.of("builtin", "rules", "blind"));
        boolean builtin = node.get("builtin").map(ConfigNode::asBoolean).orElse(true);
        List<RedactionRule> custom = new ArrayList<>();
        node.get("rules").ifPresent(rules -> rules.items().forEach(rule -> {
            rule.allowOnly(Set.of("kind", "pattern"));
            String kind = rule.string("kind");
            if (!kind.matches("[A-Z][A-Z0-9_]*")) {
                throw rule.require("kind").error("kind '" + kind + "' must be upper case letters, digits and '_', e.g. TENANT_ID");
            }
            try {
                custom.add(RedactionRule.of(kind, rule.string("pattern")));
            } catch (com.google.re2j.PatternSyntaxException e) {
                throw rule.require("pattern").error("invalid RE2 pattern: " + e.getDescription());
            } catch (dev.aegis.afs.query.QuerySyntaxException e) {
                throw rule.require("pattern").error(e.getMessage());
            }
        }));
        Optional<Blinding> blinding = node.get("blind").map(b -> blinding(b, tenant, configDir, environment));
        return builtin ? Redactor.withBuiltins(custom, blinding) : new Redactor(custom, blinding);
    }

    private static Blinding blinding(ConfigNode node, String tenant, Path configDir, Function<String, String> environment) {
        node.allowOnly(Set.of("key_file", "key_env"));
        byte[] key;
        if (node.get("key_file").isPresent()) {
            Path file = configDir.resolve(node.string("key_file"));
            try {
                key = Files.readString(file, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw node.require("key_file").error("cannot read the blinding key file " + file
                        + "; create it with: head -c 32 /dev/urandom | base64 > " + file + " && chmod 600 " + file);
            }
        } else {
            String name = node.string("key_env");
            String value = environment.apply(name);
            if (value == null || value.isBlank()) {
                throw node.require("key_env").error("environment variable " + name + " is not set; export a key of at least 16 bytes");
            }
            key = value.strip().getBytes(StandardCharsets.UTF_8);
        }
        if (key.length < 16) {
            throw node.error("the blinding key must be at least 16 bytes; generate one with head -c 32 /dev/urandom | base64");
        }
        return new Blinding(key, tenant);
    }

    /** A fresh redactor for one read of {@code treePath}. */
    public Redactor forPath(String treePath) {
        if (treePath.startsWith("/teams/")) {
            String[] parts = treePath.split("/", 5);
            if (parts.length >= 4) {
                Redactor r = byEnv.get(parts[2] + "/" + parts[3]);
                if (r != null) {
                    return r.forRead();
                }
            }
        }
        return fallback.forRead();
    }
}
