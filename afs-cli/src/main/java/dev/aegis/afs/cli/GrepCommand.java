package dev.aegis.afs.cli;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code afs grep [grep options] PATTERN PATH}: GNU grep's output and exit status (0 a line was
 * selected, 1 none, 2 trouble), pushed down to the backend.
 */
@Command(name = "grep", usageHelpAutoWidth = true, versionProvider = Version.class,
        description = {"Searches a log without a mount, as GNU grep would, with the search pushed down to the backend.",
                "PATH is a tree path (/teams/...) or a path under a mounted afs.",
                "Options: -i -v -F -E -G -w -x -c -q -s -l -L -o -n -h -H -m N -A N -B N -C N -e PAT.",
                "Exit status: 0 a line was selected, 1 none, 2 an error (as GNU grep)."})
public final class GrepCommand implements Callable<Integer> {

    // no -h/-V: they are grep options here
    @picocli.CommandLine.Option(names = "--help", usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @picocli.CommandLine.Option(names = "--version", versionHelp = true, description = "Print version information and exit.")
    boolean version;

    @Mixin
    ConfigOption config;

    @Parameters(arity = "2..*", paramLabel = "ARG", description = "[grep options] PATTERN PATH")
    List<String> words;

    @ParentCommand
    AfsCommand top;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<String> argv = new ArrayList<>();
        argv.add("grep");
        argv.addAll(words);
        try (Afs afs = config.load()) {
            return afs.runCommand(argv, Caller.self(), top.stdout(spec)).status();
        } catch (AfsException | ConfigException e) {
            return ExitCodes.grepTrouble(e, spec.commandLine(), noMessages(words));
        }
    }

    /** Whether -s (--no-messages) is among the options, so missing files are not reported. */
    static boolean noMessages(List<String> words) {
        for (String w : words) {
            if (w.equals("--")) {
                return false;
            }
            if (w.equals("--no-messages") || (w.matches("-[cvilLqsoHhnFEGwx]+") && w.indexOf('s') > 0)) {
                return true;
            }
        }
        return false;
    }
}
