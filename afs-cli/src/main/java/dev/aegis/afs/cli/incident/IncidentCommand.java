package dev.aegis.afs.cli.incident;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code afs incident ...}: everything about one incident. Export and verify of evidence bundles
 * live here; the incident's lifecycle (open, ls, show, close) joins as further subcommands.
 */
@Command(name = "incident", mixinStandardHelpOptions = true,
        description = "Works with incidents: export an incident's evidence bundle and verify one offline.",
        subcommands = {ExportCommand.class, VerifyCommand.class})
public final class IncidentCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a subcommand, e.g. afs incident export --help");
    }
}
