package dev.aegis.afs.cli.harness;

import dev.aegis.afs.harness.HarnessConfig;
import dev.aegis.afs.harness.HarnessDaemon;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code afs harness --config harness.yaml}: runs the change harness until stopped (SIGTERM / Ctrl-C). */
@Command(name = "harness", mixinStandardHelpOptions = true,
        description = {"Runs the change harness: gates change requests on evidence, policy and approvals, executes them "
                + "on Kubernetes (or dry-runs them in shadow mode) and records each step in a signed ledger.",
                "It listens on a loopback address and alone holds the Kubernetes write credentials, or, with execution: "
                        + "agents in its config, holds none and leases signed intents to cluster agents (afs agent)."})
public final class HarnessCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the harness config (harness.yaml)")
    Path config;

    @Spec
    CommandSpec spec;

    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        HarnessConfig cfg = HarnessConfig.read(config.toAbsolutePath().normalize());
        HarnessDaemon daemon = HarnessDaemon.start(cfg);
        Thread hook = new Thread(() -> {
            daemon.stop();
            stopped.countDown();
        }, "afs-harness-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        spec.commandLine().getOut().println("afs harness listening on " + daemon.url() + " (data in " + cfg.dataDir() + ")");
        spec.commandLine().getOut().println("ledger public key: " + dev.aegis.afs.harness.Harness.ledgerPublicKey(cfg.dataDir())
                + " (pin it: ledger.public_key in the harness config, afs ledger verify --public-key)");
        if (cfg.execution().agents()) {
            spec.commandLine().getOut().println("execution: agents " + cfg.execution().agentKeys().keySet()
                    + " (no cluster credentials here; live state read through backend " + cfg.execution().liveStateBackend().orElse("?")
                    + "; intents valid " + cfg.execution().intentTtl().toSeconds() + "s)");
        }
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
