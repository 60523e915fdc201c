package dev.aegis.afs.cli;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.Namespaces;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code afs config check}: loads namespaces.yaml the way the daemon does. */
@Command(name = "config", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Checks namespaces.yaml.", subcommands = ConfigCommand.Check.class)
public final class ConfigCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a subcommand: afs config check");
    }

    @Command(name = "check", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = {"Loads namespaces.yaml (backends, sections, paths) as `afs mount` would.",
                    "Prints OK with what it found, or the error at file:line:column (exit 2)."})
    static final class Check implements Callable<Integer> {

        @Mixin
        ConfigOption config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Afs afs = config.load()) {
                Namespaces ns = afs.config();
                int envs = 0;
                int streams = 0;
                for (Map<String, ConfigNode> team : ns.teams().values()) {
                    envs += team.size();
                    for (ConfigNode env : team.values()) {
                        streams += env.get("logs").filter(ConfigNode::isMap).map(n -> n.keys().size()).orElse(0);
                    }
                }
                spec.commandLine().getOut().printf("OK: %s: %d teams, %d envs, %d streams%n",
                        config.file(), ns.teams().size(), envs, streams);
                spec.commandLine().getOut().flush();
            }
            return ExitCodes.OK;
        }
    }
}
