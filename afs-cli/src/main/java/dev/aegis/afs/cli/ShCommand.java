package dev.aegis.afs.cli;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.Caller;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code afs sh -c 'grep ERROR /teams/p/prod/logs/api.log | tail -n 5'}, without a mount. */
@Command(name = "sh", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Runs a read pipeline (grep | tail | head | wc ...) on a log without a mount.",
                "Prints exactly what bash with GNU tools prints, and records the read as evidence.",
                "Exit status: the last command's, as bash (a final grep: 0 a line was selected, 1 none)."})
public final class ShCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "-c", required = true, paramLabel = "PIPELINE",
            description = "the pipeline, e.g. 'grep -i timeout /teams/payments/prod/logs/api.log | tail -n 20'")
    String script;

    @ParentCommand
    AfsCommand top;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (Afs afs = config.load()) {
            return afs.runShell(script, Caller.self(), top.stdout(spec)).status();
        }
    }
}
