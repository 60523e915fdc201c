package dev.aegis.afs.cli;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.Caller;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code afs tail [-n N] PATH}: the last lines of a log, as GNU tail prints them. */
@Command(name = "tail", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Prints the last lines of a log without a mount, as GNU tail would.",
                "PATH is a tree path (/teams/...) or a path under a mounted afs."})
public final class TailCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "10", description = "how many lines (default: ${DEFAULT-VALUE})")
    String lines;

    @Parameters(paramLabel = "PATH", description = "the log, e.g. /teams/payments/prod/logs/api.log")
    String path;

    @ParentCommand
    AfsCommand top;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (Afs afs = config.load()) {
            afs.runCommand(List.of("tail", "-n", lines, path), Caller.self(), top.stdout(spec));
        }
        return ExitCodes.OK;
    }
}
