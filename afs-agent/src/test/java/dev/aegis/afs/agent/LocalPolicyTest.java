package dev.aegis.afs.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local policy: default deny, deny wins, and a file that cannot be used is named with its problem. */
class LocalPolicyTest {

    @TempDir
    Path dir;

    static final Map<String, Object> INTENT = Map.of("action", "scale", "target", Map.of("namespace", "payments"),
            "parameters", Map.of("replicas", 4L));
    static final Map<String, Object> OBJECT = Map.of("spec", Map.of("replicas", 2L), "metadata", Map.of("name", "api"));

    LocalPolicy load(String yaml) throws Exception {
        Path p = dir.resolve("policy.yaml");
        Files.writeString(p, yaml);
        return LocalPolicy.load(p);
    }

    @Test
    void anEmptyPolicyDeniesEverything() throws Exception {
        LocalPolicy.Decision d = load("allow: []\n").decide(INTENT, OBJECT);
        assertFalse(d.allowed());
        assertTrue(d.message().contains("denies by default"), d.message());
    }

    @Test
    void anAllowRuleSeesTheIntentAndTheLiveObject() throws Exception {
        LocalPolicy p = load("allow:\n  - {name: double, when: \"intent.parameters.replicas <= 2 * object.spec.replicas\"}\n");
        assertTrue(p.decide(INTENT, OBJECT).allowed());
        assertFalse(p.decide(Map.of("action", "scale", "parameters", Map.of("replicas", 5L)), OBJECT).allowed());
    }

    @Test
    void aDenyRuleWinsAndARuleThatCannotBeEvaluatedDenies() throws Exception {
        LocalPolicy p = load("""
                allow:
                  - {name: all, when: "true"}
                deny:
                  - {name: labels, when: "object.metadata.labels['freeze'] == 'true'"}
                """);
        LocalPolicy.Decision d = p.decide(INTENT, OBJECT);
        assertFalse(d.allowed(), "object.metadata has no labels: the deny rule errors, which denies");
        assertEquals("labels", d.rule());
        assertTrue(d.message().contains("could not be evaluated"), d.message());
    }

    @Test
    void unusableFilesAreRefusedWithTheirProblem() {
        assertThrows(LocalPolicy.Unloadable.class, () -> LocalPolicy.load(dir.resolve("missing.yaml")));
        LocalPolicy.Unloadable e = assertThrows(LocalPolicy.Unloadable.class, () -> load("allow:\n  - {name: x, when: \"1 +\"}\n"));
        assertTrue(e.getMessage().contains("allow[0] (x) does not compile"), e.getMessage());
        e = assertThrows(LocalPolicy.Unloadable.class, () -> load("allow:\n  - {name: x, when: \"1 + 1\"}\n"));
        assertTrue(e.getMessage().contains("does not compile"), e.getMessage());
        e = assertThrows(LocalPolicy.Unloadable.class, () -> load("alow: []\n"));
        assertTrue(e.getMessage().contains("unknown key 'alow'"), e.getMessage());
        e = assertThrows(LocalPolicy.Unloadable.class, () -> load("allow:\n  - {name: x, when: \"true\"}\n  - {name: x, when: \"false\"}\n"));
        assertTrue(e.getMessage().contains("used twice"), e.getMessage());
    }
}
