package dev.aegis.afs.harness;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The life of a change request. {@link #canMoveTo} is the one transition table: every state
 * change goes through {@link #requireMoveTo}, so an illegal jump cannot be recorded.
 */
public enum State {
    SUBMITTED,
    VALIDATING,
    REJECTED,
    PENDING_APPROVAL,
    APPROVED,
    EXECUTING,
    VERIFYING,
    SUCCEEDED,
    FAILED,
    ROLLED_BACK,
    CANCELLED;

    private static final Map<State, Set<State>> NEXT = Map.ofEntries(
            Map.entry(SUBMITTED, EnumSet.of(VALIDATING, CANCELLED)),
            Map.entry(VALIDATING, EnumSet.of(REJECTED, PENDING_APPROVAL, APPROVED)),
            Map.entry(PENDING_APPROVAL, EnumSet.of(APPROVED, REJECTED, CANCELLED, VALIDATING)),
            // at execution the gates run again: a failure rejects, stale approvals send it back
            Map.entry(APPROVED, EnumSet.of(EXECUTING, CANCELLED, REJECTED, PENDING_APPROVAL, VALIDATING)),
            Map.entry(EXECUTING, EnumSet.of(VERIFYING, FAILED)),
            Map.entry(VERIFYING, EnumSet.of(SUCCEEDED, FAILED)),
            Map.entry(FAILED, EnumSet.of(ROLLED_BACK)),
            Map.entry(REJECTED, EnumSet.noneOf(State.class)),
            Map.entry(SUCCEEDED, EnumSet.noneOf(State.class)),
            Map.entry(ROLLED_BACK, EnumSet.noneOf(State.class)),
            Map.entry(CANCELLED, EnumSet.noneOf(State.class)));

    public boolean canMoveTo(State next) {
        return NEXT.get(this).contains(next);
    }

    public Set<State> next() {
        return NEXT.get(this).isEmpty() ? Set.of() : EnumSet.copyOf(NEXT.get(this));
    }

    /** Whether nothing more will happen to a request in this state (FAILED still rolls back). */
    public boolean terminal() {
        return NEXT.get(this).isEmpty();
    }

    public void requireMoveTo(State next) {
        if (!canMoveTo(next)) {
            throw new IllegalStateException("illegal transition " + this + " -> " + next + "; from " + this
                    + " a request may only move to " + (next().isEmpty() ? "nothing (it is final)" : next()));
        }
    }
}
