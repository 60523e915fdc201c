package dev.aegis.afs.harness;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The life of an incident. {@link #canMoveTo} is the one transition table: every move goes
 * through {@link #requireMoveTo}, and {@link #path} walks the table one legal step at a time
 * when a change request drives the incident several steps ahead (each step is recorded).
 *
 * <pre>
 * TRIAGE -> DIAGNOSING -> PLANNING -> PENDING_APPROVAL -> EXECUTING -> VERIFYING -> CLOSED
 *                                  \______________________/
 * a plan rejected, cancelled or failed goes back to PLANNING; any open state may be ESCALATED
 * (a human takes over) and a human resumes it (DIAGNOSING) or closes it. Nothing leaves CLOSED.
 * </pre>
 */
public enum IncidentState {
    TRIAGE,
    DIAGNOSING,
    PLANNING,
    PENDING_APPROVAL,
    EXECUTING,
    VERIFYING,
    CLOSED,
    ESCALATED;

    private static final Map<IncidentState, Set<IncidentState>> NEXT = new EnumMap<>(Map.of(
            TRIAGE, EnumSet.of(DIAGNOSING, ESCALATED, CLOSED),
            DIAGNOSING, EnumSet.of(PLANNING, ESCALATED, CLOSED),
            // a plan that needs no approval runs at once
            PLANNING, EnumSet.of(PENDING_APPROVAL, EXECUTING, DIAGNOSING, ESCALATED, CLOSED),
            PENDING_APPROVAL, EnumSet.of(EXECUTING, PLANNING, ESCALATED, CLOSED),
            // a change that runs is verified before anyone may call the incident closed
            EXECUTING, EnumSet.of(VERIFYING, PLANNING, ESCALATED),
            VERIFYING, EnumSet.of(CLOSED, PLANNING, DIAGNOSING, ESCALATED),
            ESCALATED, EnumSet.of(DIAGNOSING, CLOSED),
            CLOSED, EnumSet.noneOf(IncidentState.class)));

    public boolean canMoveTo(IncidentState next) {
        return NEXT.get(this).contains(next);
    }

    public Set<IncidentState> next() {
        return NEXT.get(this).isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(NEXT.get(this)));
    }

    public boolean open() {
        return this != CLOSED;
    }

    public void requireMoveTo(IncidentState next) {
        if (!canMoveTo(next)) {
            throw new IllegalStateException("illegal incident transition " + this + " -> " + next + "; from " + this
                    + " an incident may only move to " + (next().isEmpty() ? "nothing (it is closed)" : next()));
        }
    }

    /**
     * The shortest walk of legal steps from {@code this} to {@code target} that passes through
     * neither ESCALATED nor CLOSED, which are only ever entered directly (a change that ran is
     * not closed by way of PLANNING); empty when there is none, an empty list when already there.
     */
    public Optional<List<IncidentState>> path(IncidentState target) {
        if (this == target) {
            return Optional.of(List.of());
        }
        if (target == ESCALATED || target == CLOSED) {
            return canMoveTo(target) ? Optional.of(List.of(target)) : Optional.empty();
        }
        Map<IncidentState, IncidentState> via = new EnumMap<>(IncidentState.class);
        ArrayDeque<IncidentState> queue = new ArrayDeque<>(List.of(this));
        while (!queue.isEmpty()) {
            IncidentState s = queue.poll();
            for (IncidentState n : NEXT.get(s)) {
                if (n == this || via.containsKey(n) || n == ESCALATED || n == CLOSED) {
                    continue;
                }
                via.put(n, s);
                if (n == target) {
                    List<IncidentState> steps = new ArrayList<>();
                    for (IncidentState at = n; at != this; at = via.get(at)) {
                        steps.add(0, at);
                    }
                    return Optional.of(List.copyOf(steps));
                }
                queue.add(n);
            }
        }
        return Optional.empty();
    }

    /**
     * Where a change request in {@code state} puts its incident: a plan in the making is
     * PLANNING, waiting for approval is PENDING_APPROVAL, approved or running is EXECUTING, a
     * change that ran is VERIFYING (until its alert resolves or a human closes the incident), and
     * a plan that will not run sends the incident back to PLANNING.
     */
    public static IncidentState drivenBy(State state) {
        return switch (state) {
            case SUBMITTED, VALIDATING, REJECTED, CANCELLED, FAILED, ROLLED_BACK -> PLANNING;
            case PENDING_APPROVAL -> PENDING_APPROVAL;
            case APPROVED, EXECUTING -> EXECUTING;
            case VERIFYING, SUCCEEDED -> VERIFYING;
        };
    }
}
