package dev.aegis.afs.agent;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/** {@code AgentChildMain agent.yaml}: the agent in a child JVM, so a test can kill -9 it mid-action. */
public final class AgentChildMain {

    private AgentChildMain() {
    }

    public static void main(String[] args) throws Exception {
        AgentProcess agent = AgentProcess.start(AgentConfig.read(Path.of(args[0])), "test-child", Optional.empty(), Clock.systemUTC());
        System.out.println("STARTED " + agent.statusFile());
        System.out.flush();
        agent.join();
    }
}
