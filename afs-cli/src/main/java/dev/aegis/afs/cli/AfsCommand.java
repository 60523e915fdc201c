package dev.aegis.afs.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The top command. Subcommands are listed by class: the harness' commands (package
 * {@code dev.aegis.afs.cli.harness}) are added to this list too.
 */
@Command(name = "afs", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Aegis AFS: an agentic file system for infrastructure operations.",
        subcommands = {
                MountCommand.class,
                UnmountCommand.class,
                ShCommand.class,
                GrepCommand.class,
                TailCommand.class,
                ConfigCommand.class,
                EvidenceCommand.class,
                McpCommand.class,
                dev.aegis.afs.cli.harness.HarnessCommand.class,
                dev.aegis.afs.cli.harness.PlanCommand.class,
                dev.aegis.afs.cli.harness.ApproveCommand.class,
                dev.aegis.afs.cli.harness.RejectCommand.class,
                dev.aegis.afs.cli.harness.LedgerCommand.class,
                dev.aegis.afs.cli.harness.ReviewCommand.class,
                dev.aegis.afs.cli.agent.KeysCommand.class,
                dev.aegis.afs.cli.agent.AgentCommand.class,
                dev.aegis.afs.cli.harness.AgentsCommand.class,
                dev.aegis.afs.cli.harness.WitnessCommand.class,
                dev.aegis.afs.cli.incident.IncidentCommand.class,
                dev.aegis.afs.cli.skills.SkillsCommand.class,
                dev.aegis.afs.cli.skills.GuardrailsCommand.class,
        })
public final class AfsCommand implements Runnable {

    private final OutputStream stdout;

    @Spec
    CommandSpec spec;

    AfsCommand(OutputStream stdout) {
        this.stdout = stdout;
    }

    /** Where results go byte for byte: the process' stdout, or the captured writer in tests. */
    OutputStream stdout(CommandSpec command) {
        if (stdout != null) {
            return stdout;
        }
        PrintWriter out = command.commandLine().getOut();
        return new OutputStream() {
            private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

            @Override
            public void write(int b) {
                pending.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                pending.write(b, off, len);
            }

            @Override
            public void flush() {
                out.write(new String(pending.toByteArray(), StandardCharsets.UTF_8));
                out.flush();
                pending.reset();
            }
        };
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. afs mount --help");
    }
}
