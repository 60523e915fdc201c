package dev.aegis.afs.harness;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The change-request plan parser (what an agent writes to /change_requests) on arbitrary bytes:
 * it either returns a plan or refuses with {@link PlanProblems}, each problem a bounded,
 * non-empty message; nothing else escapes (no stack overflow on deep YAML, no alias bomb, no
 * unchecked exception from a malformed number or date).
 *
 * <p>Regression mode (every {@code mvn test}) replays {@code PlanParserFuzzTestInputs/parse/};
 * {@code mvn verify} fuzzes it for maxDuration with the fixed seed in the pom.
 */
class PlanParserFuzzTest {

    /** A problem may quote one value of the plan, never the whole document. */
    private static final int MAX_PROBLEM_LENGTH = 2048;

    @FuzzTest(maxDuration = "10s")
    void parse(byte[] bytes) {
        try {
            ChangeRequest plan = ChangeRequestParser.parse("change-request", bytes);
            assertNotNull(plan.incidentId());
        } catch (PlanProblems problems) {
            assertFalse(problems.problems().isEmpty(), "PlanProblems without a problem");
            for (String p : problems.problems()) {
                assertTrue(p != null && !p.isEmpty() && p.length() <= MAX_PROBLEM_LENGTH,
                        () -> "problem of " + (p == null ? "null" : p.length() + " chars") + " for " + bytes.length + " bytes");
            }
        }
    }
}
