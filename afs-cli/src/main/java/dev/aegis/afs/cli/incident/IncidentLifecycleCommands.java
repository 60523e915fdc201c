package dev.aegis.afs.cli.incident;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.cli.ExitCodes;
import dev.aegis.afs.cli.harness.HarnessUrl;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.harness.HarnessClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code afs incident open|ls|show|close|resume}: the incident lifecycle, by hand. */
final class IncidentLifecycleCommands {

    private IncidentLifecycleCommands() {
    }

    /** What {@code show} prints: the summary line, the budget, the notifications, then the context. */
    static void print(PrintWriter out, HarnessClient client, JsonNode i) throws Exception {
        out.printf("%s  %s  %s  %s/%s  %s%n", i.path("id").asText(), i.path("state").asText(), i.path("severity").asText(),
                i.path("team").asText(), i.path("env").asText(), i.path("title").asText());
        if (i.hasNonNull("escalation")) {
            out.println("escalated: " + i.path("escalation").asText());
        }
        out.print(client.incidentText(i.path("id").asText(), "budget", Caller.self()));
        for (JsonNode n : i.path("notifications")) {
            out.printf("notified %s to %s: %s (attempt %d, %s) at %s%n", n.path("event").asText(), n.path("channel").asText(),
                    n.path("outcome").asText(), n.path("attempt").asInt(), n.path("detail").asText(), n.path("at").asText());
        }
        out.println("--- context.yaml");
        out.print(client.incidentText(i.path("id").asText(), "context.yaml", Caller.self()));
        out.flush();
    }

    @Command(name = "open", mixinStandardHelpOptions = true,
            description = {"Opens an incident by hand in a team/env (as an alert would) and prints it.",
                    "Its context (SLO, budget caps, approval policy, change windows, on-call) comes from namespaces.yaml."})
    static final class Open implements Callable<Integer> {
        @Option(names = "--team", required = true, description = "the team, as in namespaces.yaml")
        String team;

        @Option(names = "--env", required = true, description = "the env of that team")
        String env;

        @Option(names = "--severity", defaultValue = "major", description = "e.g. critical, major, minor (default ${DEFAULT-VALUE})")
        String severity;

        @Option(names = "--title", required = true, description = "what is wrong, in one line")
        String title;

        @Option(names = "--id", description = "the incident id (default: the harness names it INC-<n>)")
        String id;

        @Option(names = "--cap", paramLabel = "KIND=COUNT", description = {"a budget cap for this incident, lower than the"
                + " configured one; repeatable: --cap tokens=50000 --cap change_requests=3",
                "kinds: reads, bytes, api_calls, change_requests, tokens"})
        java.util.Map<String, Long> caps = new java.util.LinkedHashMap<>();

        @Mixin
        HarnessUrl harness;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            HarnessClient client = harness.client();
            JsonNode i = client.openIncident(id, team, env, severity, title, caps, Caller.self());
            print(spec.commandLine().getOut(), client, i);
            return ExitCodes.OK;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "Lists the incidents you may see, newest first.")
    static final class Ls implements Callable<Integer> {
        @Mixin
        HarnessUrl harness;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            for (JsonNode i : harness.client().incidentList(Caller.self())) {
                out.printf("%s\t%s\t%s\t%s/%s\t%s\t%s%n", i.path("id").asText(), i.path("state").asText(),
                        i.path("severity").asText(), i.path("team").asText(), i.path("env").asText(),
                        i.path("opened_at").asText(), i.path("title").asText());
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Prints an incident: state, budget used of its caps, notifications and its context.")
    static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "ID")
        String id;

        @Mixin
        HarnessUrl harness;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            HarnessClient client = harness.client();
            print(spec.commandLine().getOut(), client, client.incident(id, Caller.self()));
            return ExitCodes.OK;
        }
    }

    /** A person moves the incident by hand, with the reason the ledger keeps: {@code close} or {@code resume}. */
    abstract static class Move implements Callable<Integer> {
        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--reason", required = true, description = "why; the ledger keeps it")
        String reason;

        @Mixin
        HarnessUrl harness;

        @Spec
        CommandSpec spec;

        /** The harness operation, {@code POST /v1/incidents/<id>/<operation>}. */
        abstract String operation();

        @Override
        public Integer call() throws Exception {
            HarnessClient client = harness.client();
            print(spec.commandLine().getOut(), client, client.moveIncident(id, operation(), reason, Caller.self()));
            return ExitCodes.OK;
        }
    }

    @Command(name = "close", mixinStandardHelpOptions = true,
            description = {"Closes an incident (a person, never an agent), with the reason.",
                    "A change that is still executing must be verified first."})
    static final class Close extends Move {
        @Override
        String operation() {
            return "close";
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Takes an ESCALATED incident back to DIAGNOSING (a person), so automated changes may go on.")
    static final class Resume extends Move {
        @Override
        String operation() {
            return "resume";
        }
    }
}
