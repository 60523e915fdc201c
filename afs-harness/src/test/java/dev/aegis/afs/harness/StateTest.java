package dev.aegis.afs.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StateTest {

    private static final Map<State, Set<State>> EXPECTED = Map.ofEntries(
            Map.entry(State.SUBMITTED, EnumSet.of(State.VALIDATING, State.CANCELLED)),
            Map.entry(State.VALIDATING, EnumSet.of(State.REJECTED, State.PENDING_APPROVAL, State.APPROVED)),
            Map.entry(State.PENDING_APPROVAL, EnumSet.of(State.APPROVED, State.REJECTED, State.CANCELLED, State.VALIDATING)),
            Map.entry(State.APPROVED, EnumSet.of(State.EXECUTING, State.CANCELLED, State.REJECTED, State.PENDING_APPROVAL,
                    State.VALIDATING)),
            Map.entry(State.EXECUTING, EnumSet.of(State.VERIFYING, State.FAILED)),
            Map.entry(State.VERIFYING, EnumSet.of(State.SUCCEEDED, State.FAILED)),
            Map.entry(State.FAILED, EnumSet.of(State.ROLLED_BACK)),
            Map.entry(State.REJECTED, EnumSet.noneOf(State.class)),
            Map.entry(State.SUCCEEDED, EnumSet.noneOf(State.class)),
            Map.entry(State.ROLLED_BACK, EnumSet.noneOf(State.class)),
            Map.entry(State.CANCELLED, EnumSet.noneOf(State.class)));

    @Test
    void everyPairFollowsTheTable() {
        for (State from : State.values()) {
            for (State to : State.values()) {
                boolean allowed = EXPECTED.get(from).contains(to);
                assertEquals(allowed, from.canMoveTo(to), from + " -> " + to);
                if (!allowed) {
                    assertThrows(IllegalStateException.class, () -> from.requireMoveTo(to), from + " -> " + to);
                }
            }
        }
    }

    @Test
    void illegalJumpNamesWhatIsAllowed() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> State.PENDING_APPROVAL.requireMoveTo(State.EXECUTING));
        assertTrue(e.getMessage().startsWith("illegal transition PENDING_APPROVAL -> EXECUTING; from PENDING_APPROVAL a request may only move to"),
                e.getMessage());
        assertTrue(State.SUCCEEDED.terminal());
    }
}
