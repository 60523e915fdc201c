package dev.aegis.afs.cli.skills;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.cli.ExitCodes;
import dev.aegis.afs.cli.Version;
import dev.aegis.afs.cli.harness.HarnessUrl;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.harness.HarnessClient;
import dev.aegis.afs.core.skills.GuardrailDraft;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code afs guardrails propose}: policy changes drafted from an incident (docs/skills.md). */
@Command(name = "guardrails", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Drafts guardrail changes from an incident.", subcommands = {GuardrailsCommand.Propose.class})
public final class GuardrailsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a subcommand: afs guardrails propose INCIDENT");
    }

    @Command(name = "propose", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = {"Prints a change request of kind guardrail for each plan of the incident that failed (verify or "
                    + "action) and was rolled back: its team/env needs a human approval from now on.",
                    "Submit one with afs plan submit FILE; tightening is approved by the team, loosening only by platform "
                            + "approvers. Exit 1 when there is nothing to propose."})
    static final class Propose implements Callable<Integer> {

        @Parameters(paramLabel = "INCIDENT")
        String incident;

        @Mixin
        HarnessUrl harness;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws AfsException {
            HarnessClient client = harness.client();
            JsonNode timeline = client.timeline(incident, Caller.self());
            List<String> drafts = GuardrailDraft.drafts(incident, SkillsCommand.requestsOf(client, timeline));
            PrintWriter out = spec.commandLine().getOut();
            if (drafts.isEmpty()) {
                out.println("# " + incident + ": every plan held (none failed or was rolled back); no guardrail change to propose");
            }
            out.print(String.join("---\n", drafts));
            out.flush();
            return drafts.isEmpty() ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
        }
    }
}
