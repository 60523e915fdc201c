package dev.aegis.afs.harness;

import dev.aegis.afs.harness.ChangeRequest.Action;
import dev.aegis.afs.harness.ChangeRequest.Tool;
import java.util.List;

/**
 * Risk to approvals: an action's kind sets a base (scale and delete_pod 0; restart,
 * set_resources and undo 1), a large workload (replicas at or above {@code large_workload})
 * adds one, a wide blast radius in the service graph (the {@link RiskReport}) adds one, capped
 * at 2 (two-person rule). Low confidence and loop
 * escalation need at least one human; the team/env's {@code min_approvals} is a floor.
 */
public final class ApprovalPolicy {

    private ApprovalPolicy() {
    }

    public static int base(Tool tool) {
        return switch (tool) {
            case SCALE, DELETE_POD -> 0;
            case RESTART, SET_RESOURCES, UNDO -> 1;
        };
    }

    /**
     * @param liveReplicas replicas of each action's target, by action index
     */
    public static int required(List<Action> actions, List<Long> liveReplicas, int largeWorkload, int minApprovals,
                               boolean lowConfidence, boolean escalated) {
        return required(actions, liveReplicas, largeWorkload, minApprovals, lowConfidence, escalated,
                java.util.Collections.nCopies(actions.size(), false));
    }

    /**
     * @param wideBlastRadius per action, whether its risk report found a wide blast radius
     *                        ({@link RiskReport#WIDE_BLAST_RADIUS} or more dependants): one more approval
     */
    public static int required(List<Action> actions, List<Long> liveReplicas, int largeWorkload, int minApprovals,
                               boolean lowConfidence, boolean escalated, List<Boolean> wideBlastRadius) {
        int n = minApprovals;
        for (int i = 0; i < actions.size(); i++) {
            int risk = base(actions.get(i).tool()) + (liveReplicas.get(i) >= largeWorkload ? 1 : 0)
                    + (wideBlastRadius.get(i) ? 1 : 0);
            n = Math.max(n, risk);
        }
        if (lowConfidence || escalated) {
            n = Math.max(n, 1);
        }
        return Math.min(n, 2);
    }

}
