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
 * @param approverUids  uids that may approve
 * @param approverGroups groups whose members may approve
 * @param namespaces    Kubernetes namespaces this team/env may change
 * @param minApprovals  approvals required at least, whatever the risk (0..2)
 * @param guardrails    limits the CEL guardrails check
 */
public record ChangePolicy(Mode mode, Set<Tool> allow, Set<Integer> approverUids, Set<String> approverGroups,
                           List<String> namespaces, int minApprovals, Guardrails.Limits guardrails) {

    public enum Mode { SHADOW, EXECUTE }

    public ChangePolicy {
        requireNonNull(mode, "mode is null");
        allow = Set.copyOf(allow);
        approverUids = Set.copyOf(approverUids);
        approverGroups = Set.copyOf(approverGroups);
        namespaces = List.copyOf(namespaces);
        requireNonNull(guardrails, "guardrails is null");
    }

    public static ChangePolicy denyAll(String team) {
        return new ChangePolicy(Mode.SHADOW, Set.of(), Set.of(), Set.of(), List.of(team), 0, Guardrails.Limits.defaults());
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
