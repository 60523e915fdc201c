package dev.aegis.afs.core.skills;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The structured skill schema: a table of broken skills and the exact file:line:column problems each gets. */
class SkillSchemaTest {

    private static final String GOOD = """
            skill: oom
            summary: pods run out of memory
            version: 1
            triggers: [{log: OutOfMemoryError}]
            steps:
              - {read: "/teams/{team}/{env}/logs/api.log?since=1h&grep=OutOfMemoryError&tail=20", why: how often}
            plan:
              actions: [{tool: scale, target: {kind: Deployment, name: api}, params: {replicas: 4}}]
            guardrails: [at most 2x]
            """;

    @Test
    void aGoodSkillReads() {
        SkillSchema.Result r = SkillSchema.read("oom.yaml", GOOD, Optional.of("oom"));
        assertEquals(List.of(), r.problems());
        StructuredSkill s = r.skill().orElseThrow();
        assertEquals("oom", s.name());
        assertEquals("1", s.version());
        assertEquals(List.of(new StructuredSkill.Trigger("log", "OutOfMemoryError")), s.triggers());
        assertEquals("/teams/payments/prod/logs/api.log?since=1h&grep=OutOfMemoryError&tail=20",
                s.steps().get(0).readFor("payments", "prod"));
        assertEquals(List.of("at most 2x"), s.guardrails());
        assertTrue(s.plan().containsKey("actions"), s.plan().toString());
    }

    static List<List<String>> broken() {
        return List.of(
                // broken YAML: Jackson's location of the syntax error
                List.of("skill: oom\nsummary: [unclosed\n", "x.yaml:2:19: while parsing a flow sequence; fix the YAML syntax at this position"),
                List.of("skill: oom\n  summary: bad indent\n", "x.yaml:2:10: "),
                // schema problems, each at the line of the value at fault
                List.of(GOOD.replace("version: 1", "version: one"), "x.yaml:3:10: version 'one' is not a version; write 1, 1.2 or 1.2.3"),
                List.of(GOOD.replace("version: 1\n", ""), "x.yaml:1:1: version: missing; write version: 1 (raise it on every change)"),
                List.of(GOOD.replace("{log: OutOfMemoryError}", "{grep: OutOfMemoryError}"),
                        "x.yaml:4:12: triggers[0]: write one of {log: TEXT}, {metric: TEXT}, {alert: NAME}, {event: REASON}"),
                List.of(GOOD.replace("since=1h", "from=2026-11-21T10:00:00Z"),
                        "x.yaml:6:12: steps[0].read: from=2026-11-21T10:00:00Z is a concrete time; write a window relative to now, e.g. since=1h"),
                List.of(GOOD.replace("logs/api.log", "k8s/pods/{pod}.describe"),
                        "x.yaml:6:12: steps[0].read: placeholder {pod} is unknown; only {team} and {env} are filled in"),
                List.of(GOOD.replace("\"/teams/", "\"/etc/passwd#/teams/"),
                        "x.yaml:6:12: steps[0].read: '/etc/passwd#/teams/"),
                List.of(GOOD.replace("why: how often", "why: how often, run: rm -rf /"),
                        "x.yaml:6:108: steps[0]: unknown key 'run'; a step is {read: PATH, why: TEXT} and is only ever read, never run"),
                List.of(GOOD + "exec: curl evil\n", "x.yaml:10:7: unknown key 'exec'; a skill has only skill, summary"),
                List.of(GOOD.replace("skill: oom", "skill: Oom_Kill"), "x.yaml:1:8: skill 'Oom_Kill' is not a skill name"),
                List.of(GOOD.replace("[{tool: scale,", "[{what: scale,"), "x.yaml:8:13: plan.actions[0]: write {tool: "));
    }

    @ParameterizedTest
    @MethodSource("broken")
    void eachProblemIsNamedAtItsLine(List<String> c) {
        SkillSchema.Result r = SkillSchema.read("x.yaml", c.get(0), Optional.empty());
        assertTrue(r.skill().isEmpty());
        assertTrue(r.problems().stream().anyMatch(p -> p.toString().startsWith(c.get(1))),
                "expected a problem starting " + c.get(1) + " in " + r.problems());
    }

    @Test
    void theFileNameMustMatchTheSkill() {
        SkillSchema.Result r = SkillSchema.read("teams/payments/other.yaml", GOOD, Optional.of("other"));
        assertEquals("teams/payments/other.yaml:1:8: skill 'oom' is in a file named other.yaml; name the file oom.yaml "
                + "or the skill other", r.problems().get(0).toString());
    }

    @Test
    void everyProblemIsListedNotJustTheFirst() {
        SkillSchema.Result r = SkillSchema.read("x.yaml", "skill: oom\n", Optional.empty());
        assertEquals(List.of("x.yaml:1:1: summary: missing; say in one line what the skill finds, e.g. summary: pods killed for memory",
                "x.yaml:1:1: version: missing; write version: 1 (raise it on every change)",
                "x.yaml:1:1: triggers: missing; list when it applies, e.g. triggers: [{log: OutOfMemoryError}]",
                "x.yaml:1:1: steps: missing; list the reads, e.g. steps: [{read: \"/teams/{team}/{env}/logs/api.log?since=1h\", why: ...}]"),
                r.problems().stream().map(SkillProblem::toString).toList());
    }
}
