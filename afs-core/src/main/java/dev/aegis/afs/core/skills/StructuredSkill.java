package dev.aegis.afs.core.skills;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * A structured skill (a {@code <name>.yaml} in a skills library): what it is for, when it applies,
 * which reads to make and what change usually follows. It is data an agent reads as untrusted
 * content: nothing in it is ever executed by afs; its reads are ordinary path queries the agent
 * chooses to make and its plan is a template the harness gates like any other plan.
 * Built only by {@link SkillSchema}, which has checked every field.
 *
 * @param name       {@code skill:}, equal to the file name without {@code .yaml}
 * @param version    {@code version:}, e.g. {@code 1} or {@code 1.2.0}
 * @param triggers   each {@code {log|metric|alert|event: text}}, in the order written
 * @param steps      the reads, in order
 * @param plan       the change request template ({@code plan:}), as written; empty when none
 * @param guardrails what must not be done, in plain words
 */
public record StructuredSkill(String name, String summary, String version, List<Trigger> triggers, List<Step> steps,
                              Map<String, Object> plan, List<String> guardrails) {

    public StructuredSkill {
        requireNonNull(name, "name is null");
        requireNonNull(summary, "summary is null");
        requireNonNull(version, "version is null");
        triggers = List.copyOf(triggers);
        steps = List.copyOf(steps);
        plan = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(plan));
        guardrails = List.copyOf(guardrails);
    }

    /** When the skill applies: a log line, a metric, an alert or a Kubernetes event matching {@code text}. */
    public record Trigger(String kind, String text) {
        public Trigger {
            requireNonNull(kind, "kind is null");
            requireNonNull(text, "text is null");
        }
    }

    /**
     * One read: a tree path with its path terms ({@code /teams/{team}/{env}/logs/api.log?since=1h&grep=...}),
     * {@code {team}} and {@code {env}} standing for the incident's.
     */
    public record Step(String read, String why) {
        public Step {
            requireNonNull(read, "read is null");
            requireNonNull(why, "why is null");
        }

        /** The path for one team/env. */
        public String readFor(String team, String env) {
            return read.replace("{team}", team).replace("{env}", env);
        }
    }
}
