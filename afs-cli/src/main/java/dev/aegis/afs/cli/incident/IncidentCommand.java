package dev.aegis.afs.cli.incident;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code afs incident ...}: everything about one incident: its lifecycle at the harness (open, ls,
 * show, close, resume) and its evidence bundle (export, verify offline).
 */
@Command(name = "incident", mixinStandardHelpOptions = true,
        description = "Opens, lists, shows and closes incidents; exports an incident's evidence bundle and verifies one offline.",
        subcommands = {IncidentLifecycleCommands.Open.class, IncidentLifecycleCommands.Ls.class,
                IncidentLifecycleCommands.Show.class, IncidentLifecycleCommands.Close.class,
                IncidentLifecycleCommands.Resume.class, ExportCommand.class, VerifyCommand.class})
public final class IncidentCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a subcommand: afs incident open|ls|show|close|resume|export|verify");
    }
}
