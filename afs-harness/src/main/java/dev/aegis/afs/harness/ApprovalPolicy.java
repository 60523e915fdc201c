package dev.aegis.afs.harness;

import dev.aegis.afs.harness.ChangeRequest.Action;
import dev.aegis.afs.harness.ChangeRequest.Tool;
import java.util.List;

/**
 * Risk to approvals: an action's kind sets a base (scale and delete_pod 0; restart,
 * set_resources and undo 1), a large workload (replicas at or above {@code large_workload})
 * adds one, a wide blast radius or a poor history (the {@link RiskReport}) adds one, capped
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
     * @param wideBlastRadius per action, whether its risk report found a wide blast radius: one more approval
     */
    public static int required(List<Action> actions, List<Long> liveReplicas, int largeWorkload, int minApprovals,
                               boolean lowConfidence, boolean escalated, List<Boolean> wideBlastRadius) {
        return decide(actions, liveReplicas, largeWorkload, minApprovals, lowConfidence, escalated,
                wideBlastRadius.stream().map(w -> w ? "a wide blast radius" : "").toList()).required();
    }

    /** How many approvals, and the rule(s) that set the number, in words an approver reads in the status. */
    public record Decision(int required, String why) {
    }

    /**
     * @param riskReasons per action, why its risk report adds an approval (e.g. "a wide blast radius"),
     *                    "" when it does not
     */
    public static Decision decide(List<Action> actions, List<Long> liveReplicas, int largeWorkload, int minApprovals,
                                  boolean lowConfidence, boolean escalated, List<String> riskReasons) {
        // every rule that asks for approvals, with what it asks; the largest wins, capped at 2
        List<java.util.Map.Entry<Integer, String>> asks = new java.util.ArrayList<>();
        asks.add(java.util.Map.entry(minApprovals, "the team/env's changes.min_approvals is " + minApprovals));
        for (int i = 0; i < actions.size(); i++) {
            Action a = actions.get(i);
            int base = base(a.tool());
            boolean large = liveReplicas.get(i) >= largeWorkload;
            String risk = riskReasons.get(i);
            boolean wide = !risk.isEmpty();
            asks.add(java.util.Map.entry(base + (large ? 1 : 0) + (wide ? 1 : 0), a.field() + " " + a.tool().wireName()
                    + " has base risk " + base + (base == 0 ? " (scale and delete_pod)" : " (restart, set_resources and undo)")
                    + (large ? " +1 as its target has " + liveReplicas.get(i) + " replicas, at least policy.large_workload "
                    + largeWorkload : "") + (wide ? " +1 for " + risk + " (see the risk report)" : "")));
        }
        if (lowConfidence) {
            asks.add(java.util.Map.entry(1, "low confidence needs a human"));
        }
        if (escalated) {
            asks.add(java.util.Map.entry(1, "a repeated action (loop) is escalated to a human"));
        }
        int max = asks.stream().mapToInt(java.util.Map.Entry::getKey).max().orElse(0);
        int required = Math.min(max, 2);
        if (max == 0) {
            return new Decision(0, "no approval: no action carries risk (scale and delete_pod of workloads under "
                    + "policy.large_workload " + largeWorkload + "), confidence is high enough, no loop, changes.min_approvals 0");
        }
        String deciding = String.join("; ", asks.stream().filter(e -> e.getKey() == max).map(java.util.Map.Entry::getValue).toList());
        return new Decision(required, required + (required == 1 ? " approval" : " approvals (two-person rule)")
                + " because " + deciding + (max > 2 ? " (capped at 2)" : ""));
    }

}
