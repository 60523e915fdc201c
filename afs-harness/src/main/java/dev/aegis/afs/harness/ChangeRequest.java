package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed change request document: what an agent wants changed, why, and on what evidence.
 * Built only by {@link ChangeRequestParser}, which has checked every field.
 */
public record ChangeRequest(String incidentId, String team, String env, String hypothesis, double confidence,
                            List<EvidencePointer> evidence, List<Action> actions, List<VerifyStep> verify,
                            Rollback rollback) {

    public ChangeRequest {
        requireNonNull(incidentId, "incidentId is null");
        requireNonNull(team, "team is null");
        requireNonNull(env, "env is null");
        requireNonNull(hypothesis, "hypothesis is null");
        evidence = List.copyOf(evidence);
        actions = List.copyOf(actions);
        verify = List.copyOf(verify);
        requireNonNull(rollback, "rollback is null");
    }

    /** The tools an action may use; each must also be allowed per team/env. */
    public enum Tool {
        SCALE, RESTART, SET_RESOURCES, UNDO, DELETE_POD;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Optional<Tool> of(String name) {
            for (Tool t : values()) {
                if (t.wireName().equals(name)) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    }

    public enum Rollback { BEFORE_STATE, NONE }

    /**
     * A pointer into the evidence store.
     *
     * @param id         the snapshot id under /evidence ({@code yyyy-MM-dd/...})
     * @param sha256     full hex sha256 the agent saw
     * @param firstLine  1-based first line cited
     * @param lastLine   1-based last line cited (inclusive)
     * @param capturedAt when the agent says it was captured, if given
     */
    public record EvidencePointer(String id, String sha256, long firstLine, long lastLine,
                                  Optional<Instant> capturedAt, String field) {
        public EvidencePointer {
            requireNonNull(id, "id is null");
            requireNonNull(sha256, "sha256 is null");
            requireNonNull(capturedAt, "capturedAt is null");
            requireNonNull(field, "field is null");
        }
    }

    /** What an action acts on; {@code namespace} defaults to the team/env's namespace. */
    public record Target(String kind, String name, Optional<String> namespace, Optional<String> container) {
        public Target {
            requireNonNull(kind, "kind is null");
            requireNonNull(name, "name is null");
            requireNonNull(namespace, "namespace is null");
            requireNonNull(container, "container is null");
        }
    }

    /**
     * One change. {@code params} holds plain values: scale {@code replicas} (Long); set_resources
     * {@code requests}/{@code limits} (Map of cpu/memory to quantity strings); undo
     * {@code to_revision} (Long, optional).
     */
    public record Action(Tool tool, Target target, Map<String, Object> params, String idempotencyKey, String field) {
        public Action {
            requireNonNull(tool, "tool is null");
            requireNonNull(target, "target is null");
            params = Map.copyOf(params);
            requireNonNull(idempotencyKey, "idempotencyKey is null");
            requireNonNull(field, "field is null");
        }
    }

    /** A check after execution: the workload's pods are ready within {@code timeout}. */
    public record VerifyStep(Target podsReady, Duration timeout) {
        public VerifyStep {
            requireNonNull(podsReady, "podsReady is null");
            requireNonNull(timeout, "timeout is null");
        }
    }
}
