package dev.aegis.afs.agent;

import static dev.aegis.afs.agent.AgentFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.intent.Action.Mode;
import dev.aegis.afs.intent.TaskResult;
import dev.aegis.afs.intent.TaskResult.Outcome;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as a child JVM, killed with SIGKILL while its write is in flight (the API server
 * has applied it, the agent has not seen the answer). Restarted, it must report the action as
 * interrupted and applied, and never send it again, even when the control plane leases the same
 * action (same idempotency key) anew.
 */
class AgentKillNineTest {

    @TempDir
    Path dir;

    @Test
    void killNineMidActionNeverRunsTheActionTwice() throws Exception {
        try (AgentFixture f = new AgentFixture(dir)) {
            f.api.holdPutAnswer = new CountDownLatch(1);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    AgentChildMain.class.getName(), f.config.toString());
            pb.redirectError(dir.resolve("child.err").toFile());
            Process child = pb.start();
            String task;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line = out.readLine();
                assertTrue(line != null && line.startsWith("STARTED"), "child did not start: " + line);
                task = f.lease(scale(4, Mode.EXECUTE, "cr-7/a1"));
                assertTrue(f.api.putApplied.await(60, TimeUnit.SECONDS), "the child never sent its write");
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            } finally {
                child.destroyForcibly();
                f.api.holdPutAnswer.countDown();
            }
            assertEquals(4, f.api.get("payments", "api").getSpec().getReplicas());
            assertTrue(f.cp.results.isEmpty(), "the killed agent posted nothing");
            f.api.holdPutAnswer = null;
            f.api.forget();

            f.start();
            TaskResult r = f.cp.awaitResult(task);
            assertEquals(Outcome.INTERRUPTED, r.outcome(), r.message());
            assertTrue(r.details().path("applied").asBoolean(), r.details().toString());
            TaskResult again = f.cp.awaitResult(f.lease(scale(4, Mode.EXECUTE, "cr-7/a1")));
            assertEquals("already_executed", again.reason(), again.message());
            assertEquals(List.of(), f.api.writes(), "nothing was written after the restart");
        }
    }
}
