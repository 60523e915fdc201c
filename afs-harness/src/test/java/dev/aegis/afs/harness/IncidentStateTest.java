package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.IncidentState.CLOSED;
import static dev.aegis.afs.harness.IncidentState.DIAGNOSING;
import static dev.aegis.afs.harness.IncidentState.ESCALATED;
import static dev.aegis.afs.harness.IncidentState.EXECUTING;
import static dev.aegis.afs.harness.IncidentState.PENDING_APPROVAL;
import static dev.aegis.afs.harness.IncidentState.PLANNING;
import static dev.aegis.afs.harness.IncidentState.TRIAGE;
import static dev.aegis.afs.harness.IncidentState.VERIFYING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IncidentStateTest {

    private static final Map<IncidentState, Set<IncidentState>> EXPECTED = Map.of(
            TRIAGE, EnumSet.of(DIAGNOSING, ESCALATED, CLOSED),
            DIAGNOSING, EnumSet.of(PLANNING, ESCALATED, CLOSED),
            PLANNING, EnumSet.of(PENDING_APPROVAL, EXECUTING, DIAGNOSING, ESCALATED, CLOSED),
            PENDING_APPROVAL, EnumSet.of(EXECUTING, PLANNING, ESCALATED, CLOSED),
            EXECUTING, EnumSet.of(VERIFYING, PLANNING, ESCALATED),
            VERIFYING, EnumSet.of(CLOSED, PLANNING, DIAGNOSING, ESCALATED),
            ESCALATED, EnumSet.of(DIAGNOSING, CLOSED),
            CLOSED, EnumSet.noneOf(IncidentState.class));

    @Test
    void everyIllegalJumpIsRefused() {
        int refused = 0;
        for (IncidentState from : IncidentState.values()) {
            for (IncidentState to : IncidentState.values()) {
                boolean allowed = EXPECTED.get(from).contains(to);
                assertEquals(allowed, from.canMoveTo(to), from + " -> " + to);
                if (!allowed) {
                    refused++;
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> from.requireMoveTo(to));
                    assertTrue(e.getMessage().startsWith("illegal incident transition " + from + " -> " + to + "; from " + from
                            + " an incident may only move to "), e.getMessage());
                }
            }
        }
        assertEquals(64 - 24, refused);
        assertEquals("illegal incident transition CLOSED -> TRIAGE; from CLOSED an incident may only move to nothing (it is closed)",
                assertThrows(IllegalStateException.class, () -> CLOSED.requireMoveTo(TRIAGE)).getMessage());
        // a change that ran must be verified before the incident may close
        assertThrows(IllegalStateException.class, () -> EXECUTING.requireMoveTo(CLOSED));
        assertThrows(IllegalStateException.class, () -> TRIAGE.requireMoveTo(EXECUTING));
    }

    @Test
    void aChangeRequestDrivesTheIncidentOneLegalStepAtATime() {
        assertEquals(Optional.of(List.of(DIAGNOSING, PLANNING, PENDING_APPROVAL)), TRIAGE.path(PENDING_APPROVAL));
        assertEquals(Optional.of(List.of(EXECUTING)), PENDING_APPROVAL.path(EXECUTING));
        assertEquals(Optional.of(List.of(PLANNING)), EXECUTING.path(PLANNING));
        assertEquals(Optional.of(List.of()), VERIFYING.path(VERIFYING));
        // ESCALATED and CLOSED are entered directly, never passed through
        assertEquals(Optional.of(List.of(DIAGNOSING)), ESCALATED.path(DIAGNOSING));
        assertEquals(Optional.of(List.of(CLOSED)), ESCALATED.path(CLOSED));
        assertEquals(Optional.empty(), CLOSED.path(DIAGNOSING));
        assertEquals(Optional.empty(), EXECUTING.path(CLOSED));
        for (IncidentState from : IncidentState.values()) {
            for (IncidentState to : IncidentState.values()) {
                IncidentState at = from;
                for (IncidentState step : from.path(to).orElse(List.of())) {
                    assertTrue(at.canMoveTo(step), from + " -> " + to + " passes the illegal " + at + " -> " + step);
                    at = step;
                }
            }
        }
    }

    @Test
    void requestStatesMapToIncidentStates() {
        Map<State, IncidentState> expected = Map.ofEntries(Map.entry(State.SUBMITTED, PLANNING),
                Map.entry(State.VALIDATING, PLANNING), Map.entry(State.REJECTED, PLANNING),
                Map.entry(State.CANCELLED, PLANNING), Map.entry(State.FAILED, PLANNING), Map.entry(State.ROLLED_BACK, PLANNING),
                Map.entry(State.PENDING_APPROVAL, PENDING_APPROVAL), Map.entry(State.APPROVED, EXECUTING),
                Map.entry(State.EXECUTING, EXECUTING), Map.entry(State.VERIFYING, VERIFYING),
                Map.entry(State.SUCCEEDED, VERIFYING));
        for (State s : State.values()) {
            assertEquals(expected.get(s), IncidentState.drivenBy(s), s.name());
        }
    }
}
