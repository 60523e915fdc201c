package dev.aegis.afs.harness;

import java.util.List;

/**
 * A change request document that cannot be accepted. Each problem names the position, the
 * field path (e.g. {@code actions[0].target.name}) and the fix.
 */
public final class PlanProblems extends Exception {

    private final List<String> problems;

    public PlanProblems(List<String> problems) {
        super(problems.size() == 1 ? problems.get(0)
                : problems.size() + " problems: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
