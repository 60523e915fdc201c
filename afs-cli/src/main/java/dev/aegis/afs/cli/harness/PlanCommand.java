package dev.aegis.afs.cli.harness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.cli.ExitCodes;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.harness.HarnessClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code afs plan submit|status|list|cancel}: change requests. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Submits change requests to the harness and shows their state.",
        subcommands = {PlanCommand.Submit.class, PlanCommand.Status.class, PlanCommand.List.class, PlanCommand.Cancel.class})
public final class PlanCommand implements Runnable {

    /** States that mean the change did not (or no longer does) happen: exit code 1. */
    static final Set<String> FAILED = Set.of("REJECTED", "FAILED", "ROLLED_BACK", "CANCELLED");

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a subcommand: afs plan submit FILE | status ID | list | cancel ID");
    }

    static int exitFor(String state) {
        return FAILED.contains(state) ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
    }

    @Command(name = "submit", mixinStandardHelpOptions = true,
            description = {"Submits a change request document (YAML or JSON; - reads stdin) as the invoking user and "
                    + "prints its status.", "Exit 1 when it was rejected."})
    static final class Submit implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "the change request, or - for stdin")
        String file;

        @Mixin
        HarnessUrl harness;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            byte[] doc = read(file);
            HarnessClient client = harness.client();
            HarnessClient.Reply reply = client.submit(doc, Caller.self());
            PrintWriter out = spec.commandLine().getOut();
            if (reply.status() == 200) {
                out.println("(an identical request with the same idempotency keys exists; showing its outcome)");
            }
            out.print(client.statusText(reply.id(), Caller.self()));
            out.flush();
            return exitFor(reply.state());
        }

        private static byte[] read(String file) throws IOException, AfsException {
            if (file.equals("-")) {
                return System.in.readNBytes(256 * 1024 + 1);
            }
            try {
                return Files.readAllBytes(Path.of(file));
            } catch (NoSuchFileException e) {
                throw new AfsException(AfsError.NOT_FOUND, file + ": no such file; give the path of a change request document");
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Prints a change request's state, approvals, actions and reasons.",
                    "Exit 1 when it was rejected, failed, rolled back or cancelled."})
    static final class Status implements Callable<Integer> {
        @Parameters(paramLabel = "ID")
        String id;

        @Mixin
        HarnessUrl harness;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            HarnessClient client = harness.client();
            String text = client.statusText(id, Caller.self());
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
            return exitFor(client.get(id, Caller.self()).path("state").asText());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists change requests, newest first.")
    static final class List implements Callable<Integer> {
        @Option(names = "--limit", defaultValue = "50", description = "at most this many (default ${DEFAULT-VALUE})")
        int limit;

        @Mixin
        HarnessUrl harness;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            for (JsonNode r : harness.client().list(Math.max(1, limit), Caller.self())) {
                out.printf("%s\t%s\t%s/%s\t%s\t%s%n", r.path("id").asText(), r.path("state").asText(),
                        r.path("team").asText(), r.path("env").asText(), r.path("incident_id").asText(),
                        r.path("created_at").asText());
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Cancels a change request before it executes (its submitter or an approver).")
    static final class Cancel implements Callable<Integer> {
        @Parameters(paramLabel = "ID")
        String id;

        @Mixin
        HarnessUrl harness;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            HarnessClient client = harness.client();
            client.cancel(id, Caller.self());
            spec.commandLine().getOut().print(client.statusText(id, Caller.self()));
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }
}
