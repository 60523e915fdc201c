package dev.aegis.afs.cli.agent;

import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.aegis.afs.agent.AgentConfig;
import dev.aegis.afs.agent.AgentProcess;
import dev.aegis.afs.cli.Version;
import dev.aegis.afs.core.config.ConfigException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code afs agent --config agent.yaml}: the cluster agent, until stopped (SIGTERM / Ctrl-C). */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Runs the cluster agent: polls the control plane for signed intents, verifies each under the "
                + "pinned root key, re-checks its local policy against the live object and only then acts through "
                + "the Kubernetes API (a server-side dry run in shadow mode), posting a result signed with its own key.",
                "It opens no port except an optional loopback status endpoint; its state is in DATA_DIR/status.json.",
                "--print-key creates the agent key if needed and prints its public key, for harness.yaml."})
public final class AgentCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the agent config (agent.yaml)")
    Path config;

    @Option(names = "--print-key", description = "print the agent's public key (creating the key file) and exit")
    boolean printKey;

    @Spec
    CommandSpec spec;

    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        AgentConfig cfg;
        try {
            cfg = AgentConfig.read(config.toAbsolutePath().normalize());
        } catch (AgentConfig.Invalid e) {
            throw new ConfigException(e.getMessage(), e);
        }
        if (printKey) {
            OctetKeyPair key = AgentProcess.loadOrCreateKey(cfg.agentKey(), new SecureRandom());
            spec.commandLine().getOut().println(key.getX());
            spec.commandLine().getOut().flush();
            spec.commandLine().getErr().println("agent key " + key.getKeyID() + " (" + cfg.agentKey() + "); pin it in harness.yaml"
                    + " as agents." + cfg.cluster() + ".public_key");
            spec.commandLine().getErr().flush();
            return 0;
        }
        String version = new Version().getVersion()[0].replaceFirst("^afs ", "");
        AgentProcess agent = AgentProcess.start(cfg, version, Optional.empty(), Clock.systemUTC());
        Thread hook = new Thread(() -> {
            try {
                agent.close();
            } catch (Exception e) {
                // shutting down anyway
            }
            stopped.countDown();
        }, "afs-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        spec.commandLine().getOut().println("afs agent for cluster " + cfg.cluster() + " polling " + cfg.controlPlane()
                + " (status in " + agent.statusFile() + agent.statusPort().map(p -> ", http://127.0.0.1:" + p + "/status").orElse("")
                + (agent.status().lockReason().map(r -> "; LOCKED: " + r).orElse("")) + ")");
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
