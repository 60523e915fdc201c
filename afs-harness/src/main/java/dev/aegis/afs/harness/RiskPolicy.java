package dev.aegis.afs.harness;

import java.time.Duration;
import java.util.Objects;

/**
 * When the risk report adds an approval, and how far back it looks ({@code policy.risk} in
 * harness.yaml):
 * <pre>{@code
 * policy:
 *   risk: {wide_blast_radius: 2, poor_history: {failure_rate: 0.5, min_actions: 3}, history: 30d, recent_changes: 24h}
 * }</pre>
 *
 * @param wideBlastRadius       dependants (callers in the service graph, Ingresses) from which a target's blast radius is wide
 * @param poorHistoryRate       the share of failed earlier runs of the same action on similar targets that is a poor history
 * @param poorHistoryMinActions earlier runs needed before a history can be poor (fewer prove nothing)
 * @param history               how far back the ledger is searched for those runs
 * @param recentChanges         how far back commits and rollouts of the target are listed
 */
public record RiskPolicy(int wideBlastRadius, double poorHistoryRate, int poorHistoryMinActions, Duration history,
                         Duration recentChanges) {

    public RiskPolicy {
        if (wideBlastRadius < 1) {
            throw new IllegalArgumentException("wideBlastRadius must be at least 1, was " + wideBlastRadius);
        }
        if (poorHistoryRate <= 0 || poorHistoryRate > 1) {
            throw new IllegalArgumentException("poorHistoryRate must be in (0, 1], was " + poorHistoryRate);
        }
        if (poorHistoryMinActions < 1) {
            throw new IllegalArgumentException("poorHistoryMinActions must be at least 1, was " + poorHistoryMinActions);
        }
        Objects.requireNonNull(history, "history is null");
        Objects.requireNonNull(recentChanges, "recentChanges is null");
    }

    public static RiskPolicy defaults() {
        return new RiskPolicy(2, 0.5, 3, Duration.ofDays(30), Duration.ofHours(24));
    }
}
