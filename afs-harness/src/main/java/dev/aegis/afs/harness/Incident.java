package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One incident as stored: its state, severity, scope (team/env), where it came from, and its
 * context (alerts, SLO, budget caps, approval policy, change windows, freeze, on-call) as JSON.
 *
 * @param source     {@code alertmanager:<sender>}, {@code pagerduty:<sender>}, or the principal who opened it
 * @param sourceKey  the sender's key for it (Alertmanager's groupKey, PagerDuty's dedup_key)
 * @param escalation why it was escalated, while it is (or was last)
 */
public record Incident(String id, IncidentState state, String severity, String team, String env, String title,
                       String source, Optional<String> sourceKey, ObjectNode context, Optional<String> escalation,
                       long openedMillis, long updatedMillis) {

    /** The incident id of the evidence tag and of change requests: {@code [A-Za-z0-9._-]{1,64}}. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public Incident {
        requireNonNull(id, "id is null");
        requireNonNull(state, "state is null");
        requireNonNull(severity, "severity is null");
        requireNonNull(team, "team is null");
        requireNonNull(env, "env is null");
        requireNonNull(title, "title is null");
        requireNonNull(source, "source is null");
        requireNonNull(sourceKey, "sourceKey is null");
        requireNonNull(context, "context is null");
        requireNonNull(escalation, "escalation is null");
    }

    /** The budget caps its context carries. */
    public IncidentBudget caps() {
        return IncidentBudget.fromJson(context.path("budget"));
    }
}
