package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.harness.ChangeRequest.Tool;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one team/env allows, from the {@code changes:} section of namespaces.yaml. The default
 * (no section) is shadow mode with every tool denied.
 *
 * @param mode          shadow (dry runs only) or execute
 * @param allow         tools allowed; empty denies all
 * @param namespaces    Kubernetes namespaces this team/env may change
 * @param minApprovals  approvals required at least, whatever the risk (0..2)
 * @param guardrails    limits the CEL guardrails check
 * @param approvalTtl   how long an approval counts (it binds to the plan's hash as well)
 * @param cluster       with execution: agents, the cluster (agent) whose intents carry this env's
 *                      actions; default: the only agent of harness.yaml
 * @param intentTtl     with execution: agents, how long an intent leased for this env is valid
 *                      (default: harness.yaml intent_ttl, 30 s)
 *
 * <p>Who may propose and approve is not here: {@code changes.proposers} and {@code changes.approvers}
 * are read with the env's readers by afs-core's {@link dev.aegis.afs.core.access.AccessPolicy}.
 */
public record ChangePolicy(Mode mode, Set<Tool> allow, List<String> namespaces, int minApprovals,
                           Guardrails.Limits guardrails, java.time.Duration approvalTtl, Optional<String> cluster,
                           Optional<java.time.Duration> intentTtl) {

    public ChangePolicy(Mode mode, Set<Tool> allow, List<String> namespaces, int minApprovals, Guardrails.Limits guardrails,
                        java.time.Duration approvalTtl) {
        this(mode, allow, namespaces, minApprovals, guardrails, approvalTtl, Optional.empty(), Optional.empty());
    }

    public static final java.time.Duration DEFAULT_APPROVAL_TTL = java.time.Duration.ofHours(1);

    public enum Mode { SHADOW, EXECUTE }

    public ChangePolicy {
        requireNonNull(mode, "mode is null");
        allow = Set.copyOf(allow);
        namespaces = List.copyOf(namespaces);
        requireNonNull(guardrails, "guardrails is null");
        requireNonNull(approvalTtl, "approvalTtl is null");
        requireNonNull(cluster, "cluster is null");
        requireNonNull(intentTtl, "intentTtl is null");
    }

    public static ChangePolicy denyAll(String team) {
        return new ChangePolicy(Mode.SHADOW, Set.of(), List.of(team), 0, Guardrails.Limits.defaults(), DEFAULT_APPROVAL_TTL);
    }

    /** A change window: days of week and a UTC time range, e.g. {@code Mon-Fri 08:00-18:00}. */
    public record Window(Set<DayOfWeek> days, LocalTime from, LocalTime to, String text) {
        public boolean contains(ZonedDateTime utc) {
            LocalTime t = utc.toLocalTime();
            return days.contains(utc.getDayOfWeek()) && !t.isBefore(from) && t.isBefore(to);
        }
    }

    /** Extra guardrail expressions by name. */
    public Map<String, String> extraGuardrails() {
        return guardrails.extra();
    }

    public Optional<String> namespaceFor(Optional<String> requested) {
        if (requested.isEmpty()) {
            return namespaces.isEmpty() ? Optional.empty() : Optional.of(namespaces.get(0));
        }
        return namespaces.contains(requested.get()) ? requested : Optional.empty();
    }
}
