package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * A change request as the database holds it.
 *
 * @param document          the submitted bytes (UTF-8), re-parsed when needed
 * @param requiredApprovals approvals needed before execution
 * @param reasons           why it was rejected or failed, in order (notes that only raised the
 *                          approvals are in {@code gates})
 * @param gates             what the gates decided the last time they ran, gate by gate
 */
public record StoredRequest(String id, String incident, String team, String env, String submitter,
                            String submitterPerson, State state, ChangePolicy.Mode mode, String document,
                            String documentSha256, int requiredApprovals, List<String> reasons, long createdMillis,
                            long updatedMillis, List<Approval> approvals, List<StoredAction> actions,
                            Optional<GateReport> gates) {

    public StoredRequest {
        requireNonNull(id, "id is null");
        requireNonNull(submitter, "submitter is null");
        requireNonNull(submitterPerson, "submitterPerson is null");
        requireNonNull(state, "state is null");
        requireNonNull(mode, "mode is null");
        reasons = List.copyOf(reasons);
        approvals = List.copyOf(approvals);
        actions = List.copyOf(actions);
        requireNonNull(gates, "gates is null");
    }

    /**
     * One approval: the person (one per human, whichever front end they used), the principal that
     * proved it, and the plan it approved. It counts only for that exact plan and only until it expires.
     */
    public record Approval(String person, String principal, String planSha256, long atMillis) {
    }

    /** The distinct persons whose approvals count now: for this very plan, younger than {@code ttlMillis}. */
    public List<String> validApprovers(long nowMillis, long ttlMillis) {
        return approvals.stream()
                .filter(a -> a.planSha256().equals(documentSha256) && nowMillis - a.atMillis() <= ttlMillis
                        && !a.person().equals(submitterPerson))
                .map(Approval::person).distinct().toList();
    }

    /**
     * One action's progress. Status: PLANNED, INTENT (before-state and marker written, the
     * call may or may not have reached Kubernetes), DONE, DRY_RUN, ERROR, ROLLBACK_INTENT,
     * ROLLED_BACK, REFUSED, NOT_RUN (the request was rejected, cancelled or failed before it ran).
     */
    public record StoredAction(int index, String idempotencyKey, String tool, String target, String status,
                               Optional<String> beforeState, Optional<String> marker, Optional<String> outcome) {
    }
}
