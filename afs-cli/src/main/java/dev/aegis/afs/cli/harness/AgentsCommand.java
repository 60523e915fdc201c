package dev.aegis.afs.cli.harness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.Caller;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code afs agents ls}: the cluster agents the harness leases intents to, as it last saw them poll. */
@Command(name = "agents", mixinStandardHelpOptions = true,
        description = {"Lists the cluster agents of a harness running with execution: agents."},
        subcommands = {AgentsCommand.Ls.class})
public final class AgentsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a subcommand: afs agents ls");
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = {"One line per cluster: its last poll, the agent's version, its state (running, locked with the"
                    + " reason, or never polled since the harness started) and the intents leased to it and not yet answered."})
    static final class Ls implements Callable<Integer> {

        @Mixin
        HarnessUrl harness;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<JsonNode> agents = harness.client().agents(Caller.self());
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-16s %-24s %-12s %-6s %s%n", "CLUSTER", "LAST POLL", "VERSION", "LEASED", "STATE");
            for (JsonNode a : agents) {
                out.printf("%-16s %-24s %-12s %-6d %s%n", a.path("cluster").asText(),
                        a.path("last_poll_at").isNull() ? "-" : a.path("last_poll_at").asText(),
                        a.path("version").isNull() ? "-" : a.path("version").asText(), a.path("leased").asInt(),
                        a.path("state").asText() + (a.has("lock_reason") ? ": " + a.path("lock_reason").asText() : ""));
            }
            out.flush();
            return 0;
        }
    }
}
